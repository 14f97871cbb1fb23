"""The round's controls (answer key, repeat, skip, pause, end, practice review), driven from
another thread while the engine runs, as the app does. A scripted transcriber keeps these
quick; the real one is exercised by the round and app tests.

The answers are paced on a clock the test moves (tests/clocks.py), never on the wall clock:
"the candidate has spoken 1.6 s" is exact however loaded the machine is. Where a test needs
the engine to have done something, it waits for that, with a timeout that fails the test.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from simulator.assess.policy import OfflinePolicy
from simulator.banks.loader import load_bank
from simulator.engine.answers import FolderAnswers
from simulator.engine.controls import RoundControls, Stage
from simulator.engine.events import (
    AnswerFinished,
    AnswerStarted,
    AnswerStopped,
    AwaitingAnswer,
    ControlUsed,
    Event,
    PartialTranscript,
    QuestionAsked,
    SessionEnded,
)
from simulator.engine.interview import Interview
from simulator.engine.parts import ListenOptions, Player, RoundParts
from simulator.personas import load_persona
from simulator.speech.stt import SttInfo
from simulator.speech.transcript import Transcript, Word
from simulator.speech.tts import VoiceSettings
from tests.clocks import ManualClock

SAID = "I would split the documents into chunks with some overlap and embed each chunk"
LISTEN = ListenOptions(silence_s=0.6, partial_every_s=0.5)
FRAME_S = LISTEN.frame_len / 16000
#: How long a test waits for the engine to do something before failing.
TIMEOUT_S = 20.0


class QuickSynth:
    def render(self, text: str, path: Path, voice: VoiceSettings) -> Path:
        sf.write(str(path), np.zeros(2205, dtype="float32"), 22050)
        return path


class ScriptedStt:
    info = SttInfo("scripted", "-", "cpu", "int8")
    drafts: list[bool] = []
    """Whether each call was for a live draft, in the order made (one round at a time)."""

    def load(self) -> None:
        pass

    def transcribe(self, audio: np.ndarray, prompt: str | None = None,
                   draft: bool = False) -> Transcript:
        ScriptedStt.drafts.append(draft)
        words = [Word(w, 0.1 * i, 0.1 * i + 0.08, 0.9) for i, w in enumerate(SAID.split())]
        return Transcript(SAID, words, False, SAID)


def tone_file(path: Path, seconds: float) -> None:
    t = np.arange(int(16000 * seconds)) / 16000
    sf.write(str(path), (0.3 * np.sin(2 * np.pi * 220 * t)).astype("float32"), 16000)


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    c = ManualClock()
    yield c
    c.close()  # a failed test leaves no paced answer blocked on it


def start_round(tmp_path: Path, files: list[float], controls: RoundControls, clock: ManualClock,
                questions: int = 2, player: Player | None = None) -> queue.Queue[Event | None]:
    answers = tmp_path / "answers"
    answers.mkdir()
    for i, seconds in enumerate(files, 1):
        tone_file(answers / f"{i:02d}.wav", seconds)
    sdir = tmp_path / "session"
    (sdir / "audio").mkdir(parents=True)
    bank = load_bank("starter")
    parts = RoundParts(
        session_id="s", session_dir=sdir, bank_label="starter",
        questions=bank.questions[:questions], persona=load_persona("coach"),
        synthesizer=QuickSynth(), transcriber=ScriptedStt(),
        policy=OfflinePolicy(max_follow_ups=0), answers=FolderAnswers(
            answers, LISTEN.frame_len, realtime=True, clock=clock),
        listen=LISTEN, seed=1, player=player)
    interview = Interview(parts, controls=controls)
    out: queue.Queue[Event | None] = queue.Queue()

    def run() -> None:
        for e in interview.run():
            out.put(e)
        out.put(None)

    threading.Thread(target=run, daemon=True).start()
    return out


def until(q: queue.Queue[Event | None], kind: type[Event], seen: list[Event],
          timeout: float = TIMEOUT_S) -> Event:
    """The next event of ``kind``; the ones before it go to ``seen``."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            e = q.get(timeout=left)
        except queue.Empty:
            break
        if e is None:
            raise AssertionError(f"round ended before {kind.__name__}: {seen}")
        seen.append(e)
        if isinstance(e, kind):
            return e
    raise AssertionError(f"no {kind.__name__} within {timeout} s: {seen}")


def emitted(q: queue.Queue[Event | None], seen: list[Event]) -> list[Event]:
    """What the engine has emitted so far and the test has not yet read (added to ``seen``)."""
    out: list[Event] = []
    while True:
        try:
            e = q.get_nowait()
        except queue.Empty:
            seen.extend(out)
            return out
        if e is not None:
            out.append(e)


def rest(q: queue.Queue[Event | None], seen: list[Event]) -> list[Event]:
    while (e := q.get(timeout=TIMEOUT_S)) is not None:
        seen.append(e)
    return seen


def wait_until(cond: Callable[[], bool], what: str, timeout: float = TIMEOUT_S) -> None:
    """Wait for the engine to reach a state; fail the test if it does not in time."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def answering(q: queue.Queue[Event | None], seen: list[Event], clock: ManualClock) -> None:
    """Wait until the next answer is being recorded, its file paced on ``clock``."""
    until(q, AnswerStarted, seen)
    clock.wait_for_sleeper()


def key_stopped_length(*stretches_s: float) -> tuple[float, float]:
    """The bounds of an answer's recorded length after stretches of unpaused listening, then
    the key. A paced file hands a frame over as it begins, so a stretch may take in the frame
    on its boundary; and the frame the file was waiting for when the key came is kept.
    """
    heard = sum(stretches_s)
    return heard, heard + (len(stretches_s) + 1) * FRAME_S + 0.005  # rounded to 10 ms


def test_push_to_talk_waits_for_the_key_and_ends_on_it(tmp_path, clock):
    ScriptedStt.drafts.clear()
    controls = RoundControls(push_to_talk=True)
    q = start_round(tmp_path, [6.0, 6.0], controls, clock, questions=1)
    seen: list[Event] = []
    until(q, AwaitingAnswer, seen)
    wait_until(lambda: controls.waiting_in is Stage.WAITING, "the wait for the answer key")
    assert not any(isinstance(e, AnswerStarted) for e in emitted(q, seen))
    assert controls.talk()
    answering(q, seen, clock)
    clock.advance(1.6)  # the tone never pauses: only the key can end this answer
    until(q, PartialTranscript, seen)
    assert controls.talk()
    clock.advance(FRAME_S)  # a paced file sees the key at its next frame
    stopped = until(q, AnswerStopped, seen)
    assert stopped.end_reason == "key"
    finished = until(q, AnswerFinished, seen)
    low, high = key_stopped_length(1.6)
    assert finished.end_reason == "key" and low < finished.duration_s <= high
    assert finished.transcript == SAID
    # The live views are drafts (no second reading); the final transcript is not.
    assert True in ScriptedStt.drafts and False in ScriptedStt.drafts
    rest(q, seen)


def test_repeat_discards_the_answer_and_listens_again(tmp_path, clock):
    controls = RoundControls()
    q = start_round(tmp_path, [3.0, 0.8], controls, clock, questions=1)
    seen: list[Event] = []
    answering(q, seen, clock)
    clock.advance(0.5)
    assert controls.repeat()
    clock.advance(FRAME_S)
    used = until(q, ControlUsed, seen)
    assert used.action == "repeat"
    answering(q, seen, clock)
    clock.advance(3.0)  # the whole file, heard again from its start
    events = rest(q, seen)
    finished = [e for e in events if isinstance(e, AnswerFinished)]
    assert [e.turn for e in finished] == [1], "the discarded answer is not recorded"
    assert finished[0].duration_s == 3.0
    assert sum(isinstance(e, AnswerStarted) for e in events) == 2


def test_skip_moves_to_the_next_question(tmp_path, clock):
    controls = RoundControls()
    q = start_round(tmp_path, [5.0, 0.8], controls, clock, questions=2)
    seen: list[Event] = []
    first = until(q, QuestionAsked, seen)
    answering(q, seen, clock)
    clock.advance(0.4)
    assert controls.skip()
    clock.advance(FRAME_S)
    assert until(q, ControlUsed, seen).action == "skip"
    second = until(q, QuestionAsked, seen)
    assert second.question_id != first.question_id and second.kind == "question"
    answering(q, seen, clock)
    clock.advance(0.8)
    events = rest(q, seen)
    assert [e.turn for e in events if isinstance(e, AnswerFinished)] == [second.turn]
    assert events[-1].status == "complete"


def test_pause_stops_the_answer_clock_and_is_recorded(tmp_path, clock):
    controls = RoundControls(push_to_talk=True)
    q = start_round(tmp_path, [8.0], controls, clock, questions=1)
    seen: list[Event] = []
    until(q, AwaitingAnswer, seen)
    wait_until(lambda: controls.waiting_in is Stage.WAITING, "the wait for the answer key")
    assert controls.talk()
    answering(q, seen, clock)
    clock.advance(0.6)
    assert controls.toggle_pause() is True
    assert controls.talk() is False, "the answer key does nothing while paused"
    clock.advance(1.0)  # a second of the file goes by, paused
    assert until(q, ControlUsed, seen).action == "pause"
    assert controls.toggle_pause() is False
    clock.advance(0.5)
    assert until(q, ControlUsed, seen).action == "resume"
    assert controls.talk()
    clock.advance(FRAME_S)
    finished = until(q, AnswerFinished, seen)
    actions = [e.action for e in seen if isinstance(e, ControlUsed)]
    assert actions == ["pause", "resume"]
    # 0.6 s and 0.5 s of the answer were heard; the paused second is not in the recording.
    low, high = key_stopped_length(0.6, 0.5)
    assert low < finished.duration_s <= high
    rest(q, seen)


def test_practice_review_holds_until_the_key_and_end_cancels(tmp_path, clock):
    controls = RoundControls(review=True)
    q = start_round(tmp_path, [0.8, 0.8], controls, clock, questions=2)
    seen: list[Event] = []
    answering(q, seen, clock)
    clock.advance(0.8)
    until(q, AnswerFinished, seen)
    wait_until(lambda: controls.waiting_in is Stage.REVIEW, "the hold after the verdict")
    # Held: everything the engine did before the hold has been emitted, and the next
    # question is not among it.
    emitted(q, seen)
    assert [e.turn for e in seen if isinstance(e, QuestionAsked)] == [1]
    assert controls.talk()
    assert until(q, QuestionAsked, seen).turn == 2
    answering(q, seen, clock)
    controls.end()
    clock.advance(FRAME_S)
    ended = [e for e in rest(q, seen) if isinstance(e, SessionEnded)]
    assert ended[-1].status == "cancelled"


def test_the_answer_key_cuts_the_question_short_and_repeat_says_it_again(tmp_path, clock):
    cut_short: list[bool] = []

    def player(path: Path, stop: threading.Event) -> None:
        # The prompt goes on until it is cut short (the timeout only ends a broken test);
        # the opening and closing remarks end at once.
        if path.name == "01-prompt.wav":
            cut_short.append(stop.wait(TIMEOUT_S))

    controls = RoundControls()
    q = start_round(tmp_path, [0.8], controls, clock, questions=1, player=player)
    seen: list[Event] = []
    until(q, QuestionAsked, seen)
    wait_until(lambda: controls.stage is Stage.SPEAKING, "the prompt")
    assert controls.repeat()
    assert until(q, ControlUsed, seen).action == "repeat"
    wait_until(lambda: controls.stage is Stage.SPEAKING, "the prompt said again")
    assert controls.talk()
    answering(q, seen, clock)
    clock.advance(0.8)
    rest(q, seen)
    assert cut_short == [True, True], "the prompt was said twice, and cut short both times"


@pytest.mark.parametrize("method", ["repeat", "talk"])
def test_keys_that_mean_nothing_now_say_so(method):
    controls = RoundControls()
    assert getattr(controls, method)() is False  # nothing is being asked or recorded
