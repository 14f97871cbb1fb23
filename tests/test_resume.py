"""Taking the turn back: a candidate who speaks again soon after the interviewer decided
their answer was over keeps the answer. The interviewer's reply, already begun, stops at
once; the new speech joins the same answer, which is judged whole; and the interviewer's
own voice never counts as the candidate going on.

Answers are tone bursts paced on a clock the test moves (tests/clocks.py). The transcriber
hears one word per burst, so a transcript shows which bursts made it into the answer; the
real transcriber is exercised by the round and microphone-path tests.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from simulator.assess.policy import OfflinePolicy
from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndpointConfig, EndpointDetector, EndReason
from simulator.audio.sources import FileAnswer
from simulator.audio.wavwriter import IncrementalWavWriter
from simulator.banks.loader import load_bank
from simulator.engine.answers import FolderAnswers
from simulator.engine.capture import (
    CapturedAnswer,
    CaptureHooks,
    CaptureSettings,
    Recording,
    capture_answer,
)
from simulator.engine.controls import RoundControls
from simulator.engine.events import (
    AnswerFinished,
    AnswerResumed,
    AnswerStopped,
    Decided,
    Event,
    InterviewerSaid,
    SessionEnded,
)
from simulator.engine.interview import Interview
from simulator.engine.parts import ListenOptions, RoundParts
from simulator.personas import load_persona
from simulator.speech.stt import SttInfo
from simulator.speech.transcript import Transcript, Word
from simulator.speech.tts import VoiceSettings
from tests.clocks import ManualClock

FRAME = 480  # 30 ms
FRAME_S = FRAME / SAMPLE_RATE
WORDS = ["first", "second", "third"]
#: How long a test waits for the engine to do something before failing: reaching it means
#: a bug, not a slow machine.
TIMEOUT_S = 20.0


def bursts(path: Path, *parts: tuple[str, float]) -> Path:
    """A file of ("tone" | "quiet", seconds) parts."""
    audio = []
    for kind, seconds in parts:
        t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
        level = 0.3 if kind == "tone" else 0.0
        audio.append((level * np.sin(2 * np.pi * 220 * t)).astype("float32"))
    sf.write(str(path), np.concatenate(audio), SAMPLE_RATE)
    return path


def heard_bursts(audio: np.ndarray) -> list[tuple[float, float]]:
    """Where the tone bursts of ``audio`` are, in seconds."""
    frames = len(audio) // FRAME
    loud = [float(np.abs(audio[i * FRAME:(i + 1) * FRAME]).max()) > 0.1 for i in range(frames)]
    spans, start = [], None
    for i, on in enumerate([*loud, False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            spans.append((start * FRAME_S, i * FRAME_S))
            start = None
    return spans


class BurstStt:
    """Hears one word per tone burst: "first", "second", ... in order."""

    info = SttInfo("bursts", "-", "cpu", "int8")

    def load(self) -> None:
        pass

    def transcribe(self, audio: np.ndarray, vocabulary: str | None = None,
                   draft: bool = False) -> Transcript:
        words = [Word(WORDS[i], lo, hi, 0.9)
                 for i, (lo, hi) in enumerate(heard_bursts(audio)[:len(WORDS)])]
        return Transcript("").with_words(words) if words else Transcript.nothing()


class BurstReader:
    """Reads the whole answer so far once it is over, as a reader without speculation does."""

    def __init__(self) -> None:
        self.finals = 0

    def heard(self, recording: Recording, det: EndpointDetector) -> None:
        pass

    def final(self, recording: Recording, det: EndpointDetector) -> tuple[Transcript, bool]:
        self.finals += 1
        return BurstStt().transcribe(recording.audio()), False

    def said_at_pause(self, last_speech_at: float | None) -> str:
        return ""

    def close(self) -> None:
        pass


@pytest.fixture
def clock():
    c = ManualClock()
    yield c
    c.close()


def capture(source: FileAnswer, path: Path, hooks: CaptureHooks,
            clock: ManualClock, run_s: float) -> tuple[CapturedAnswer, BurstReader]:
    """Record ``source`` (paced on ``clock``) with an 0.6 s silence window and a 2.5 s
    resume window, moving the clock ``run_s`` on."""
    settings = CaptureSettings(EndpointConfig(silence_s=0.6), FRAME, pre_roll_s=0.3,
                               resume_s=2.5)
    reader = BurstReader()
    out: list[CapturedAnswer] = []

    def work() -> None:
        with IncrementalWavWriter(path, SAMPLE_RATE) as writer:
            out.append(capture_answer(source, writer, reader, settings, threading.Event(),
                                      hooks))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    clock.wait_for_sleeper()
    clock.advance(run_s)
    worker.join(TIMEOUT_S)
    assert out, "the capture did not end"
    return out[0], reader


def test_speech_soon_after_the_end_takes_the_turn_back_and_joins_the_answer(tmp_path, clock):
    audio = bursts(tmp_path / "a.wav", ("tone", 1.5), ("quiet", 1.6), ("tone", 1.0),
                   ("quiet", 4.0))
    ended: list[CapturedAnswer] = []
    resumed: list[bool] = []
    hooks = CaptureHooks(on_ended=ended.append, on_resumed=lambda: resumed.append(True))
    source = FileAnswer(audio, FRAME, realtime=True, clock=clock)
    got, reader = capture(source, tmp_path / "rec.wav", hooks, clock, 9.0)

    # The end was decided after the first burst, then taken back by the second.
    assert len(ended) == 2 and resumed == [True]
    assert ended[0].reading.verbatim == "first"
    assert got is ended[1] and got.end_reason is EndReason.SILENCE
    assert got.reading.verbatim == "first second"
    # The pause is part of the answer, in the recording and on disk alike; the silence
    # after the end, waited through for a resume that did not come, is in neither.
    assert 1.5 + 1.6 + 1.0 + 0.6 <= len(got.audio) / SAMPLE_RATE < 1.5 + 1.6 + 1.0 + 0.8
    on_disk, _ = sf.read(str(tmp_path / "rec.wav"), dtype="float32")
    assert len(on_disk) == len(got.audio)


def test_speech_past_the_resume_window_finds_the_answer_over(tmp_path, clock):
    audio = bursts(tmp_path / "a.wav", ("tone", 1.5), ("quiet", 2.6), ("tone", 1.0),
                   ("quiet", 1.0))
    ended: list[CapturedAnswer] = []
    resumed: list[bool] = []
    hooks = CaptureHooks(on_ended=ended.append, on_resumed=lambda: resumed.append(True))
    source = FileAnswer(audio, FRAME, realtime=True, clock=clock)
    got, _ = capture(source, tmp_path / "rec.wav", hooks, clock, 7.0)
    # The second burst starts 2.0 s after the end was decided: within the window.
    assert resumed == [True] and got.reading.verbatim == "first second"

    late = bursts(tmp_path / "b.wav", ("tone", 1.5), ("quiet", 3.5), ("tone", 1.0))
    ended.clear()
    resumed.clear()
    later = FileAnswer(late, FRAME, realtime=True, clock=clock)
    got, _ = capture(later, tmp_path / "rec2.wav", hooks, clock, 7.0)
    # 2.9 s after the end: too late, the answer had ended; its audio stops at the end.
    assert resumed == [] and len(ended) == 1 and got.reading.verbatim == "first"
    assert len(got.audio) / SAMPLE_RATE < 1.5 + 0.8


def test_going_on_with_a_dip_between_two_syllables_late_in_the_window_is_heard(tmp_path, clock):
    # The end is decided 0.6 s into the pause; the candidate goes on 2.2 s later, near the
    # window's close, with two short syllables and a dip between them.
    audio = bursts(tmp_path / "a.wav", ("tone", 1.5), ("quiet", 2.8), ("tone", 0.12),
                   ("quiet", 0.09), ("tone", 0.12), ("quiet", 3.0))
    resumed: list[bool] = []
    hooks = CaptureHooks(on_ended=lambda c: None, on_resumed=lambda: resumed.append(True))
    source = FileAnswer(audio, FRAME, realtime=True, clock=clock)
    got, _ = capture(source, tmp_path / "rec.wav", hooks, clock, 9.0)
    assert resumed == [True] and got.reading.verbatim == "first second third"


def test_the_interviewers_echo_is_not_the_candidate_going_on(tmp_path, clock):
    audio = bursts(tmp_path / "a.wav", ("tone", 1.5), ("quiet", 1.6), ("tone", 1.0),
                   ("quiet", 4.0))
    resumed: list[bool] = []
    hooks = CaptureHooks(on_ended=lambda c: None, on_resumed=lambda: resumed.append(True),
                         is_echo=lambda frame: True)  # all it hears is the reply's echo
    source = FileAnswer(audio, FRAME, realtime=True, clock=clock)
    got, _ = capture(source, tmp_path / "rec.wav", hooks, clock, 9.0)
    assert resumed == [] and got.reading.verbatim == "first"


def test_a_key_ends_an_answer_for_good(tmp_path, clock):
    """Only a silence is the engine's guess; a file running out (or a key, or the time
    limit) is not taken back."""
    audio = bursts(tmp_path / "a.wav", ("tone", 1.5))
    ended: list[CapturedAnswer] = []
    hooks = CaptureHooks(on_ended=ended.append, on_resumed=lambda: None)
    source = FileAnswer(audio, FRAME, realtime=True, clock=clock)
    got, _ = capture(source, tmp_path / "rec.wav", hooks, clock, 3.0)
    assert ended == [] and got.end_reason is EndReason.SOURCE_ENDED


# -- a whole round ------------------------------------------------------------------------


class QuickSynth:
    def render(self, text: str, path: Path, voice: VoiceSettings) -> Path:
        sf.write(str(path), np.zeros(2205, dtype="float32"), 22050)
        return path


class Speaker:
    """The round's player. A question returns at once; the closing plays until stopped or
    until the test lets it finish, and each time it is begun is noted."""

    def __init__(self) -> None:
        self.closings: list[threading.Event] = []
        self.finish = threading.Event()

    def __call__(self, path: Path, stop: threading.Event) -> None:
        if "closing" not in path.name:
            return
        self.closings.append(stop)
        while not stop.is_set() and not self.finish.wait(0.01):
            pass


def wait_until(cond, what: str) -> None:
    done = threading.Event()
    for _ in range(int(TIMEOUT_S / 0.01)):
        if cond():
            return
        done.wait(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_resumed_answer_is_judged_whole_and_the_reply_begun_is_withdrawn(tmp_path, clock):
    answers = tmp_path / "answers"
    answers.mkdir()
    bursts(answers / "01.wav", ("tone", 1.5), ("quiet", 1.6), ("tone", 1.0), ("quiet", 4.0))
    sdir = tmp_path / "session"
    (sdir / "audio").mkdir(parents=True)
    speaker = Speaker()
    listen = ListenOptions(silence_s=0.6, resume_s=2.5, speculate=False, streaming=False)
    parts = RoundParts(
        session_id="s", session_dir=sdir, bank_label="starter",
        questions=load_bank("starter").questions[:1], persona=load_persona("coach"),
        synthesizer=QuickSynth(), transcriber=BurstStt(),
        policy=OfflinePolicy(max_follow_ups=0),
        answers=FolderAnswers(answers, listen.frame_len, realtime=True, clock=clock),
        listen=listen, seed=1, player=speaker)
    events: queue.Queue[Event | None] = queue.Queue()

    def run() -> None:
        for e in Interview(parts, controls=RoundControls()).run():
            events.put(e)
        events.put(None)

    threading.Thread(target=run, daemon=True).start()
    clock.wait_for_sleeper()
    clock.advance(2.4)  # the end is decided 0.6 s into the pause
    wait_until(lambda: len(speaker.closings) == 1, "the closing to be begun")
    clock.advance(1.2)  # the candidate goes on 1.0 s after the end
    wait_until(lambda: speaker.closings[0].is_set(), "the closing to be withdrawn")
    clock.advance(6.0)  # the second end, and its resume window passing
    wait_until(lambda: len(speaker.closings) == 2, "the closing to be begun again")
    speaker.finish.set()
    seen = []
    while (e := events.get(timeout=TIMEOUT_S)) is not None:
        seen.append(e)

    kinds = [type(e) for e in seen if isinstance(e, (AnswerStopped, AnswerResumed,
                                                     AnswerFinished, Decided))]
    assert kinds == [AnswerStopped, AnswerResumed, AnswerStopped, AnswerFinished, Decided]
    finished = next(e for e in seen if isinstance(e, AnswerFinished))
    assert finished.transcript == "first second"  # both parts, judged as one answer
    assert not speaker.closings[1].is_set()  # the reply that stood was said in full
    closings = [e for e in seen if isinstance(e, InterviewerSaid) and e.kind == "closing"]
    assert len(closings) == 1
    assert isinstance(seen[-1], SessionEnded) and seen[-1].status == "complete"


class SlowReader(BurstReader):
    """Reads as BurstReader does, but its first final reading waits until let go, as a
    reading of a long stretch on a busy machine does."""

    def __init__(self) -> None:
        super().__init__()
        self.let_go = threading.Event()

    def final(self, recording: Recording, det: EndpointDetector) -> tuple[Transcript, bool]:
        if self.finals == 0:
            assert self.let_go.wait(TIMEOUT_S)
        return super().final(recording, det)


def test_going_on_is_heard_while_the_end_is_still_being_read(tmp_path, clock):
    audio = bursts(tmp_path / "a.wav", ("tone", 1.5), ("quiet", 1.6), ("tone", 1.0),
                   ("quiet", 4.0))
    ended: list[CapturedAnswer] = []
    resumed = threading.Event()
    hooks = CaptureHooks(on_ended=ended.append, on_resumed=resumed.set)
    settings = CaptureSettings(EndpointConfig(silence_s=0.6), FRAME, pre_roll_s=0.3,
                               resume_s=2.5)
    reader = SlowReader()
    out: list[CapturedAnswer] = []
    source = FileAnswer(audio, FRAME, realtime=True, clock=clock)

    def work() -> None:
        with IncrementalWavWriter(tmp_path / "rec.wav", SAMPLE_RATE) as writer:
            out.append(capture_answer(source, writer, reader, settings, threading.Event(),
                                      hooks))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    clock.wait_for_sleeper()
    clock.advance(3.6)  # the end decided at 2.1 s, its reading held; the tone again at 3.1
    assert resumed.wait(TIMEOUT_S), "going on was not heard while the reading waited"
    reader.let_go.set()
    clock.advance(6.0)
    worker.join(TIMEOUT_S)
    # The reading of the end that was taken back is offered to no one: only the end
    # that stood was, and it holds both bursts.
    assert [c.reading.verbatim for c in ended] == ["first second"]
    assert out and out[0].reading.verbatim == "first second"
