"""The real sounddevice path: audio played into a PulseAudio null sink is recorded from
its monitor by the program's own microphone code, ended by silence, and transcribed."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import soundfile as sf

from simulator.audio.sources import read_audio
from simulator.banks.loader import load_bank
from simulator.config import load_settings
from simulator.engine.answers import MicrophoneAnswers
from simulator.engine.events import AnswerFinished, AnswerStarted, InputLevel, QuestionAsked
from simulator.rounds import listen_options, prepare_round
from tests.conftest import render_answers

pytestmark = pytest.mark.audio

ANSWER = ("LoRA freezes the pretrained weights and trains two small low rank matrices. "
          "Because far fewer parameters are trained, it needs much less GPU memory.")


def _play_later(path, delay_s: float) -> threading.Thread:
    import sounddevice as sd

    def go() -> None:
        time.sleep(delay_s)
        data, rate = sf.read(str(path), dtype="float32")
        sd.play(data, rate, device="pulse")
        sd.wait()

    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


def test_a_spoken_round_through_the_microphone(pulse, tmp_path, synth):
    answers = render_answers(synth, tmp_path / "answers", [ANSWER])
    settings = load_settings(overrides={
        "sessions": {"dir": str(tmp_path / "sessions")},
        # A finished sentence would end it sooner (audio.finished_s): this test is about
        # the silence window itself.
        "audio": {"input_device": "pulse", "output_device": "pulse", "silence_s": 2.0,
                  "finished_s": 2.0},
        "interview": {"max_follow_ups": 0},
    })
    question = next(q for q in load_bank("starter").questions if q.id == "starter-lora")
    mic = MicrophoneAnswers(listen_options(settings).frame_len, "pulse")
    prepared = prepare_round(settings, "starter", [question], mic, speak=True, seed=3)
    assert prepared.interview.p.player is not None, "the null sink should count as a speaker"

    events = []
    player = None
    for event in prepared.events():
        events.append(event)
        if isinstance(event, AnswerStarted):
            player = _play_later(answers / "01.wav", 0.4)
    assert player is not None
    player.join(5)

    asked = [e for e in events if isinstance(e, QuestionAsked)]
    finished = [e for e in events if isinstance(e, AnswerFinished)]
    assert len(asked) == 1 and len(finished) == 1
    answer = finished[0]
    text = answer.transcript.lower()
    heard = [w for w in ("freezes", "weights", "trains", "small", "matrices", "fewer",
                         "parameters", "memory") if w in text]
    assert len(heard) >= 6, text
    assert answer.end_reason == "silence"
    # Ended by the silence window, not cut off early and not left hanging.
    spoken_s = sf.info(str(answers / "01.wav")).duration
    assert spoken_s + 1.5 < answer.duration_s < spoken_s + 0.4 + 2.0 + 1.5
    # The answer was transcribed during the end-of-answer silence and that text was used
    # (how long the wait was is measured by benchmarks/round_latency.py, not here).
    assert answer.speculative
    assert any(isinstance(e, InputLevel) and e.speaking for e in events)
    recorded = read_audio(prepared.session.dir / answer.audio)
    assert np.sqrt(np.mean(recorded**2)) > 0.005
