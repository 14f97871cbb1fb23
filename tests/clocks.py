"""A clock the test moves by hand, for the parts of a round paced in real time.

Tests never sleep for a window of wall-clock time and then look at what happened in it: on
a loaded machine the window holds less than planned. They move this clock instead, and
``advance`` returns only once everything due by the new time has happened.
"""

from __future__ import annotations

import math
import threading
import time

#: How long ``advance`` and ``wait_for_sleeper`` wait for the other threads before failing
#: the test; generous, since reaching it means a bug, not a slow machine.
SAFETY_TIMEOUT_S = 30.0


class ManualClock:
    """A ``simulator.clock.Clock`` whose time moves only when the test calls ``advance``.

    ``sleep`` blocks its thread until the clock reaches the sleeper's deadline.
    """

    def __init__(self, start: float = 0.0, timeout_s: float = SAFETY_TIMEOUT_S):
        self.timeout_s = timeout_s
        self._now = start
        self._cond = threading.Condition()
        self._sleeping: dict[threading.Thread, float] = {}
        """Each thread blocked in ``sleep``, and when it is due to wake."""
        self._closed = False

    def now(self) -> float:
        """The time the test has moved the clock to."""
        with self._cond:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Block until the test has moved the clock ``seconds`` on (or closed it)."""
        me = threading.current_thread()
        with self._cond:
            deadline = self._now + seconds
            self._sleeping[me] = deadline
            self._cond.notify_all()  # wake a test waiting for a sleeper
            try:
                while self._now < deadline and not self._closed:
                    self._cond.wait()
            finally:
                del self._sleeping[me]
                self._cond.notify_all()

    def wait_for_sleeper(self) -> None:
        """Wait until some thread sleeps on this clock (a paced source has begun)."""
        with self._cond:
            if not self._cond.wait_for(lambda: bool(self._sleeping), self.timeout_s):
                raise AssertionError(f"nothing slept on the clock within {self.timeout_s} s")

    def advance(self, seconds: float) -> None:
        """Move the clock on, and return once every sleeper now due has caught up.

        A sleeper has caught up when it sleeps again with a later deadline, or its thread
        has ended. A paced source asks for its next frame only once the previous one was
        handled, so on return every frame due by the new time has been delivered and handled.
        """
        with self._cond:
            self._now += seconds
            due = {t for t, deadline in self._sleeping.items() if deadline <= self._now}
            self._cond.notify_all()
            give_up = time.monotonic() + self.timeout_s
            while behind := {t for t in due if self._behind(t)}:
                left = give_up - time.monotonic()
                if left <= 0:
                    names = ", ".join(sorted(t.name for t in behind))
                    raise AssertionError(f"{names} did not catch up with the clock within "
                                         f"{self.timeout_s} s")
                # A thread's end notifies nobody: look again every few milliseconds.
                self._cond.wait(min(left, 0.005))

    def _behind(self, thread: threading.Thread) -> bool:
        """Still due to wake, or awake and busy (called with the lock held)."""
        deadline = self._sleeping.get(thread)
        if deadline is None:
            return thread.is_alive()
        return deadline <= self._now

    def close(self) -> None:
        """Release every sleeper for good, so no thread is left blocked after a test."""
        with self._cond:
            self._closed = True
            self._now = math.inf
            self._cond.notify_all()
