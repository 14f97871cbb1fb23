"""The interviewer's voice heard back through the microphone is not the candidate taking
the turn back; the candidate speaking over it is. Real renders (pyttsx3/espeak-ng), the
echo made as a room makes one: delayed, quieter, its highs lost, over a little noise."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from simulator.audio import SAMPLE_RATE
from simulator.audio.echo_gate import EchoGate
from simulator.audio.endpoint import EndpointConfig, frame_db
from simulator.audio.sources import FileAnswer, read_audio
from simulator.audio.wavwriter import IncrementalWavWriter
from simulator.engine.capture import CaptureHooks, CaptureSettings, capture_answer
from simulator.speech.transcript import Transcript
from simulator.speech.tts import Pyttsx3Synthesizer, VoiceSettings
from tests.clocks import ManualClock

FRAME = 480
INTERVIEWER = VoiceSettings("en-gb", 165, 1.0)
CANDIDATE = VoiceSettings("en-us", 150, 1.0)


def render(synth: Pyttsx3Synthesizer, folder: Path, name: str, text: str,
           voice: VoiceSettings) -> np.ndarray:
    return read_audio(synth.render(text, folder / f"{name}.wav", voice))


def room_echo(audio: np.ndarray, delay_s: float, gain: float) -> np.ndarray:
    """``audio`` as a microphone a metre from the speaker hears it."""
    muffled = np.convolve(audio, np.ones(5) / 5, mode="same") * gain  # highs lost
    delayed = np.concatenate([np.zeros(int(delay_s * SAMPLE_RATE)), muffled])[:len(audio)]
    noise = np.random.default_rng(1).normal(0, 0.0005, len(audio))
    return (delayed + noise).astype(np.float32)


def listened(tmp_path: Path, clock: ManualClock, reply: np.ndarray, after_end: np.ndarray,
             gate: EchoGate | None = None) -> bool:
    """Whether the candidate took the turn back, when an answer (a tone) ends on 0.6 s of
    silence, the interviewer's ``reply`` starts playing as its end is decided, and the
    microphone then hears ``after_end``. The gate is told of the reply as the engine
    tells it, and reads the time from the clock the answer is paced on."""
    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(int(1.5 * SAMPLE_RATE)) / SAMPLE_RATE)
    audio = np.concatenate([tone, np.zeros(int(0.6 * SAMPLE_RATE)), after_end])
    sf.write(str(tmp_path / "a.wav"), audio.astype(np.float32), SAMPLE_RATE)
    gate = gate or EchoGate(FRAME, now=clock.now)
    resumed: list[bool] = []
    hooks = CaptureHooks(on_ended=lambda _: gate.playing(reply),
                         on_resumed=lambda: resumed.append(True), is_echo=gate.is_echo,
                         echo_settled=gate.settled)
    settings = CaptureSettings(EndpointConfig(silence_s=0.6), FRAME, pre_roll_s=0.3,
                               resume_s=2.5)
    source = FileAnswer(tmp_path / "a.wav", FRAME, realtime=True, clock=clock)
    done = threading.Event()

    def work() -> None:
        with IncrementalWavWriter(tmp_path / "rec.wav", SAMPLE_RATE) as writer:
            capture_answer(source, writer, Silent(), settings, threading.Event(), hooks)
        done.set()

    threading.Thread(target=work, daemon=True).start()
    clock.wait_for_sleeper()
    while not done.is_set():  # a frame at a time, as a microphone gives them
        clock.advance(FRAME / SAMPLE_RATE)
    assert done.wait(20), "the capture did not end"
    return bool(resumed)


class Silent:
    """A reader with nothing to say: only the turn-taking is looked at here."""

    def heard(self, recording: object, det: object) -> None:
        pass

    def final(self, recording: object, det: object) -> tuple[Transcript, bool]:
        return Transcript.nothing(), False

    def said_at_pause(self, last_speech_at: float | None) -> str:
        return ""

    def close(self) -> None:
        pass


@pytest.fixture
def clock():
    c = ManualClock()
    yield c
    c.close()


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, np.ndarray]:
    folder = tmp_path_factory.mktemp("voices")
    synth = Pyttsx3Synthesizer()
    reply = render(synth, folder, "reply", "Thanks. Now, how would you choose the chunk "
                   "size for a retrieval system, and what would you measure?", INTERVIEWER)
    answer = render(synth, folder, "answer", "Oh, and the overlap matters too, around ten to "
                    "twenty percent, so that a sentence cut at a boundary is not lost.",
                    CANDIDATE)
    return reply, answer


@pytest.mark.parametrize(("delay_s", "gain"), [(0.05, 0.3), (0.12, 0.2), (0.12, 1.0)])
def test_the_reply_heard_back_through_the_room_does_not_take_the_turn(tmp_path, clock, voices,
                                                                      delay_s, gain):
    reply, _ = voices
    gate = EchoGate(FRAME, now=clock.now)
    assert not listened(tmp_path, clock, reply, room_echo(reply, delay_s, gain), gate)
    assert gate.hears_reply is True  # learnt as the window closed


def test_the_candidate_going_on_takes_the_turn_with_headphones_or_over_the_reply(
        tmp_path, clock, voices):
    reply, answer = voices
    # They go on 0.8 s into the reply.
    late = np.concatenate([np.zeros(int(0.8 * SAMPLE_RATE), dtype=np.float32), answer])
    assert listened(tmp_path, clock, reply, late)  # headphones: only their voice
    n = min(len(reply), len(late))
    assert listened(tmp_path, clock, reply, late[:n] + room_echo(reply, 0.12, 0.2)[:n])


def test_nothing_is_echo_when_nothing_plays(voices):
    _, answer = voices
    gate = EchoGate(FRAME)
    assert not any(gate.is_echo(answer[i:i + FRAME]) for i in range(0, len(answer) - FRAME,
                                                                    FRAME))


def heard_going_on_at(gate: EchoGate, clock: ManualClock, reply: np.ndarray,
                      heard: np.ndarray) -> float | None:
    """Seconds into ``reply`` at which the frames ``heard`` meanwhile hold 0.18 s of voice
    that is not its echo (a resume, as engine/capture.py counts one); None if never."""
    gate.playing(reply)
    start, run = clock.now(), 0
    for i in range(0, len(heard) - FRAME, FRAME):
        clock.advance(FRAME / SAMPLE_RATE)
        frame = heard[i:i + FRAME]
        run = run + 1 if not gate.is_echo(frame) and frame_db(frame) >= -45 else 0
        if run * FRAME / SAMPLE_RATE >= 0.18 - 1e-9:
            return clock.now() - start
    return None


def test_once_the_microphone_is_heard_not_to_hear_the_reply_an_onset_with_it_is_the_candidate(
        voices):
    reply, answer = voices
    clock = ManualClock()
    gate = EchoGate(FRAME, now=clock.now)
    with_the_reply = np.concatenate([np.zeros(int(0.1 * SAMPLE_RATE), np.float32), answer])
    # Not yet known: a voice rising as the reply rises looks like its echo for a while.
    first = heard_going_on_at(gate, clock, reply, with_the_reply)
    gate.settled(True)  # that window was taken back: it teaches nothing
    assert first is None or first > 0.5
    assert gate.hears_reply is None
    # A window the candidate let pass, the reply sounding through it, heard nothing loud.
    assert heard_going_on_at(gate, clock, reply, np.zeros(int(2.5 * SAMPLE_RATE),
                                                          np.float32)) is None
    gate.settled(False)
    assert gate.hears_reply is False
    at = heard_going_on_at(gate, clock, reply, with_the_reply)
    assert at is not None and at <= 0.1 + 0.18 + 0.15


def test_a_microphone_that_heard_the_reply_goes_on_telling_its_echo(voices):
    reply, _ = voices
    clock = ManualClock()
    gate = EchoGate(FRAME, now=clock.now)
    echo = room_echo(reply, 0.12, 0.3)
    assert heard_going_on_at(gate, clock, reply, echo) is None
    gate.settled(False)
    assert gate.hears_reply is True
    assert heard_going_on_at(gate, clock, reply, echo) is None
