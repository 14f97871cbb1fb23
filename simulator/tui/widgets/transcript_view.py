"""The candidate's answer as it is heard: growing while they speak, then final."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static


class TranscriptView(VerticalScroll, can_focus=False):
    """A scrolling text: partial text is shown dim, the final transcript plain."""

    DEFAULT_CSS = """
    TranscriptView { height: 1fr; width: 100%; }
    TranscriptView > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="transcript-text")

    @property
    def _text(self) -> Static:
        return self.query_one("#transcript-text", Static)

    def clear(self, hint: str = "") -> None:
        self._text.update(Content.styled(hint, "$foreground-muted italic") if hint else "")

    def show_partial(self, text: str) -> None:
        self._text.update(Content.assemble((text.rstrip(". "), "$foreground-muted"),
                                           (" …", "$foreground-muted")))
        self.scroll_end(animate=False)

    def show_final(self, text: str, silent: bool = False) -> None:
        if silent or not text:
            self._text.update(Content.styled("(no speech heard)", "$text-warning italic"))
        else:
            self._text.update(Content(text))
        self.scroll_end(animate=False)
