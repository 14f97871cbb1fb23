"""The keys of the screen below, and how the app works (help.md)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

HELP_FILE = Path(__file__).with_suffix(".md")


def keys_content(keys: list[tuple[str, str]]) -> Content:
    width = max((len(k) for k, _ in keys), default=0)
    return Content("\n").join(
        Content.assemble((f"{k:>{width}}  ", "bold $text-accent"), (d, "")) for k, d in keys)


class HelpScreen(ModalScreen[None]):
    """Escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, keys: list[tuple[str, str]], title: str = "Keys on this screen"):
        super().__init__()
        self.keys = keys
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            with VerticalScroll(id="help-scroll"):
                yield Static(self.title_text, classes="section-title")
                yield Static(keys_content(self.keys), id="help-keys")
            yield Static("escape or ?: close", classes="dialog-detail")

    def on_mount(self) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        scroll.focus()
        # The keys show at once; the longer text (a Markdown widget) follows a frame later.
        self.call_after_refresh(scroll.mount, Markdown(HELP_FILE.read_text(encoding="utf-8"),
                                                       id="help-text"))

    def action_close(self) -> None:
        self.dismiss(None)
