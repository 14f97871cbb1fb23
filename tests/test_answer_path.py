"""An answer's path through the engine: the frame loop hands every frame to a reader it knows
only by its protocol (so a streaming reader can take the place of today's), and the turn's
wait is timed without the time the candidate spent reviewing."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import soundfile as sf

from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndpointConfig, EndpointDetector, EndReason
from simulator.audio.sources import FileAnswer, read_audio
from simulator.audio.wavwriter import IncrementalWavWriter
from simulator.engine.capture import (
    CaptureHooks,
    CaptureSettings,
    Level,
    Recording,
    capture_answer,
)
from simulator.engine.turn_clock import TurnClock
from simulator.speech.transcript import Transcript, Word

FRAME = 480  # 30 ms


class CountingReader:
    """A reader that transcribes nothing: it counts what the frame loop hands it."""

    def __init__(self) -> None:
        self.frames = 0
        self.finals = 0
        self.closed = False

    def heard(self, recording: Recording, det: EndpointDetector) -> None:
        self.frames += 1
        assert recording.samples == self.frames * FRAME

    def final(self, recording: Recording, det: EndpointDetector) -> tuple[Transcript, bool]:
        self.finals += 1
        span = recording.speech(det)
        assert span is not None
        return Transcript("").with_words([Word("said", span[0] / SAMPLE_RATE, 1.0, 0.9)]), True

    def close(self) -> None:
        self.closed = True


def _tone(path: Path, seconds: float) -> Path:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    sf.write(str(path), (0.3 * np.sin(2 * np.pi * 220 * t)).astype("float32"), SAMPLE_RATE)
    return path


SETTINGS = CaptureSettings(EndpointConfig(silence_s=0.6), FRAME, pre_roll_s=0.3)


def test_the_frame_loop_feeds_every_frame_to_the_reader_and_asks_it_once(tmp_path):
    source = FileAnswer(_tone(tmp_path / "a.wav", 1.5), FRAME)
    reader = CountingReader()
    with IncrementalWavWriter(tmp_path / "out.wav", SAMPLE_RATE) as writer:
        cap = capture_answer(source, writer, reader, SETTINGS, threading.Event())
    assert reader.frames == len(cap.audio) // FRAME == 50 and reader.finals == 1
    assert reader.closed, "a reader is always closed, so its workers stop"
    assert cap.reading.text == "said" and cap.speculative and not cap.discarded
    assert cap.end_reason is EndReason.SOURCE_ENDED
    assert len(read_audio(tmp_path / "out.wav")) == len(cap.audio), "every frame is on disk"


def test_an_answer_stopped_to_be_thrown_away_is_not_transcribed(tmp_path):
    source = FileAnswer(_tone(tmp_path / "a.wav", 1.5), FRAME)
    reader = CountingReader()
    stop = threading.Event()
    seen: list[float] = []

    def on_level(level: Level) -> None:
        seen.append(level.elapsed_s)
        if level.elapsed_s >= 0.6:
            stop.set()  # a repeat or a skip pressed mid-answer

    hooks = CaptureHooks(on_level=on_level, stop_reason=lambda: None)
    with IncrementalWavWriter(tmp_path / "out.wav", SAMPLE_RATE) as writer:
        cap = capture_answer(source, writer, reader, SETTINGS, stop, hooks)
    assert cap.discarded and cap.reading.silent and reader.finals == 0 and reader.closed
    assert seen and len(cap.audio) < SAMPLE_RATE


def test_the_wait_after_an_answer_leaves_out_the_candidates_review():
    now = [100.0]
    clock = TurnClock(lambda: now[0])
    assert clock.prompt_ready() is None, "nothing to time before the first answer"
    clock.answered(3, ended_at=100.0, transcript_ms=250.0)
    now[0] = 101.0
    release = clock.hold()  # practice: the verdict is on screen for 20 s
    now[0] = 121.0
    release()
    now[0] = 121.5
    timed = clock.prompt_ready()
    assert timed is not None and (timed.turn, timed.transcript_ms) == (3, 250.0)
    assert timed.next_prompt_ms == 1500.0
    assert clock.prompt_ready() is None, "each answer is timed once"
