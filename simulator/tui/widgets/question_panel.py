"""The interviewer's current question, as text while it is spoken."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class QuestionPanel(Static):
    """The prompt, with a border title saying which question or follow-up it is."""

    DEFAULT_CSS = """
    QuestionPanel { height: auto; max-height: 9; }
    """

    def show(self, title: str, text: str, subtitle: str = "") -> None:
        self.border_title = title
        self.border_subtitle = subtitle
        self.update(Content(text))
