"""Events the engine emits. Subscribers (CLI, recorder, app) only read these.

Every event has ``t``, seconds since the session started. Paths are relative
to the session folder, so a session folder can be moved or shared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from simulator.audio.endpoint import EndReason
from simulator.delivery.metrics import Delivery, LivePace
from simulator.speech.transcript import Word


class RemarkKind(StrEnum):
    """What the interviewer says outside the turns."""

    OPENING = "opening"
    """The greeting before the first question."""
    CLOSING = "closing"
    """The goodbye after the last answer."""
    TIME_WARNING = "time_warning"
    """Said over the answer as its budget nears (timing 'warning')."""
    CUT_IN = "cut_in"
    """The answer was stopped at its budget (timing 'cut_in')."""


class TurnKind(StrEnum):
    """A bank question, or a follow-up on a point of it."""

    QUESTION = "question"
    """A question from the bank."""
    FOLLOW_UP = "follow_up"
    """A follow-up on a point the answer missed or got wrong."""


class Decision(StrEnum):
    """What the interviewer does after an answer."""

    FOLLOW_UP = "follow_up"
    """Ask about ``target_point``."""
    MOVE_ON = "move_on"
    """Go to the next question, or end the round after the last."""


class SessionStatus(StrEnum):
    """How a round ended."""

    COMPLETE = "complete"
    """Every question was asked, or the answers ran out."""
    CANCELLED = "cancelled"
    """The candidate ended it early."""
    FAILED = "failed"
    """An error stopped it (``SessionEnded.error``)."""


class Control(StrEnum):
    """A control the candidate used during a turn."""

    REPEAT = "repeat"
    """The question was said again."""
    SKIP = "skip"
    """The question was left for the next one."""
    PAUSE = "pause"
    """The round was paused."""
    RESUME = "resume"
    """The round goes on after a pause."""


def _plain(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A dict of JSON types: an enum is stored as its value, as the strings were before."""
    return {k: v.value if isinstance(v, Enum) else v for k, v in pairs}


@dataclass(frozen=True)
class Event:
    t: float

    @property
    def type(self) -> str:
        return _TYPE_NAMES[type(self)]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **dataclasses.asdict(self, dict_factory=_plain)}


@dataclass(frozen=True)
class SttSummary:
    """The transcriber that ran, as recorded with the session."""

    model: str
    """The Whisper model's name."""
    device: str
    """'cpu' or 'cuda'."""
    compute_type: str
    """The precision it ran at, e.g. 'int8'."""


@dataclass(frozen=True)
class SessionStarted(Event):
    session_id: str
    bank: str
    persona: str
    policy: str
    stt: SttSummary
    question_ids: list[str]
    answer_source: str


@dataclass(frozen=True)
class Notice(Event):
    """Something the user should know that did not stop the round."""

    message: str


@dataclass(frozen=True)
class InterviewerSaid(Event):
    """A remark outside the turns: the opening, the closing, a time warning or a cut-in."""

    kind: RemarkKind
    text: str
    audio: str


@dataclass(frozen=True)
class QuestionAsked(Event):
    """A turn begins: the prompt is rendered and about to be spoken."""

    turn: int
    kind: TurnKind
    question_id: str
    prompt: str
    """The whole text spoken, transition included."""
    target_point: str | None
    audio: str
    budget_s: int
    reason: str | None = None
    """Why this follow-up was chosen."""
    attempt: int = 1
    """Which attempt at the question this turn belongs to: a retry asks it again in the
    same session as attempt 2, 3, ...; sessions from before retries hold only attempt 1."""


@dataclass(frozen=True)
class AnswerStarted(Event):
    turn: int
    source: str


@dataclass(frozen=True)
class InputLevel(Event):
    """The answer's level and whether speech is heard, a few times a second."""

    turn: int
    db: float
    speaking: bool
    elapsed_s: float


#: A word of the final transcript with its time and probability, as recorded: the
#: transcript's own Word, so the engine hands the words on as they are.
WordTiming = Word


@dataclass(frozen=True)
class AnswerFinished(Event):
    turn: int
    audio: str
    duration_s: float
    end_reason: EndReason
    transcript: str
    words: list[WordTiming] = field(default_factory=list)
    silent: bool = False
    transcript_ms: float = 0.0
    """From the end of the answer being decided to the final transcript."""
    speculative: bool = False
    """The transcript was computed during the end-of-answer silence and reused."""
    verbatim: str = ""
    """What the transcriber heard, fillers included, before any glossary correction."""
    corrections: list[str] = field(default_factory=list)
    """Glossary corrections applied, as 'heard -> term'."""
    delivery: Delivery | None = None
    """Pace, fillers, hedges, pauses and timing."""


@dataclass(frozen=True)
class AwaitingCorrections(Event):
    """Practice: the transcript is held for checking; the answer key goes on to judging."""

    turn: int
    unsure: list[str]
    """Words the transcriber was unsure of, in order, worth checking first."""


@dataclass(frozen=True)
class TranscriptCorrected(Event):
    """The candidate corrected misheard words before the answer was judged."""

    turn: int
    corrections: list[str]
    """As 'heard -> meant'."""
    transcript: str
    """The text the judge reads from now on."""
    not_found: list[str] = field(default_factory=list)
    """Corrections whose heard words are not in the transcript (nothing was changed)."""


@dataclass(frozen=True)
class PointResult:
    id: str
    covered: bool
    evidence: str
    contradicted: bool = False
    support: float = 0.0


@dataclass(frozen=True)
class Assessed(Event):
    turn: int
    question_id: str
    points: list[PointResult]
    coverage: float


@dataclass(frozen=True)
class Decided(Event):
    turn: int
    question_id: str
    action: Decision
    target_point: str | None
    reason: str
    policy: str
    """Who decided: 'offline' or 'llm:<model>'."""
    fallback: str | None = None
    """Why the configured LLM was not used for this turn."""
    usage: dict[str, Any] | None = None
    """Tokens and cost, when the provider reports them."""


@dataclass(frozen=True)
class TurnTimed(Event):
    """Latencies of a turn, known once the next prompt is ready."""

    turn: int
    transcript_ms: float
    next_prompt_ms: float


@dataclass(frozen=True)
class SessionEnded(Event):
    status: SessionStatus
    turns: int
    error: str | None = None


@dataclass(frozen=True)
class AwaitingAnswer(Event):
    """Push-to-talk: the question has been asked; the answer starts with the answer key."""

    turn: int


@dataclass(frozen=True)
class PartialTranscript(Event):
    """What has been heard of the answer so far; AnswerFinished carries the final text."""

    turn: int
    text: str
    pace: LivePace | None = None
    """Live delivery so far."""


@dataclass(frozen=True)
class AnswerStopped(Event):
    """The answer has ended (``end_reason``); its final transcript is being made."""

    turn: int
    end_reason: EndReason


@dataclass(frozen=True)
class AnswerResumed(Event):
    """The candidate spoke again soon after the answer's end was decided: the same answer
    goes on, and whatever the interviewer had begun to say in reply was withdrawn."""

    turn: int


@dataclass(frozen=True)
class ControlUsed(Event):
    """The candidate used a control."""

    turn: int
    action: Control


_TYPE_NAMES = {
    SessionStarted: "session_started", Notice: "notice", InterviewerSaid: "interviewer_said",
    QuestionAsked: "question_asked", AnswerStarted: "answer_started", InputLevel: "input_level",
    AnswerFinished: "answer_finished", Assessed: "assessed", Decided: "decided",
    TurnTimed: "turn_timed", SessionEnded: "session_ended",
    AwaitingAnswer: "awaiting_answer", PartialTranscript: "partial_transcript",
    AnswerStopped: "answer_stopped", AnswerResumed: "answer_resumed",
    ControlUsed: "control_used",
    AwaitingCorrections: "awaiting_corrections", TranscriptCorrected: "transcript_corrected",
}
EVENT_TYPES = {v: k for k, v in _TYPE_NAMES.items()}


def _each(build: Callable[..., Any]) -> Callable[[list[dict[str, Any]]], list[Any]]:
    return lambda items: [build(**i) for i in items]


def _pace(d: dict[str, Any] | None) -> LivePace | None:
    return LivePace(**d) if d else None  # an empty dict was the old "no figures yet"


def _delivery(d: dict[str, Any] | None) -> Delivery | None:
    return Delivery.from_dict(d) if d is not None else None


_DECODERS: dict[type[Event], dict[str, Callable[[Any], Any]]] = {
    SessionStarted: {"stt": lambda d: SttSummary(**d)},
    InterviewerSaid: {"kind": RemarkKind},
    QuestionAsked: {"kind": TurnKind},
    AnswerFinished: {"end_reason": EndReason, "words": _each(WordTiming),
                     "delivery": _delivery},
    Assessed: {"points": _each(PointResult)},
    Decided: {"action": Decision},
    SessionEnded: {"status": SessionStatus},
    PartialTranscript: {"pace": _pace},
    AnswerStopped: {"end_reason": EndReason},
    ControlUsed: {"action": Control},
}
"""How each event's JSON fields become their types; fields not named are stored as they are."""


def event_from_dict(d: dict[str, Any]) -> Event:
    """An event from ``to_dict``'s output; an unknown type or value raises KeyError or
    ValueError."""
    cls = EVENT_TYPES[d["type"]]
    decode = _DECODERS.get(cls, {})
    kwargs = {k: decode[k](v) if k in decode else v for k, v in d.items() if k != "type"}
    return cls(**kwargs)
