"""The set-up screen's status line: microphone, speaker, Whisper model, follow-up policy."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from simulator.tui.catalog import StatusItem


def status_content(items: list[StatusItem]) -> Content:
    parts: list[Content] = []
    for it in items:
        if it.ok is True:
            dot = ("● ", "$text-success")
        elif it.ok is False:
            dot = ("● ", "$text-error")
        else:
            dot = ("○ ", "$foreground-muted")
        detail = it.detail if it.ok is not False or not it.fix else f"{it.detail}; {it.fix}"
        parts.append(Content.assemble(dot, (f"{it.name} ", "bold"),
                                      (detail, "" if it.ok is not False else "$text-error")))
    return Content("   ").join(parts)


class StatusLine(Static):
    """Each part green when it works, or red with the reason and the fix."""

    DEFAULT_CSS = """
    StatusLine { height: auto; max-height: 4; }
    """

    def show(self, items: list[StatusItem]) -> None:
        self.update(status_content(items))
