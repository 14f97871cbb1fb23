"""A live input level meter: how loud the microphone is, and whether speech is heard."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

FLOOR_DB = -60.0


class LevelMeter(Widget):
    """One line: a bar from -60 dBFS to 0, and 'speaking' or 'quiet'."""

    DEFAULT_CSS = """
    LevelMeter { height: 1; width: 1fr; min-width: 20; }
    """

    db: reactive[float] = reactive(FLOOR_DB)
    speaking: reactive[bool] = reactive(False)
    listening: reactive[bool] = reactive(False)
    """False when no answer is being recorded: the meter is shown empty."""

    def show(self, db: float, speaking: bool) -> None:
        self.db, self.speaking, self.listening = db, speaking, True

    def stop(self) -> None:
        self.listening, self.speaking, self.db = False, False, FLOOR_DB

    def render(self) -> Content:
        label = " speaking" if self.speaking else (" quiet   " if self.listening else " mic off ")
        width = max(4, self.size.width - len(label) - 4)
        frac = min(1.0, max(0.0, (self.db - FLOOR_DB) / -FLOOR_DB)) if self.listening else 0.0
        filled = round(frac * width)
        colour = "$text-success" if self.speaking else "$text-primary"
        return Content.assemble(
            ("mic ", "$foreground-muted"),
            ("█" * filled, colour),
            ("░" * (width - filled), "$foreground-muted"),
            (label, colour if self.listening else "$foreground-muted"),
        )
