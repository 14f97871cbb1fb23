"""One line saying what the round is doing or waiting for."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class PhaseLine(Static):
    """'Listening…', 'Transcribing your answer…', 'Paused' and so on, with a key hint."""

    DEFAULT_CSS = """
    PhaseLine { height: 1; }
    """

    def show(self, text: str, hint: str = "", tone: str = "") -> None:
        style = {"wait": "$text-warning", "error": "$text-error bold",
                 "go": "$text-success bold"}.get(tone, "bold")
        self.update(Content.assemble((text, style),
                                     (f"  {hint}" if hint else "", "$foreground-muted")))
        self.set_class(tone == "error", "-error")
