"""The candidate's answer as it is heard: growing while they speak, then final, with the
words the transcriber was unsure of marked, and then as the candidate corrected it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from simulator.engine.events import WordTiming

UNSURE_STYLE = "$text-warning underline"
"""A word the transcriber was unsure of: worth checking first."""
#: How far ahead in the word list a word of the text is looked for. The text and the
#: words can differ a little (a correction joined two words), never by much.
_LOOKAHEAD = 3


def _bare(token: str) -> str:
    return re.sub(r"[^\w']+", "", token.lower())


def marked(text: str, words: Sequence[WordTiming], unsure_below: float) -> Content:
    """``text`` with each word the transcriber was unsure of styled ``UNSURE_STYLE``.

    The text is what the judge reads (fillers left out, corrections made); the
    probabilities come from ``words``, matched to the text's words in order, so a
    word that cannot be matched is simply left unmarked.
    """
    said = [w for w in words if not w.filler]
    if not said:
        return Content(text)
    parts: list[tuple[str, str] | str] = []
    at = 0
    for token in re.split(r"(\s+)", text):
        if not token or token.isspace():
            parts.append(token)
            continue
        bare = _bare(token)
        found = next((i for i in range(at, min(at + _LOOKAHEAD, len(said)))
                      if _bare(said[i].word) == bare), None)
        if found is None:
            parts.append(token)
            continue
        at = found + 1
        if said[found].probability < unsure_below:
            word, tail = re.fullmatch(r"(.*?)([,.!?;:]*)", token).groups()  # type: ignore[union-attr]
            parts += [(word, UNSURE_STYLE), tail]
        else:
            parts.append(token)
    return Content.assemble(*parts)


def _arrows(fixes: Sequence[str]) -> str:
    return "; ".join(f.replace(" -> ", " → ") for f in fixes)


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

    def show_final(self, text: str, silent: bool = False,
                   words: Sequence[WordTiming] = (), unsure_below: float = 0.0) -> None:
        if silent or not text:
            self._text.update(Content.styled("(no speech heard)", "$text-warning italic"))
        else:
            self._text.update(marked(text, words, unsure_below))
        self.scroll_end(animate=False)

    def show_corrected(self, text: str, corrections: Sequence[str],
                       not_found: Sequence[str]) -> None:
        """The transcript the judge reads now, the candidate's words in it picked out."""
        shown = Content(text)
        for fix in corrections:
            meant = fix.partition(" -> ")[2]
            if meant:
                shown = shown.highlight_regex(
                    re.compile(r"(?<![\w'])" + re.escape(meant) + r"(?![\w'])", re.IGNORECASE),
                    style="$text-success bold")
        lines = [shown]
        if corrections:
            lines.append(Content.assemble(("You corrected: ", "$text-success"),
                                          (_arrows(corrections), "$foreground-muted")))
        if not_found:
            lines.append(Content.assemble(("Not in the transcript, so not changed: ",
                                           "$text-warning"),
                                          (_arrows(not_found), "$foreground-muted")))
        self._text.update(Content("\n").join(lines))
        self.scroll_end(animate=False)
