"""The round's controls (answer key, repeat, skip, pause, end, practice review), driven from
another thread while the engine runs, as the app does. A scripted transcriber keeps these
quick; the real one is exercised by the round and app tests."""

from __future__ import annotations

import queue
import threading
import time
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
from simulator.engine.parts import ListenOptions, RoundParts
from simulator.personas import load_persona
from simulator.speech.stt import SttInfo, Transcript, Word
from simulator.speech.tts import VoiceSettings

SAID = "I would split the documents into chunks with some overlap and embed each chunk"


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
        time.sleep(0.05)
        words = [Word(w, 0.1 * i, 0.1 * i + 0.08, 0.9) for i, w in enumerate(SAID.split())]
        return Transcript(SAID, words, False, SAID)


def tone_file(path: Path, seconds: float) -> None:
    t = np.arange(int(16000 * seconds)) / 16000
    sf.write(str(path), (0.3 * np.sin(2 * np.pi * 220 * t)).astype("float32"), 16000)


def start_round(tmp_path: Path, files: list[float], controls: RoundControls,
                questions: int = 2, player=None) -> queue.Queue[Event | None]:  # type: ignore[no-untyped-def]
    answers = tmp_path / "answers"
    answers.mkdir()
    for i, seconds in enumerate(files, 1):
        tone_file(answers / f"{i:02d}.wav", seconds)
    sdir = tmp_path / "session"
    (sdir / "audio").mkdir(parents=True)
    bank = load_bank("starter")
    listen = ListenOptions(silence_s=0.6, partial_every_s=0.5)
    parts = RoundParts(
        session_id="s", session_dir=sdir, bank_label="starter",
        questions=bank.questions[:questions], persona=load_persona("coach"),
        synthesizer=QuickSynth(), transcriber=ScriptedStt(),
        policy=OfflinePolicy(max_follow_ups=0), answers=FolderAnswers(
            answers, listen.frame_len, realtime=True), listen=listen, seed=1, player=player)
    interview = Interview(parts, controls=controls)
    out: queue.Queue[Event | None] = queue.Queue()

    def run() -> None:
        for e in interview.run():
            out.put(e)
        out.put(None)

    threading.Thread(target=run, daemon=True).start()
    return out


def until(q: queue.Queue[Event | None], kind: type[Event], seen: list[Event],
          timeout: float = 20.0) -> Event:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        e = q.get(timeout=deadline - time.monotonic())
        if e is None:
            raise AssertionError(f"round ended before {kind.__name__}: {seen}")
        seen.append(e)
        if isinstance(e, kind):
            return e
    raise AssertionError(f"no {kind.__name__}")


def rest(q: queue.Queue[Event | None], seen: list[Event]) -> list[Event]:
    while (e := q.get(timeout=20)) is not None:
        seen.append(e)
    return seen


def test_push_to_talk_waits_for_the_key_and_ends_on_it(tmp_path):
    ScriptedStt.drafts.clear()
    controls = RoundControls(push_to_talk=True)
    q = start_round(tmp_path, [6.0, 6.0], controls, questions=1)
    seen: list[Event] = []
    until(q, AwaitingAnswer, seen)
    time.sleep(0.3)
    assert not any(isinstance(e, AnswerStarted) for e in seen)
    assert controls.stage is Stage.WAITING and controls.talk()
    until(q, AnswerStarted, seen)
    time.sleep(1.6)  # long past the 0.6 s silence window: push-to-talk ignores silence
    assert controls.talk()
    stopped = until(q, AnswerStopped, seen)
    assert stopped.end_reason == "key"
    finished = until(q, AnswerFinished, seen)
    assert finished.end_reason == "key" and 1.2 < finished.duration_s < 3.5
    assert finished.transcript == SAID
    assert any(isinstance(e, PartialTranscript) for e in seen)
    # The live views are drafts (no second reading); the final transcript is not.
    assert True in ScriptedStt.drafts and False in ScriptedStt.drafts
    rest(q, seen)


def test_repeat_discards_the_answer_and_listens_again(tmp_path):
    controls = RoundControls()
    q = start_round(tmp_path, [3.0, 0.8], controls, questions=1)
    seen: list[Event] = []
    until(q, AnswerStarted, seen)
    time.sleep(0.5)
    assert controls.repeat()
    used = until(q, ControlUsed, seen)
    assert used.action == "repeat"
    until(q, AnswerStarted, seen)
    events = rest(q, seen)
    finished = [e for e in events if isinstance(e, AnswerFinished)]
    assert [e.turn for e in finished] == [1], "the discarded answer is not recorded"
    assert sum(isinstance(e, AnswerStarted) for e in events) == 2


def test_skip_moves_to_the_next_question(tmp_path):
    controls = RoundControls()
    q = start_round(tmp_path, [5.0, 0.8], controls, questions=2)
    seen: list[Event] = []
    first = until(q, QuestionAsked, seen)
    until(q, AnswerStarted, seen)
    time.sleep(0.4)
    assert controls.skip()
    assert until(q, ControlUsed, seen).action == "skip"
    second = until(q, QuestionAsked, seen)
    assert second.question_id != first.question_id and second.kind == "question"
    events = rest(q, seen)
    assert [e.turn for e in events if isinstance(e, AnswerFinished)] == [second.turn]
    assert events[-1].status == "complete"


def test_pause_stops_the_answer_clock_and_is_recorded(tmp_path):
    controls = RoundControls(push_to_talk=True)
    q = start_round(tmp_path, [8.0], controls, questions=1)
    seen: list[Event] = []
    until(q, AwaitingAnswer, seen)
    controls.talk()
    until(q, AnswerStarted, seen)
    time.sleep(0.6)
    assert controls.toggle_pause() is True
    assert controls.talk() is False, "the answer key does nothing while paused"
    time.sleep(1.0)
    assert controls.toggle_pause() is False
    time.sleep(0.5)
    controls.talk()
    finished = until(q, AnswerFinished, seen)
    actions = [e.action for e in seen if isinstance(e, ControlUsed)]
    assert actions == ["pause", "resume"]
    # About 1.1 s of the answer was heard; the paused second is not in the recording.
    assert 0.7 < finished.duration_s < 1.9
    rest(q, seen)


def test_practice_review_holds_until_the_key_and_end_cancels(tmp_path):
    controls = RoundControls(review=True)
    q = start_round(tmp_path, [0.8, 0.8], controls, questions=2)
    seen: list[Event] = []
    until(q, AnswerFinished, seen)
    deadline = time.monotonic() + 5
    while controls.stage is not Stage.REVIEW and time.monotonic() < deadline:
        time.sleep(0.02)
    assert controls.stage is Stage.REVIEW
    time.sleep(0.3)
    assert q.empty() or not isinstance(q.queue[-1], QuestionAsked)
    assert controls.talk()
    until(q, QuestionAsked, seen)
    controls.end()
    ended = [e for e in rest(q, seen) if isinstance(e, SessionEnded)]
    assert ended[-1].status == "cancelled"


def test_the_answer_key_cuts_the_question_short_and_repeat_says_it_again(tmp_path):
    played: list[tuple[str, float]] = []

    def player(path: Path, stop: threading.Event) -> None:
        t0 = time.monotonic()
        stop.wait(3.0)  # a long prompt, unless interrupted
        played.append((path.name, time.monotonic() - t0))

    controls = RoundControls()
    q = start_round(tmp_path, [0.8], controls, questions=1, player=player)
    seen: list[Event] = []
    until(q, QuestionAsked, seen)
    deadline = time.monotonic() + 5
    while controls.stage is not Stage.SPEAKING and time.monotonic() < deadline:
        time.sleep(0.02)
    assert controls.repeat()
    assert until(q, ControlUsed, seen).action == "repeat"
    while controls.stage is not Stage.SPEAKING and time.monotonic() < deadline:
        time.sleep(0.02)
    assert controls.talk()
    until(q, AnswerStarted, seen)
    rest(q, seen)
    prompts = [(n, s) for n, s in played if n == "01-prompt.wav"]
    assert len(prompts) == 2 and all(s < 2.0 for _, s in prompts)


@pytest.mark.parametrize("method", ["repeat", "talk"])
def test_keys_that_mean_nothing_now_say_so(method):
    controls = RoundControls()
    assert getattr(controls, method)() is False  # nothing is being asked or recorded
