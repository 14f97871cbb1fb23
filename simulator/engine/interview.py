"""The interviewer loop: ask, listen, hear, judge, follow up or move on.

``Interview.run()`` is a generator of events; it knows nothing of screens.
Blocking work (rendering speech, playing it, recording, transcribing) runs
in the caller's thread, so a UI runs the generator in a worker.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Generator, Iterator
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
from simulator.engine.speaking import Playing
from simulator.engine.turn_clock import TurnClock, TurnTime


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
    """What came of asking one prompt: the answer, when there was one, and the reply
    already begun to it."""

    outcome: Outcome
    answer: Answer | None = None
    reply: Reply | None = None


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


@dataclass(frozen=True)
class Reply:
    """The interviewer's next step after an answer, decided and begun while the candidate
    may still take the turn back (``audio.resume_s``); withdrawn if they do."""

    judged: Judgement
    prompt: Prompt | None
    """What is asked next; None: the round closes."""
    path: Path
    """Its speech, rendered."""
    playing: Playing
    timed: TurnTime | None
    """The answer's wait for it, measured when it was ready."""
    said: str
    """The transition phrase it used, not to be repeated next."""

    def withdraw(self) -> None:
        self.playing.stop()


Replier = Callable[[Answer, threading.Event], Reply]


def judgement_events(t: float, turn: int, question_id: str, judged: Judgement) -> list[Event]:
    """The events that record an answer's verdict and what the interviewer does next."""
    a, f = judged.assessment, judged.follow_up
    events: list[Event] = [Assessed(t, turn, question_id,
                                    [PointResult(**asdict(v)) for v in a.points], a.coverage)]
    if judged.fallback:
        events.append(Notice(t, f"turn {turn}: {judged.fallback}; "
                                "the offline policy judged this answer"))
    events.append(Decided(t, turn, question_id, Decision.FOLLOW_UP if f else Decision.MOVE_ON,
                          f.target if f else None, judged.reason, judged.policy,
                          judged.fallback, judged.usage))
    return events


class Interview:
    def __init__(self, parts: RoundParts, cancel: threading.Event | None = None,
                 controls: RoundControls | None = None):
        self.p = parts
        #: What the candidate asks for while the round runs (answer key, repeat, skip, ...).
        self.controls = controls or RoundControls(cancel=cancel)
        self.cancel = self.controls.cancel
        # A round continuing a session (a retry) goes on from its last time and turn.
        self._t0 = time.monotonic() - parts.so_far.elapsed_s
        self._rng = random.Random(parts.seed)
        self._said = ""  # the last transition phrase, not to be repeated next
        self._turns = parts.so_far.turns
        self._clock = TurnClock()
        #: A reply begun to the last answer that asks the next question or closes the round.
        self._begun: Reply | None = None
        self._recorder = AnswerRecorder(parts, self.controls, self._t, self._render, self._play)
        #: Notices from assembling the round, emitted at its start.
        self.notices: list[str] = []

    def _t(self) -> float:
        return round(time.monotonic() - self._t0, 3)

    def _rel(self, path: Path) -> str:
        return str(path.relative_to(self.p.session_dir))

    def _render(self, text: str, name: str) -> Path:
        path = self.p.session_dir / "audio" / f"{self.p.so_far.audio_prefix}{name}"
        self.p.synthesizer.render(text, path, self.p.persona.voice_settings(self.p.rate_scale))
        return path

    def _play(self, path: Path, playing: Playing | None = None) -> None:
        """Say ``path``, or wait for ``playing`` (already saying it) to finish; either is
        cut short by the controls."""
        if self.cancel.is_set():
            if playing is not None:
                playing.stop()
            return
        if self.p.player is None:
            return
        stop = self.controls.enter(Stage.SPEAKING)
        try:
            if playing is not None:
                playing.wait(stop)
            else:
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
        try:
            yield from self._questions()
        finally:
            if self._begun is not None:  # a reply begun for a round that ended otherwise
                self._begun.withdraw()
            p.answers.close()  # the microphone, kept open from answer to answer

    def _questions(self) -> Iterator[Event]:
        """The opening, each question in turn, the closing; the session's end, however
        it comes."""
        p = self.p
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
        opening = self.p.persona.style.opening_for(len(self.p.questions))
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
        begun, self._begun = self._begun, None
        if begun is not None and begun.prompt is not None:
            begun.withdraw()  # the next question, begun; the round ends before it
            begun = None
        if begun is not None:
            path, playing = begun.path, begun.playing
            yield from self._timed(begun.timed)
        else:
            path, playing = self._render(closing, f"{self._turns + 1:02d}-closing.wav"), None
            yield from self._timed()
        yield InterviewerSaid(self._t(), RemarkKind.CLOSING, closing, self._rel(path))
        if status is SessionStatus.COMPLETE:
            self._play(path, playing)
        elif playing is not None:
            playing.stop()

    def _timed(self, begun: TurnTime | None = None) -> Iterator[Event]:
        """The last answer's wait, now that what follows it is ready (``begun``: measured
        when a reply begun early was ready)."""
        timed = begun or self._clock.prompt_ready()
        if timed is not None:
            yield TurnTimed(self._t(), timed.turn, timed.transcript_ms, timed.next_prompt_ms)

    def _question(self, qn: int, question: Question) -> Generator[Event, None, Outcome]:
        """Ask a question and its follow-ups until the interviewer moves on."""
        c = self.controls
        c.forget(Action.SKIP)  # one pressed since was meant for the last question
        started, self._begun = self._begun, None  # this question, begun after the last
        if started is not None and started.prompt is None:
            started.withdraw()  # a closing begun too soon: the round goes on
            started = None
        prompt, self._said = ((started.prompt, started.said) if started and started.prompt
                              else self._question_prompt(qn))
        asked: list[FollowUp] = []
        thread: list[Exchange] = []
        while True:
            if self.cancel.is_set() or c.take(Action.SKIP):  # pressed while judging
                if started is not None:
                    started.withdraw()
                if self.cancel.is_set():
                    return Outcome.CANCELLED
                yield ControlUsed(self._t(), self._turns, Control.SKIP)
                return Outcome.SKIPPED
            self._turns += 1
            got = yield from self._turn(self._turns, prompt, question, started,
                                        self._replier(qn, question, prompt, thread, asked))
            if got.answer is None:
                return got.outcome
            thread.append(Exchange(prompt.text, got.answer.heard.text))
            judged = yield from self._judge(question, got.answer, thread, asked, got.reply)
            if judged.follow_up is None:
                self._begun = got.reply  # the next question or the closing, begun
                return Outcome.ANSWERED
            asked.append(judged.follow_up)
            started = got.reply
            prompt, self._said = ((started.prompt, started.said) if started and started.prompt
                                  else self._follow_up_prompt(judged))

    def _question_prompt(self, qn: int) -> tuple[Prompt, str]:
        """The first prompt of question ``qn``, and the lead-in phrase it used."""
        lead = self.p.persona.next_question(self._rng, self._said) if qn > 0 else ""
        prompt = Prompt(TurnKind.QUESTION, f"{lead} {self.p.questions[qn].prompt}".strip())
        return prompt, lead or self._said

    def _follow_up_prompt(self, judged: Judgement) -> tuple[Prompt, str]:
        """The follow-up ``judged`` chose, and the transition phrase it used."""
        assert judged.follow_up is not None
        said = self.p.persona.transition(self._rng, self._said)
        prompt = Prompt(TurnKind.FOLLOW_UP,
                        f"{said} {judged.wording or judged.follow_up.prompt}".strip(),
                        judged.follow_up.target, judged.reason)
        return prompt, said

    def _replier(self, qn: int, question: Question, prompt: Prompt, thread: list[Exchange],
                 asked: list[FollowUp]) -> Replier | None:
        """How to begin the reply to an answer of ``prompt`` before it is settled; None
        where an answer's end is not the silence's to decide (push-to-talk), or where
        the next step waits for the candidate (practice's check and review)."""
        c = self.controls
        if c.push_to_talk or c.check or c.review or self.p.listen.resume_s <= 0:
            return None

        def reply(answer: Answer, withdrawn: threading.Event) -> Reply:
            judged = self._judgement(question, answer,
                                     [*thread, Exchange(prompt.text, answer.heard.text)], asked)
            self._clock.answered(answer.turn, answer.captured.ended_at,
                                 answer.captured.transcript_ms)
            if judged.follow_up is not None:
                after, said = self._follow_up_prompt(judged)
            elif qn + 1 < len(self.p.questions):
                after, said = self._question_prompt(qn + 1)
            else:
                after, said = None, self._said
            text = after.text if after else self.p.persona.style.closing
            kind = "prompt" if after else "closing"
            path = self._render(text, f"{answer.turn + 1:02d}-{kind}.wav")
            timed = self._clock.prompt_ready()
            player = None if self.cancel.is_set() else self.p.player
            playing = Playing(player, path, withdrawn, self._recorder.echo)
            return Reply(judged, after, path, playing, timed, said)

        return reply

    def _turn(self, turn: int, prompt: Prompt, question: Question, started: Reply | None,
              replier: Replier | None) -> Generator[Event, None, Asked]:
        """One prompt asked (or, ``started``, being asked already) and answered (and, in
        practice, the transcript checked)."""
        if started is not None:
            path = started.path
        else:
            path = self._render(prompt.text, f"{turn:02d}-prompt.wav")
        yield QuestionAsked(self._t(), turn, prompt.kind, question.id, prompt.text,
                            prompt.target, self._rel(path), question.budget_s, prompt.reason,
                            self.p.so_far.attempts.get(question.id, 0) + 1)
        yield from self._timed(started.timed if started else None)
        got = yield from self._ask(turn, prompt, question, path,
                                   started.playing if started else None, replier)
        if got.answer is None or not self.controls.check or self.cancel.is_set():
            return got
        return (yield from self._check(got.answer))

    def _judgement(self, question: Question, answer: Answer, thread: list[Exchange],
                   asked: list[FollowUp]) -> Judgement:
        """What the answer covered and what the interviewer does next."""
        judged = self.p.policy.judge(question, thread, asked)
        if judged.follow_up is not None and self._cut_in(answer):
            # At time the interviewer moves on, as a real one would.
            judged = replace(judged, follow_up=None, wording=None,
                             reason="time is up: the answer reached its budget, so the "
                                    "interviewer cut in and moved on")
        return judged

    def _judge(self, question: Question, answer: Answer, thread: list[Exchange],
               asked: list[FollowUp], reply: Reply | None
               ) -> Generator[Event, None, Judgement]:
        """The verdict on the answer and what the interviewer does next, told (``reply``:
        as decided when the reply to it was begun)."""
        turn = answer.turn
        if reply is not None:
            judged = reply.judged
        else:
            judged = self._judgement(question, answer, thread, asked)
            self._clock.answered(turn, answer.captured.ended_at, answer.captured.transcript_ms)
        yield from judgement_events(self._t(), turn, question.id, judged)
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

    def _ask(self, turn: int, prompt: Prompt, question: Question, path: Path,
             playing: Playing | None, replier: Replier | None
             ) -> Generator[Event, None, Asked]:
        """Speak the prompt (or let ``playing`` finish saying it) and record the answer,
        honouring repeat, skip and pause."""
        c = self.controls
        source: AnswerSource | None = None
        while True:
            if playing is not None and (c.paused or c.pending(Action.SKIP)):
                playing.stop()  # said again from the start on resuming
                playing = None
            yield from self._hold(turn)
            if not c.pending(Action.SKIP):
                self._play(path, playing)
            playing = None  # a repeat says it again from the file
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
            recorded = yield from self._recorder.record(turn, question, source, replier,
                                                        prompt.target)
            if recorded is not None:
                return Asked(Outcome.ANSWERED, *recorded)
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
