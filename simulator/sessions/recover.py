"""An interrupted round made whole.

A round stopped by kill -9, a power cut, a signal, Ctrl-C or a full disk keeps the
answer it was recording (its audio, synced every half second, and its live drafts),
but no AnswerFinished: replay and report would leave it out. Recovering hears that
audio as the engine hears an answer, judges and measures it, and appends the events
the engine would have written, so the answer is a turn like any other.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from simulator.assess.policy import Exchange
from simulator.audio.endpoint import EndReason
from simulator.audio.sources import AnswerSource, read_audio
from simulator.audio.wavwriter import repair_header, samples_on_disk
from simulator.banks.model import FollowUp, Question
from simulator.engine.answering import AnswerRecorder, finished_event
from simulator.engine.answers import TurnInfo
from simulator.engine.controls import RoundControls
from simulator.engine.events import (
    AnswerFinished,
    AnswerStarted,
    Assessed,
    Control,
    ControlUsed,
    Event,
    Notice,
    QuestionAsked,
    SessionEnded,
    SessionStatus,
    TranscriptCorrected,
    TurnKind,
)
from simulator.engine.interview import judgement_events
from simulator.engine.parts import RoundParts
from simulator.engine.reading import ReaderSettings, read_span
from simulator.errors import UserError
from simulator.sessions.checks import inside
from simulator.sessions.store import (
    EVENTS,
    StoredSession,
    append_events,
    last_round,
    make_private,
    save_manifest,
)
from simulator.speech.hearing import hear

#: Where the engine records a turn's answer (engine/answering.py names it so).
ANSWER_AUDIO = "audio/{turn:02d}-answer.wav"
#: The manifest's status once a session was recovered.
RECOVERED = "recovered"
#: How the SessionEnded that recovering writes says so.
BY_RECOVERING = "by `interview sessions --recover`"


@dataclass(frozen=True)
class Unjudged:
    """The answer an interrupted round was recording, never judged."""

    turn: int
    question_id: str
    audio: str
    """Its recording, relative to the session folder."""
    audio_s: float
    """How much of it is on disk."""
    finished: AnswerFinished | None = None
    """Its transcript, when the round got that far before it stopped."""


def ended(session: StoredSession) -> bool:
    """Did the session's last round say how it ended? (A retry's round follows an ended
    one, so an earlier round's end says nothing about it.)"""
    return any(isinstance(e, SessionEnded) for e in last_round(session.events))


def unjudged(session: StoredSession) -> Unjudged | None:
    """The last turn's answer when it was recorded (audio on disk) but never judged."""
    asked = next((e for e in reversed(session.events) if isinstance(e, QuestionAsked)), None)
    if asked is None:
        return None
    mine = [e for e in session.events if getattr(e, "turn", None) == asked.turn]
    if any(isinstance(e, Assessed) for e in mine):
        return None
    finished = next((e for e in reversed(mine) if isinstance(e, AnswerFinished)), None)
    if finished is not None:
        return Unjudged(asked.turn, asked.question_id, finished.audio, finished.duration_s,
                        finished)
    started = [i for i, e in enumerate(mine) if isinstance(e, AnswerStarted)]
    dropped = [i for i, e in enumerate(mine) if isinstance(e, ControlUsed)
               and e.action in (Control.REPEAT, Control.SKIP)]
    if not started or (dropped and dropped[-1] > started[-1]):
        return None  # no answer begun, or the last one was discarded for a repeat or skip
    audio = ANSWER_AUDIO.format(turn=asked.turn)
    path = inside(session.dir, audio)
    found = samples_on_disk(path) if path is not None and path.is_file() else None
    if found is None or not found[1]:
        return None
    return Unjudged(asked.turn, asked.question_id, audio, round(found[0] / found[1], 1))


def needs_recovery(session: StoredSession) -> bool:
    """Interrupted: an answer recorded and never judged, a round that never said how it
    ended, or a manifest the round could not update as it ended."""
    return (unjudged(session) is not None or not ended(session)
            or session.manifest.get("status") in ("recording", "interrupted"))


@dataclass(frozen=True)
class Recovered:
    """What recovering a session did."""

    turn: int | None
    """The turn made whole; None when the round stopped with no answer under way."""
    audio_s: float
    transcript: str
    coverage: float | None
    status: str = RECOVERED
    """What the manifest says now."""


class NoAnswers:
    """The answers of a recovery's RoundParts: it records nothing, the answer is on disk."""

    label = "recovered"

    def next_answer(self, turn: TurnInfo) -> AnswerSource | None:
        return None

    def close(self) -> None:
        pass


def recover(session: StoredSession, parts: RoundParts) -> Recovered | None:
    """Judge the answer an interrupted session was recording and close the session, with
    the events the engine writes. None when there is nothing to do (already whole).

    ``parts`` is the round's make-up for this session (its questions, transcriber,
    judge, glossary and vocabulary), as the caller builds it from the settings.
    """
    if not needs_recovery(session):
        return None
    cut = unjudged(session)
    t = session.events[-1].t
    added: list[Event] = []
    result = Recovered(None, 0.0, "", None)
    if cut is not None:
        question = _question(session, parts, cut.question_id)
        finished = cut.finished or _heard(session, parts, question, cut, t)
        if cut.finished is None:
            added.append(finished)
        transcript = _transcript(session, finished)
        judged_events, coverage = _judged(session, parts, question, cut.turn, transcript, t)
        added += [*judged_events, Notice(t, f"turn {cut.turn}: recovered from its audio "
                                            "after the round was interrupted")]
        result = Recovered(cut.turn, finished.duration_s, transcript, coverage)
    if added or not ended(session):
        added.append(_ending(session, t, result.turn))
    last = next(e for e in reversed([*session.events, *added]) if isinstance(e, SessionEnded))
    done = bool(added) or BY_RECOVERING in (last.error or "")  # a manifest left stale before
    manifest = {**session.manifest, "status": RECOVERED if done else last.status.value,
                "turns": max((e.turn for e in session.events if isinstance(e, QuestionAsked)),
                             default=0),
                "recovered": datetime.now(UTC).isoformat(timespec="seconds")}
    manifest.setdefault("ended", manifest["recovered"])
    result = replace(result, status=manifest["status"])
    try:
        append_events(session.dir, added)
        save_manifest(session.dir, manifest)
    except OSError as exc:
        raise UserError(f"cannot write it ({exc.strerror or exc}); free some space or "
                        "make the folder writable, then recover again",
                        path=exc.filename or session.dir) from None
    return result


def _question(session: StoredSession, parts: RoundParts, question_id: str) -> Question:
    found = next((q for q in parts.questions if q.id == question_id), None)
    if found is None:
        raise UserError(f"asks question {question_id!r}, which none of the banks here has; "
                        "put the bank it came from in bank/ (or pass its file with --bank) "
                        "and recover again", path=session.dir / EVENTS)
    return found


def _heard(session: StoredSession, parts: RoundParts, question: Question, cut: Unjudged,
           t: float) -> AnswerFinished:
    """The cut-off answer heard from its audio, as the engine hears a finished one."""
    path = session.dir / cut.audio
    with contextlib.suppress(OSError):  # read-only: the header's count is heard instead
        repair_header(path)  # the last half second the header had not counted yet
    audio = read_audio(path)
    listening = _recorder(parts).listening(question)
    reading = read_span(parts.transcriber, ReaderSettings(listening.vocabulary.bias or None),
                        audio, 0)
    make_private(path)
    return finished_event(t, cut.turn, cut.audio, audio, EndReason.CANCELLED,
                          hear(reading, listening), question.budget_s, parts.delivery)


def _recorder(parts: RoundParts) -> AnswerRecorder:
    """The engine's recorder, for how it listens to a question's answer; it records
    nothing here."""
    def render(_text: str, _name: str) -> Path:
        raise AssertionError("recovering says nothing")

    def play(_path: Path) -> None:
        raise AssertionError("recovering plays nothing")

    return AnswerRecorder(parts, RoundControls(), lambda: 0.0, render, play)


def _transcript(session: StoredSession, finished: AnswerFinished) -> str:
    """The answer's text as the judge reads it: the candidate's own corrections win."""
    fixed = [e for e in session.events
             if isinstance(e, TranscriptCorrected) and e.turn == finished.turn]
    return fixed[-1].transcript if fixed else finished.transcript


def _judged(session: StoredSession, parts: RoundParts, question: Question, turn: int,
            transcript: str, t: float) -> tuple[list[Event], float]:
    """Assessed and Decided for the answer, judged with the question's thread so far,
    as the engine judges (engine/interview.py)."""
    thread, asked = _thread(session, question, turn)
    thread.append(Exchange(_prompt(session, turn), transcript))
    judged = parts.policy.judge(question, thread, asked)
    return judgement_events(t, turn, question.id, judged), judged.assessment.coverage


def _prompt(session: StoredSession, turn: int) -> str:
    return next(e.prompt for e in session.events
                if isinstance(e, QuestionAsked) and e.turn == turn)


def _thread(session: StoredSession, question: Question, turn: int
            ) -> tuple[list[Exchange], list[FollowUp]]:
    """The exchanges on ``question`` before ``turn`` (its last run of turns: the attempt
    ``turn`` belongs to), and the follow-ups asked in it, ``turn``'s own included."""
    run: list[QuestionAsked] = []  # a question's turns follow one another
    for e in session.events:
        if isinstance(e, QuestionAsked) and e.turn <= turn:
            same = e.question_id == question.id and (not run or run[-1].attempt == e.attempt)
            run = [*run, e] if same else [e] if e.question_id == question.id else []
    answers = {e.turn: _transcript(session, e) for e in session.events
               if isinstance(e, AnswerFinished)}
    thread = [Exchange(e.prompt, answers[e.turn]) for e in run
              if e.turn != turn and e.turn in answers]
    by_target = {f.target: f for f in question.follow_ups}
    asked = [by_target[e.target_point] for e in run
             if e.kind is TurnKind.FOLLOW_UP and e.target_point in by_target]
    return thread, asked


def _ending(session: StoredSession, t: float, turn: int | None) -> SessionEnded:
    """How the round ended, said now: as it said itself, or cancelled when it never did."""
    before = next((e for e in reversed(last_round(session.events))
                   if isinstance(e, SessionEnded)), None)
    turns = max((e.turn for e in session.events if isinstance(e, QuestionAsked)), default=0)
    what = (f"turn {turn} recovered from its audio" if turn is not None
            else "no answer was being recorded")
    why = before.error if before is not None and before.error else "interrupted"
    status = before.status if before is not None else SessionStatus.CANCELLED
    return SessionEnded(t, status, turns, error=f"{why}; {what} {BY_RECOVERING}")


def session_state(session: StoredSession) -> tuple[str, float]:
    """How a session stands, as listings show it, and the seconds of answer audio it holds
    unjudged: 'recording' while a round writes it, 'interrupted' when it stopped before
    its last answer was judged or before it said how it ended."""
    from simulator.sessions.store import is_recording

    if is_recording(session.dir):
        return "recording", 0.0
    cut = unjudged(session)
    if needs_recovery(session):
        return "interrupted", cut.audio_s if cut else 0.0
    return str(session.manifest.get("status", "?")), 0.0
