"""The interviewer's voice, played in a thread of its own while the round goes on.

A reply begins while the candidate may still take the turn back (engine/capture.py), so
it cannot hold the round's thread: it plays beside it, and stops the moment it is
withdrawn.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

Player = Callable[[Path, threading.Event], None]

#: How often a wait for the voice looks whether it was interrupted: at once, to the ear.
POLL_S = 0.05


class Heard(Protocol):
    """What listens while the interviewer speaks, told what is being played (its echo)."""

    def playing_file(self, path: Path) -> None: ...

    def stopped(self) -> None: ...


class Playing:
    """One remark being said; ``stop`` ends it early (it may already be set: then it is
    never started). ``heard`` is told when it starts and stops."""

    def __init__(self, player: Player | None, path: Path, stop: threading.Event,
                 heard: Heard | None = None):
        self.path = path
        self._stop = stop
        self._heard = heard
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if player is not None and not stop.is_set():
            self._thread = threading.Thread(target=self._play, args=(player,),
                                            name="speaking", daemon=True)
            self._thread.start()

    def _play(self, player: Player) -> None:
        try:
            if self._heard is not None:
                self._heard.playing_file(self.path)
            player(self.path, self._stop)
        except BaseException as exc:  # raised again in the thread that waits for it
            self._error = exc
        finally:
            if self._heard is not None:
                self._heard.stopped()

    def stop(self) -> None:
        """Stop saying it now, and wait until the device has let go."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def wait(self, interrupt: threading.Event) -> None:
        """Until it has been said, or ``interrupt`` is set (then it stops at once)."""
        while self._thread is not None and self._thread.is_alive():
            if interrupt.wait(POLL_S):
                self.stop()
                break
        if self._error is not None:
            raise self._error
