"""Events the engine emits. Subscribers (CLI, recorder, app) only read these.

Every event has ``t``, seconds since the session started. Paths are relative
to the session folder, so a session folder can be moved or shared.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    t: float

    @property
    def type(self) -> str:
        return _TYPE_NAMES[type(self)]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **dataclasses.asdict(self)}


@dataclass(frozen=True)
class SessionStarted(Event):
    session_id: str
    bank: str
    persona: str
    policy: str
    stt: dict[str, Any]
    question_ids: list[str]
    answer_source: str


@dataclass(frozen=True)
class Notice(Event):
    """Something the user should know that did not stop the round."""

    message: str


@dataclass(frozen=True)
class InterviewerSaid(Event):
    """A remark outside the turns: the opening or the closing."""

    kind: str
    text: str
    audio: str


@dataclass(frozen=True)
class QuestionAsked(Event):
    """A turn begins: the prompt is rendered and about to be spoken."""

    turn: int
    kind: str
    """'question' or 'follow_up'."""
    question_id: str
    prompt: str
    """The whole text spoken, transition included."""
    target_point: str | None
    audio: str
    budget_s: int
    reason: str | None = None
    """Why this follow-up was chosen."""


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


@dataclass(frozen=True)
class WordTiming:
    word: str
    start: float
    end: float
    probability: float
    filler: bool = False


@dataclass(frozen=True)
class AnswerFinished(Event):
    turn: int
    audio: str
    duration_s: float
    end_reason: str
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
    delivery: dict[str, Any] | None = None
    """Pace, fillers, hedges, pauses and timing (simulator.delivery.metrics.Delivery)."""


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
    action: str
    """'follow_up' or 'move_on'."""
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
    status: str
    """'complete', 'cancelled' or 'failed'."""
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
    pace: dict[str, float] = field(default_factory=dict)
    """Live delivery so far: wpm, fillers, fillers_per_min, hedges, speaking_s."""


@dataclass(frozen=True)
class AnswerStopped(Event):
    """The answer has ended (``end_reason``); its final transcript is being made."""

    turn: int
    end_reason: str


@dataclass(frozen=True)
class ControlUsed(Event):
    """The candidate used a control: 'repeat', 'skip', 'pause' or 'resume'."""

    turn: int
    action: str


_TYPE_NAMES = {
    SessionStarted: "session_started", Notice: "notice", InterviewerSaid: "interviewer_said",
    QuestionAsked: "question_asked", AnswerStarted: "answer_started", InputLevel: "input_level",
    AnswerFinished: "answer_finished", Assessed: "assessed", Decided: "decided",
    TurnTimed: "turn_timed", SessionEnded: "session_ended",
    AwaitingAnswer: "awaiting_answer", PartialTranscript: "partial_transcript",
    AnswerStopped: "answer_stopped", ControlUsed: "control_used",
    AwaitingCorrections: "awaiting_corrections", TranscriptCorrected: "transcript_corrected",
}
EVENT_TYPES = {v: k for k, v in _TYPE_NAMES.items()}


def event_from_dict(d: dict[str, Any]) -> Event:
    cls = EVENT_TYPES[d["type"]]
    kwargs = {k: v for k, v in d.items() if k != "type"}
    if cls is AnswerFinished:
        kwargs["words"] = [WordTiming(**w) for w in kwargs.get("words", [])]
    if cls is Assessed:
        kwargs["points"] = [PointResult(**p) for p in kwargs.get("points", [])]
    return cls(**kwargs)
