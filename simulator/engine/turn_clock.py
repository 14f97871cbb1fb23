"""Timing a turn: from the end of an answer to the interviewer's next prompt being ready."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TurnTime:
    """How long the candidate waited after one answer."""

    turn: int
    transcript_ms: float
    """From the end of the answer being decided to its transcript."""
    next_prompt_ms: float
    """From the end of the answer being decided to the next prompt being ready."""


class TurnClock:
    """Holds the answer that waits for the next prompt; time spent on hold at the
    candidate's request (a practice review) is not counted."""

    def __init__(self, now: Callable[[], float] = time.monotonic):
        self._now = now
        self._turn: int | None = None
        self._ended_at = 0.0
        self._transcript_ms = 0.0

    def answered(self, turn: int, ended_at: float, transcript_ms: float) -> None:
        """The answer of ``turn`` ended at ``ended_at`` (on this clock)."""
        self._turn, self._ended_at, self._transcript_ms = turn, ended_at, transcript_ms

    def hold(self) -> Callable[[], None]:
        """Start a hold; call what is returned when it ends."""
        held = self._now()

        def release() -> None:
            self._ended_at += self._now() - held

        return release

    def prompt_ready(self) -> TurnTime | None:
        """The next prompt is ready: the waiting answer's times, once."""
        if self._turn is None:
            return None
        timed = TurnTime(self._turn, self._transcript_ms,
                         round((self._now() - self._ended_at) * 1000, 1))
        self._turn = None
        return timed
