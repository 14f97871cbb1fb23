"""The interviewer loop: ask, listen, hear, judge, follow up or move on.

``Interview.run()`` is a generator of events; it knows nothing of screens.
Blocking work (rendering speech, playing it, recording, transcribing) runs
in the caller's thread, so a UI runs the generator in a worker.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass, replace
from enum import Enum, auto
from pathlib import Path

from simulator.assess.policy import Exchange, Judgement
from simulator.audio.endpoint import EndReason
from simulator.audio.sources import AnswerSource
from simulator.banks.model import FollowUp, Question
from simulator.engine.answering import Answer, AnswerRecorder
from simulator.engine.answers import TurnInfo
from simulator.engine.controls import Action, RoundControls, Stage
from simulator.engine.events import (
    Assessed,
    AwaitingAnswer,
    AwaitingCorrections,
    Control,
    ControlUsed,
    Decided,
    Decision,
    Event,
    InterviewerSaid,
    Notice,
    PointResult,
    QuestionAsked,
    RemarkKind,
    SessionEnded,
    SessionStarted,
    SessionStatus,
    SttSummary,
    TranscriptCorrected,
    TurnKind,
    TurnTimed,
)
from simulator.engine.parts import RoundParts
from simulator.engine.turn_clock import TurnClock


class Outcome(Enum):
    """How asking one prompt ended."""

    ANSWERED = auto()
    SKIPPED = auto()
    """The candidate left the question for the next one."""
    CANCELLED = auto()
    """The round was ended."""
    OUT_OF_ANSWERS = auto()
    """A scripted candidate has no more answers: the round ends."""


@dataclass(frozen=True)
class Asked:
    """What came of asking one prompt: the answer, when there was one."""

    outcome: Outcome
    answer: Answer | None = None


@dataclass(frozen=True)
class Prompt:
    """What the interviewer asks next about a question."""

    kind: TurnKind
    text: str
    """The whole text spoken, transition included."""
    target: str | None = None
    """The rubric point a follow-up probes."""
    reason: str | None = None
    """Why this follow-up was chosen."""


class Interview:
    def __init__(self, parts: RoundParts, cancel: threading.Event | None = None,
                 controls: RoundControls | None = None):
        self.p = parts
        #: What the candidate asks for while the round runs (answer key, repeat, skip, ...).
        self.controls = controls or RoundControls(cancel=cancel)
        self.cancel = self.controls.cancel
        self._t0 = time.monotonic()
        self._rng = random.Random(parts.seed)
        self._said = ""  # the last transition phrase, not to be repeated next
        self._turns = 0
        self._clock = TurnClock()
        self._recorder = AnswerRecorder(parts, self.controls, self._t, self._render, self._play)
        #: Notices from assembling the round, emitted at its start.
        self.notices: list[str] = []

    def _t(self) -> float:
        return round(time.monotonic() - self._t0, 3)

    def _rel(self, path: Path) -> str:
        return str(path.relative_to(self.p.session_dir))

    def _render(self, text: str, name: str) -> Path:
        path = self.p.session_dir / "audio" / name
        self.p.synthesizer.render(text, path, self.p.persona.voice_settings(self.p.rate_scale))
        return path

    def _play(self, path: Path) -> None:
        if self.p.player is None or self.cancel.is_set():
            return
        stop = self.controls.enter(Stage.SPEAKING)
        try:
            self.p.player(path, stop)
        finally:
            self.controls.enter(Stage.WORKING)

    def _warm_up(self) -> None:
        """Load the model (and the LLM client) while the opening is spoken."""
        try:
            self.p.transcriber.load()
            if self.p.turn_model is not None:
                self.p.turn_model.load()
            self.p.policy.warm_up()
        except Exception:  # surfaced by the load() calls in the round's thread
            pass

    def run(self) -> Iterator[Event]:
        p = self.p
        info = p.transcriber.info
        yield SessionStarted(
            self._t(), p.session_id, p.bank_label, p.persona.id, p.policy.name,
            SttSummary(info.model, info.device, info.compute_type),
            [q.id for q in p.questions], p.answers.label,
        )
        for notice in [*info.notices, *self.notices]:
            yield Notice(self._t(), notice)
        status = SessionStatus.COMPLETE
        try:
            yield from self._open()
            for qn, question in enumerate(p.questions):
                outcome = yield from self._question(qn, question)
                if outcome is Outcome.CANCELLED:
                    status = SessionStatus.CANCELLED
                if outcome in (Outcome.CANCELLED, Outcome.OUT_OF_ANSWERS):
                    break
            if self.cancel.is_set():
                status = SessionStatus.CANCELLED  # ended during the last answer
            yield from self._close(status)
        except GeneratorExit:
            raise  # the consumer stopped iterating; nothing more may be yielded
        except BaseException as exc:
            ended = (SessionStatus.CANCELLED if isinstance(exc, KeyboardInterrupt)
                     else SessionStatus.FAILED)
            yield SessionEnded(self._t(), ended, self._turns, error=str(exc) or type(exc).__name__)
            raise
        yield SessionEnded(self._t(), status, self._turns)

    def _open(self) -> Iterator[Event]:
        """Say the opening while the model loads."""
        loader = threading.Thread(target=self._warm_up, daemon=True)
        loader.start()
        opening = self.p.persona.style.opening.format(count=len(self.p.questions))
        path = self._render(opening, "00-opening.wav")
        yield InterviewerSaid(self._t(), RemarkKind.OPENING, opening, self._rel(path))
        self._play(path)
        self.controls.forget(Action.TALK, Action.REPEAT, Action.SKIP)  # they cut it short
        loader.join()
        self.p.transcriber.load()  # surfaces a load error here, in the round's thread
        if self.p.turn_model is not None:
            self.p.turn_model.load()

    def _close(self, status: SessionStatus) -> Iterator[Event]:
        closing = self.p.persona.style.closing
        path = self._render(closing, f"{self._turns + 1:02d}-closing.wav")
        yield from self._timed()
        yield InterviewerSaid(self._t(), RemarkKind.CLOSING, closing, self._rel(path))
        if status is SessionStatus.COMPLETE:
            self._play(path)

    def _timed(self) -> Iterator[Event]:
        """The last answer's wait, now that what follows it is ready."""
        timed = self._clock.prompt_ready()
        if timed is not None:
            yield TurnTimed(self._t(), timed.turn, timed.transcript_ms, timed.next_prompt_ms)

    def _question(self, qn: int, question: Question) -> Generator[Event, None, Outcome]:
        """Ask a question and its follow-ups until the interviewer moves on."""
        c = self.controls
        c.forget(Action.SKIP)  # one pressed since was meant for the last question
        lead = self.p.persona.next_question(self._rng, self._said) if qn > 0 else ""
        self._said = lead or self._said
        prompt = Prompt(TurnKind.QUESTION, f"{lead} {question.prompt}".strip())
        asked: list[FollowUp] = []
        thread: list[Exchange] = []
        while True:
            if self.cancel.is_set():
                return Outcome.CANCELLED
            if c.take(Action.SKIP):  # pressed while the answer was judged
                yield ControlUsed(self._t(), self._turns, Control.SKIP)
                return Outcome.SKIPPED
            self._turns += 1
            got = yield from self._turn(self._turns, prompt, question)
            if got.answer is None:
                return got.outcome
            thread.append(Exchange(prompt.text, got.answer.heard.text))
            judged = yield from self._judge(question, got.answer, thread, asked)
            if judged.follow_up is None:
                return Outcome.ANSWERED
            asked.append(judged.follow_up)
            self._said = self.p.persona.transition(self._rng, self._said)
            prompt = Prompt(TurnKind.FOLLOW_UP,
                            f"{self._said} {judged.wording or judged.follow_up.prompt}".strip(),
                            judged.follow_up.target, judged.reason)

    def _turn(self, turn: int, prompt: Prompt, question: Question
              ) -> Generator[Event, None, Asked]:
        """One prompt asked and answered (and, in practice, the transcript checked)."""
        path = self._render(prompt.text, f"{turn:02d}-prompt.wav")
        yield QuestionAsked(self._t(), turn, prompt.kind, question.id, prompt.text,
                            prompt.target, self._rel(path), question.budget_s, prompt.reason)
        yield from self._timed()
        got = yield from self._ask(turn, prompt, question, path)
        if got.answer is None or not self.controls.check or self.cancel.is_set():
            return got
        return (yield from self._check(got.answer))

    def _judge(self, question: Question, answer: Answer, thread: list[Exchange],
               asked: list[FollowUp]) -> Generator[Event, None, Judgement]:
        """What the answer covered and what the interviewer does next."""
        p, turn = self.p, answer.turn
        judged = p.policy.judge(question, thread, asked)
        a = judged.assessment
        yield Assessed(self._t(), turn, question.id,
                       [PointResult(**asdict(v)) for v in a.points], a.coverage)
        if judged.follow_up is not None and self._cut_in(answer):
            # At time the interviewer moves on, as a real one would.
            judged = replace(judged, follow_up=None, wording=None,
                             reason="time is up: the answer reached its budget, so the "
                                    "interviewer cut in and moved on")
        if judged.fallback:
            yield Notice(self._t(), f"turn {turn}: {judged.fallback}; "
                                    "the offline policy judged this answer")
        f = judged.follow_up
        yield Decided(self._t(), turn, question.id,
                      Decision.FOLLOW_UP if f else Decision.MOVE_ON, f.target if f else None,
                      judged.reason, judged.policy, judged.fallback, judged.usage)
        self._clock.answered(turn, answer.captured.ended_at, answer.captured.transcript_ms)
        if self.controls.review and not self.cancel.is_set():
            # Practice: the verdict is on screen; go on when the candidate is (the time
            # they take is theirs, not the interviewer's).
            release = self._clock.hold()
            got = self.controls.wait_for(Stage.REVIEW, {Action.TALK, Action.SKIP})
            self.controls.enter(Stage.WORKING)
            if got is Action.TALK:
                self.controls.take(Action.TALK)
            release()
        return judged

    def _cut_in(self, answer: Answer) -> bool:
        """The interviewer stopped this answer at its budget (timing 'cut_in')."""
        return (self.p.timing == "cut_in"
                and answer.captured.end_reason is EndReason.TIME_LIMIT)

    def _await_key(self, stage: Stage, actions: set[Action], turn: int
                   ) -> Generator[Event, None, Action | None]:
        """Wait in ``stage`` for one of ``actions``, then back to work; a skip or a repeat
        is recorded. None when the round was cancelled meanwhile."""
        c = self.controls
        got = c.wait_for(stage, actions)
        c.enter(Stage.WORKING)
        if got is not None:
            c.take(got)
            if got is not Action.TALK:
                yield ControlUsed(self._t(), turn, Control(got.value))
        return got

    def _check(self, answer: Answer) -> Generator[Event, None, Asked]:
        """Practice: hold the transcript so misheard words can be corrected before judging."""
        if answer.heard.silent:
            return Asked(Outcome.ANSWERED, answer)
        c = self.controls
        c.enter(Stage.CHECK)  # before the event, so a front end may correct at once
        yield AwaitingCorrections(self._t(), answer.turn, list(answer.heard.unsure))
        got = yield from self._await_key(Stage.CHECK, {Action.TALK, Action.SKIP}, answer.turn)
        fixes = c.take_corrections()  # taken once no more are accepted
        if got is None:
            return Asked(Outcome.CANCELLED)
        if got is Action.SKIP:
            return Asked(Outcome.SKIPPED)
        if fixes:
            heard, done, missing = answer.heard.corrected_by(fixes)
            answer = replace(answer, heard=heard)
            yield TranscriptCorrected(self._t(), answer.turn, done, heard.text, missing)
        return Asked(Outcome.ANSWERED, answer)

    def _hold(self, turn: int) -> Iterator[Event]:
        """While the round is paused, wait here (the pause and resume are recorded)."""
        if not self.controls.paused:
            return
        yield ControlUsed(self._t(), turn, Control.PAUSE)
        self.controls.hold_while_paused()
        if not self.cancel.is_set():
            yield ControlUsed(self._t(), turn, Control.RESUME)

    def _ask(self, turn: int, prompt: Prompt, question: Question, path: Path
             ) -> Generator[Event, None, Asked]:
        """Speak the prompt and record the answer, honouring repeat, skip and pause."""
        c = self.controls
        source: AnswerSource | None = None
        while True:
            yield from self._hold(turn)
            if not c.pending(Action.SKIP):
                self._play(path)
            if self.cancel.is_set():
                return Asked(Outcome.CANCELLED)
            if c.take(Action.SKIP):
                yield ControlUsed(self._t(), turn, Control.SKIP)
                return Asked(Outcome.SKIPPED)
            if c.paused:
                continue  # said again on resuming
            if c.take(Action.REPEAT):
                yield ControlUsed(self._t(), turn, Control.REPEAT)
                continue
            if source is None:
                source = self.p.answers.next_answer(
                    TurnInfo(turn, prompt.kind, question.id, prompt.target))
                if source is None:
                    return Asked(Outcome.OUT_OF_ANSWERS)
            key = yield from self._answer_key(turn)
            if key is None:
                return Asked(Outcome.CANCELLED)
            if key is Action.SKIP:
                return Asked(Outcome.SKIPPED)
            if key is Action.REPEAT:
                continue
            answer = yield from self._recorder.record(turn, question, source)
            if answer is not None:
                return Asked(Outcome.ANSWERED, answer)
            if c.take(Action.SKIP):  # the answer was discarded: for a skip or a repeat
                yield ControlUsed(self._t(), turn, Control.SKIP)
                return Asked(Outcome.SKIPPED)
            c.take(Action.REPEAT)
            yield ControlUsed(self._t(), turn, Control.REPEAT)

    def _answer_key(self, turn: int) -> Generator[Event, None, Action | None]:
        """Push-to-talk: wait for the answer key (TALK), a repeat or a skip; None when the
        round was cancelled meanwhile. Otherwise the answer starts at once (TALK)."""
        c = self.controls
        if not c.push_to_talk or c.take(Action.TALK):
            c.forget(Action.TALK)  # the key that cut the prompt short
            return Action.TALK
        yield AwaitingAnswer(self._t(), turn)
        return (yield from self._await_key(
            Stage.WAITING, {Action.TALK, Action.REPEAT, Action.SKIP}, turn))
