"""Replaying a recorded round: the timeline, and both sides' audio in order."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from simulator.engine.events import (
    AnswerFinished,
    InterviewerSaid,
    QuestionAsked,
    TranscriptCorrected,
)
from simulator.sessions.store import StoredSession
from simulator.speech.hearing import fixed_by_candidate, parse_correction
from simulator.speech.transcript import Transcript, Word


@dataclass(frozen=True)
class Utterance:
    """One thing said, in order: who, when (seconds from the start), what, and its audio."""

    speaker: str
    at_s: float
    text: str
    audio: Path | None
    turn: int | None
    words: tuple[Word, ...] = ()
    """An answer's words with their times, the candidate's corrections made."""
    attempt: int = 1
    """The attempt at its question the turn belongs to (2 and on: a retry)."""


def timeline(session: StoredSession) -> list[Utterance]:
    out = []
    attempt: dict[int, int] = {}  # by turn
    for e in session.events:
        if isinstance(e, InterviewerSaid):
            out.append(Utterance("interviewer", e.t, e.text, session.dir / e.audio, None))
        elif isinstance(e, QuestionAsked):
            attempt[e.turn] = e.attempt
            out.append(Utterance("interviewer", e.t, e.prompt, session.dir / e.audio, e.turn,
                                 attempt=e.attempt))
        elif isinstance(e, AnswerFinished):
            start = max(0.0, e.t - e.duration_s)
            text = e.transcript if not e.silent else "(silence)"
            out.append(Utterance("candidate", round(start, 3), text, session.dir / e.audio,
                                 e.turn, tuple(e.words), attempt.get(e.turn, 1)))
        elif isinstance(e, TranscriptCorrected):
            for i, u in enumerate(out):
                if u.speaker == "candidate" and u.turn == e.turn:
                    out[i] = _corrected(u, e)
    return out


def _corrected(u: Utterance, e: TranscriptCorrected) -> Utterance:
    """An answer as the candidate corrected it: its text and its words."""
    fixes = [parse_correction(c) for c in e.corrections]
    after, *_ = fixed_by_candidate(Transcript(u.text, list(u.words)), fixes)
    return replace(u, text=e.transcript, words=tuple(after.words))


def play_through(items: list[Utterance], play: Callable[[Path, threading.Event], object],
                 cancel: threading.Event) -> Iterator[Utterance]:
    """Play each utterance's audio in order, yielding it just before it plays."""
    for u in items:
        if cancel.is_set():
            return
        yield u
        if u.audio is not None and u.audio.exists():
            play(u.audio, cancel)


def fmt_time(seconds: float) -> str:
    m, s = divmod(max(0.0, seconds), 60)
    return f"{int(m):02d}:{s:04.1f}"
