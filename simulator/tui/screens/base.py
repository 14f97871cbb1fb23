"""What every screen of the app shares: the app, and the one place worker failures go."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from simulator.tui.messages import WorkFailed

if TYPE_CHECKING:
    from simulator.tui.app import InterviewApp


class AppScreen(Screen[None]):
    """A screen of the interview app."""

    @property
    def iapp(self) -> InterviewApp:
        return cast("InterviewApp", self.app)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Worker state changes stay with the screen that started the worker: a failure is
        told to the user by the app (one line, no traceback) and to the screen as WorkFailed.
        """
        if event.state is WorkerState.ERROR:
            text = self.iapp.report_failure(event.worker)
            self.post_message(WorkFailed(event.worker.group, text))
