"""Practice: checking what was heard before it is judged. The words the transcriber was
unsure of, a box for corrections (``heard => meant``), and the corrections made so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from simulator.review import parse_fixes
from simulator.tui.widgets.transcript_view import UNSURE_STYLE

HINT = "Type  heard => meant  and Enter to fix a word (several: a => b; c => d)"
def unsure_words(words: Sequence[str]) -> list[str]:
    """Each word once, in order, without the punctuation the transcriber put after it."""
    seen: dict[str, str] = {}
    for w in words:
        bare = w.strip().strip(",.!?;:")
        if bare and bare.lower() not in seen:
            seen[bare.lower()] = bare
    return list(seen.values())


class CheckPanel(Vertical):
    """Hidden until a transcript is held for checking; the screen does what it asks."""

    DEFAULT_CSS = """
    CheckPanel { height: auto; display: none; }
    CheckPanel.-open { display: block; }
    CheckPanel > Static { width: 1fr; }
    CheckPanel > #check-error { color: $text-error; display: none; }
    CheckPanel > #check-error.-shown { display: block; }
    /* One line, not the usual three: the panel shares the screen with the transcript. */
    CheckPanel > Input { border: none; height: 1; padding: 0 1; background: $boost; }
    CheckPanel > Input:focus { border: none; background: $primary 15%; }
    """

    BINDINGS = [Binding("escape", "leave_box", "Leave the box", show=False)]

    @dataclass
    class Fixed(Message):
        """The candidate typed corrections: (heard, meant) pairs."""

        pairs: list[tuple[str, str]]

    class Done(Message):
        """Enter on an empty box: the transcript is right, go on."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._fixes: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(HINT, "$foreground-muted"), id="check-hint")
        yield Static(id="check-unsure")
        yield Static(id="check-fixes")
        yield Static(id="check-error")
        yield Input(placeholder="heard => meant", id="check-input")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def box(self) -> Input:
        return self.query_one("#check-input", Input)

    def open(self, unsure: Sequence[str]) -> None:
        """Show the panel for a new transcript, the box ready for typing."""
        self._fixes = []
        words = unsure_words(unsure)
        if words:
            # What a mark means, said where the marks are listed.
            line = Content.assemble(("Probably misheard (underlined), check first: ", "bold"),
                                    Content(", ").join(
                                        Content.styled(w, UNSURE_STYLE) for w in words))
        else:
            line = Content.styled("No word looks misheard; fix any that is wrong anyway.",
                                  "$foreground-muted")
        self.query_one("#check-unsure", Static).update(line)
        self._show_fixes()
        self.refuse("")
        self.box.clear()
        self.add_class("-open")
        self.box.focus()

    def close(self) -> None:
        if self.is_open and self.screen.focused is self.box:
            self.screen.set_focus(None)  # the single keys work again
        self.remove_class("-open")

    def accepted(self, pairs: Sequence[tuple[str, str]]) -> None:
        """The round took these corrections: list them, and clear any error."""
        self._fixes += pairs
        self._show_fixes()
        self.refuse("")

    def refuse(self, why: str) -> None:
        """One line saying why what was typed was not taken ('' hides it)."""
        error = self.query_one("#check-error", Static)
        error.update(why)
        error.set_class(bool(why), "-shown")

    def _show_fixes(self) -> None:
        fixes = self.query_one("#check-fixes", Static)
        fixes.display = bool(self._fixes)
        fixes.update(Content.assemble(
            ("Fixed: ", "$text-success bold"),
            "; ".join(f"{heard} → {meant}" for heard, meant in self._fixes)))

    @on(Input.Submitted, "#check-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        if not line:
            self.post_message(self.Done())
            return
        try:
            pairs = parse_fixes(line)
        except ValueError as exc:
            self.refuse(str(exc))  # the line stays, to be mended
            return
        self.box.clear()
        self.post_message(self.Fixed(pairs))

    def action_leave_box(self) -> None:
        self.screen.set_focus(None)
