"""What a person can do while a round runs: answer, repeat, skip, pause, end.

A ``RoundControls`` object is shared by a front end and the engine. The front
end calls the action methods (``talk``, ``repeat``, ``skip``, ``toggle_pause``,
``end``) from its own thread; they only record the request and wake or
interrupt what the engine is doing. The engine checks the requests at safe
points, from the round's thread. Nothing here knows of a screen.
"""

from __future__ import annotations

import threading
import time
from enum import StrEnum

from simulator.audio.endpoint import EndReason


class Stage(StrEnum):
    """What the round is doing, as far as the controls are concerned."""

    WORKING = "working"
    """Rendering, transcribing or judging: nothing to interrupt."""
    SPEAKING = "speaking"
    """The interviewer's voice is playing."""
    WAITING = "waiting"
    """Push-to-talk: the question was asked; waiting for the answer key."""
    ANSWERING = "answering"
    """The answer is being recorded."""
    REVIEW = "review"
    """Practice: the verdict is shown; waiting for the key to go on."""
    CHECK = "check"
    """Practice: the transcript is shown before it is judged; corrections are welcome."""


class Action(StrEnum):
    TALK = "talk"
    """Start the answer, finish it, cut the question short, or go on after a review."""
    REPEAT = "repeat"
    """Say the question again (an answer in progress is discarded)."""
    SKIP = "skip"
    """Leave this question (an answer in progress is discarded) for the next one."""


class _Interrupt(threading.Event):
    """Stops one playback or one answer; also reads as set once the round is cancelled."""

    def __init__(self, cancel: threading.Event):
        super().__init__()
        self._cancel = cancel

    def is_set(self) -> bool:
        return super().is_set() or self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            left = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
            if left <= 0:
                return False
            super().wait(left)
        return True


class RoundControls:
    """Thread-safe requests from a front end, checked by the engine cooperatively."""

    def __init__(self, push_to_talk: bool = False, review: bool = False,
                 cancel: threading.Event | None = None, check: bool = False):
        self.push_to_talk = push_to_talk
        """Answers start and end with the answer key instead of the silence detector."""
        self.review = review
        """Hold after each verdict until the answer key is pressed (practice mode)."""
        self.check = check
        """Hold after each transcript so misheard words can be corrected before judging."""
        self.cancel = cancel or threading.Event()
        """Set when the round should end; the engine records what it has and closes."""
        self._cond = threading.Condition()
        self._stage = Stage.WORKING
        self._waiting_in: Stage | None = None
        self._interrupt = _Interrupt(self.cancel)
        self._pending: set[Action] = set()
        self._paused = False
        self._corrections: list[tuple[str, str]] = []

    # -- front end side ---------------------------------------------------------

    @property
    def stage(self) -> Stage:
        with self._cond:
            return self._stage

    @property
    def paused(self) -> bool:
        with self._cond:
            return self._paused

    @property
    def waiting_in(self) -> Stage | None:
        """The stage in which the engine is blocked until a key, or None while it is not.

        Unlike ``stage``, this is set only once the engine has found no request to act on
        and is waiting: nothing of the round moves on until a key is pressed.
        """
        with self._cond:
            return self._waiting_in

    def talk(self) -> bool:
        """The answer key. Returns False when it means nothing at this moment."""
        with self._cond:
            if self._paused or self.cancel.is_set() or self._stage is Stage.WORKING:
                return False
            self._pending.add(Action.TALK)
            if self._stage in (Stage.SPEAKING, Stage.ANSWERING):
                self._interrupt.set()
            self._cond.notify_all()
            return True

    def repeat(self) -> bool:
        """Ask the question again. Returns False when there is no question to repeat."""
        return self._interrupt_for(Action.REPEAT, refused=(Stage.WORKING, Stage.REVIEW))

    def skip(self) -> bool:
        """Leave the current question for the next one."""
        return self._interrupt_for(Action.SKIP)

    def _interrupt_for(self, action: Action, refused: tuple[Stage, ...] = ()) -> bool:
        """Ask for ``action`` and cut short whatever the engine is doing."""
        with self._cond:
            if self.cancel.is_set() or self._stage in refused:
                return False
            self._pending.add(action)
            self._interrupt.set()
            self._cond.notify_all()
            return True

    def correct(self, heard: str, meant: str) -> bool:
        """While a transcript is being checked: ``heard`` should read ``meant``."""
        with self._cond:
            if self._stage is not Stage.CHECK or not heard.strip() or not meant.strip():
                return False
            self._corrections.append((heard.strip(), meant.strip()))
            return True

    def toggle_pause(self) -> bool:
        """Pause or resume; returns whether the round is now paused.

        Paused, an answer in progress stops listening (its timer stops too), and
        a question being spoken stops and is said again on resuming.
        """
        with self._cond:
            self._paused = not self._paused
            if self._paused and self._stage is Stage.SPEAKING:
                self._interrupt.set()
            self._cond.notify_all()
            return self._paused

    def end(self) -> None:
        """End the round: what was said so far is kept."""
        with self._cond:
            self.cancel.set()
            self._paused = False
            self._interrupt.set()
            self._cond.notify_all()

    # -- engine side ------------------------------------------------------------

    def enter(self, stage: Stage) -> threading.Event:
        """Move to ``stage``; returns the event that interrupts what it does."""
        with self._cond:
            self._stage = stage
            self._interrupt = _Interrupt(self.cancel)
            if stage is Stage.SPEAKING and self._paused:
                self._interrupt.set()
            return self._interrupt

    def take(self, action: Action) -> bool:
        """Consume a pending request; True if there was one."""
        with self._cond:
            if action in self._pending:
                self._pending.discard(action)
                return True
            return False

    def take_corrections(self) -> list[tuple[str, str]]:
        with self._cond:
            out, self._corrections = self._corrections, []
            return out

    def pending(self, action: Action) -> bool:
        with self._cond:
            return action in self._pending

    def forget(self, *actions: Action) -> None:
        with self._cond:
            self._pending.difference_update(actions)

    def wait_for(self, stage: Stage, actions: set[Action],
                 poll_s: float = 0.1) -> Action | None:
        """Enter ``stage`` and block until one of ``actions`` is requested (not consumed).

        Returns None when the round is cancelled. Requests wait while paused.
        """
        self.enter(stage)
        with self._cond:
            try:
                while not self.cancel.is_set():
                    if not self._paused:
                        for a in (Action.SKIP, Action.REPEAT, Action.TALK):
                            if a in actions and a in self._pending:
                                return a
                    # Set under the lock that the wait releases: whoever reads it sees
                    # the engine inside the wait, never between checks.
                    self._waiting_in = stage
                    self._cond.wait(poll_s)
            finally:
                self._waiting_in = None
        return None

    def hold_while_paused(self, poll_s: float = 0.1) -> bool:
        """Block while paused (and not cancelled); True if it held at all."""
        held = False
        with self._cond:
            while self._paused and not self.cancel.is_set():
                held = True
                self._cond.wait(poll_s)
        return held

    def answer_stop_reason(self) -> EndReason | None:
        """Why an answer whose interrupt was set ended; None when it is to be discarded."""
        with self._cond:
            if self.cancel.is_set():
                return EndReason.CANCELLED
            if Action.SKIP in self._pending or Action.REPEAT in self._pending:
                return None
            if Action.TALK in self._pending:
                self._pending.discard(Action.TALK)
                return EndReason.KEY
            return EndReason.CANCELLED
