"""Every message the app's workers post to its screens.

Workers run in threads and talk to the screen only through these
(``post_message`` is thread-safe). The round worker posts one message per
engine event (``for_event``); the high-rate ones, the input level and the
partial transcript, replace a queued one of their kind, so a busy screen never
falls behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

from simulator.engine import events as ev

if TYPE_CHECKING:
    from simulator.config import Settings
    from simulator.tui.catalog import Catalog, SessionRow, StatusItem
    from simulator.tui.replay_model import ReplayItem

# -- app start ------------------------------------------------------------------


@dataclass
class SettingsLoaded(Message):
    """The configuration was read (or failed: ``error``)."""

    settings: Settings | None
    error: str | None = None


@dataclass
class CatalogLoaded(Message):
    """Banks, topics, roles and personas, read off the UI thread."""

    catalog: Catalog


@dataclass
class StatusChecked(Message):
    """The microphone, speaker, Whisper model and follow-up policy, checked."""

    items: list[StatusItem]


# -- the round --------------------------------------------------------------------


@dataclass
class RoundPhase(Message):
    """What the round is doing or waiting for, in words."""

    text: str


@dataclass
class RoundPrepared(Message):
    """The session folder exists; the round is about to start."""

    session_id: str
    session_dir: Path


@dataclass
class FixesKept(Message):
    """Corrections were added to the user's glossary file (``new`` of them were new)."""

    path: Path
    new: int


@dataclass
class RoundEvent(Message):
    """Base of the messages that carry one engine event."""

    event: ev.Event


@dataclass
class RoundStarted(RoundEvent):
    event: ev.SessionStarted


@dataclass
class NoticePosted(RoundEvent):
    event: ev.Notice


@dataclass
class InterviewerSpoke(RoundEvent):
    event: ev.InterviewerSaid


@dataclass
class QuestionPosed(RoundEvent):
    event: ev.QuestionAsked


@dataclass
class AnswerAwaited(RoundEvent):
    event: ev.AwaitingAnswer


@dataclass
class AnswerBegan(RoundEvent):
    event: ev.AnswerStarted


@dataclass
class LevelChanged(RoundEvent):
    event: ev.InputLevel

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LevelChanged)


@dataclass
class PartialHeard(RoundEvent):
    event: ev.PartialTranscript

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PartialHeard)


@dataclass
class AnswerEnded(RoundEvent):
    event: ev.AnswerStopped


@dataclass
class AnswerTakenBack(RoundEvent):
    event: ev.AnswerResumed


@dataclass
class AnswerHeard(RoundEvent):
    event: ev.AnswerFinished


@dataclass
class CorrectionsAwaited(RoundEvent):
    event: ev.AwaitingCorrections


@dataclass
class CorrectionsApplied(RoundEvent):
    event: ev.TranscriptCorrected


@dataclass
class VerdictReady(RoundEvent):
    event: ev.Assessed


@dataclass
class DecisionMade(RoundEvent):
    event: ev.Decided


@dataclass
class ControlApplied(RoundEvent):
    event: ev.ControlUsed


@dataclass
class TurnLatency(RoundEvent):
    event: ev.TurnTimed


@dataclass
class RoundFinished(RoundEvent):
    event: ev.SessionEnded


_FOR_EVENT: dict[type[ev.Event], type[RoundEvent]] = {
    ev.SessionStarted: RoundStarted, ev.Notice: NoticePosted,
    ev.InterviewerSaid: InterviewerSpoke, ev.QuestionAsked: QuestionPosed,
    ev.AwaitingAnswer: AnswerAwaited, ev.AnswerStarted: AnswerBegan,
    ev.InputLevel: LevelChanged, ev.PartialTranscript: PartialHeard,
    ev.AnswerStopped: AnswerEnded, ev.AnswerResumed: AnswerTakenBack,
    ev.AnswerFinished: AnswerHeard,
    ev.AwaitingCorrections: CorrectionsAwaited, ev.TranscriptCorrected: CorrectionsApplied,
    ev.Assessed: VerdictReady, ev.Decided: DecisionMade, ev.ControlUsed: ControlApplied,
    ev.TurnTimed: TurnLatency, ev.SessionEnded: RoundFinished,
}


def for_event(event: ev.Event) -> RoundEvent:
    """The message that carries ``event`` (a plain RoundEvent for a type added later)."""
    return _FOR_EVENT.get(type(event), RoundEvent)(event)


# -- reports, sessions, replay --------------------------------------------------------


@dataclass
class ReportLoaded(Message):
    """A session read from disk as a round document."""

    doc: dict[str, Any]
    questions: dict[str, Any]
    """Bank questions by id (for what each rubric point covers)."""


@dataclass
class SessionsListed(Message):
    rows: list[SessionRow]
    asked: int
    """Which listing this answers: a listing begun before a deletion finished is stale."""


@dataclass
class ReplayLoaded(Message):
    items: list[ReplayItem]
    title: str


@dataclass
class PlaybackAt(Message):
    """Utterance ``index`` started playing ``offset_s`` in, at ``speed``, at ``started``
    (time.monotonic())."""

    index: int
    offset_s: float
    speed: float
    started: float


@dataclass
class PlaybackDone(Message):
    """The replay reached the end of the round."""


@dataclass
class WorkFailed(Message):
    """A worker of this screen failed; the app has already told the user why."""

    group: str
    message: str
