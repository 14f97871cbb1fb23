"""The candidate's answer as it is heard: growing while they speak, then final, with the
words the transcriber was unsure of marked, and then as the candidate corrected it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from simulator.delivery.marks import FILLER, HEDGE, PAUSE, marked_transcript
from simulator.delivery.metrics import Delivery
from simulator.engine.events import WordTiming
from simulator.tui.widgets.pace_line import pace_line

UNSURE_STYLE = "$text-warning underline"
"""A word the transcriber was unsure of: worth checking first."""
FILLER_STYLE = "$text-error italic"
"""A filler (um, or "like" used as one): words the answer could do without."""
HEDGE_STYLE = "$text-primary italic"
"""A hedge ("I guess"): a claim softened."""
PAUSE_STYLE = "$foreground-muted"
"""A silence the figures counted, shown as its length in brackets."""
_STYLES = {FILLER: FILLER_STYLE, HEDGE: HEDGE_STYLE}


def _unsure(word: WordTiming, unsure_below: float) -> bool:
    """Marked for checking: the hearing's own verdict where the word carries one, else
    a probability below ``unsure_below``."""
    verdict = getattr(word, "unsure", None)
    return bool(verdict) if verdict is not None else word.probability < unsure_below


def marked(text: str, words: Sequence[WordTiming], unsure_below: float,
           delivery: Delivery | None = None) -> Content:
    """``text`` with each word the transcriber was unsure of styled ``UNSURE_STYLE``, and
    with the fillers, hedges and silences that ``delivery`` counted marked in place.

    The text is what the judge reads (fillers left out, corrections made); the words and
    their probabilities come from ``words``, matched to the text's words in order, so a
    word that cannot be matched is simply left unmarked.
    """
    if not words:
        return Content(text)
    parts: list[tuple[str, str] | str] = []
    for span in marked_transcript(text, words, delivery):
        if parts:
            parts.append(" ")
        if span.kind == PAUSE:
            parts.append((f"[{span.text}]", PAUSE_STYLE))
            continue
        style = _STYLES.get(span.kind, "")
        if span.said is not None and span.kind != FILLER and _unsure(words[span.said],
                                                                     unsure_below):
            style = f"{style} {UNSURE_STYLE}".strip()
        word, tail = re.fullmatch(r"(.*?)([,.!?;:]*)", span.text).groups()  # type: ignore[union-attr]
        parts += [(word, style), tail] if style else [span.text]
    return Content.assemble(*parts)


def legend(shown: Content) -> Content | None:
    """One line saying what the marks in ``shown`` mean, or None when it has none."""
    styles = {str(s.style) for s in shown.spans}
    keys = [(FILLER_STYLE, "um", "filler"), (HEDGE_STYLE, "I guess", "hedge"),
            (PAUSE_STYLE, "[2.0 s]", "silence"), (UNSURE_STYLE, "word", "maybe misheard")]
    used = [k for k in keys if any(k[0] in s for s in styles)]
    if not used:
        return None
    parts: list[tuple[str, str] | str] = []
    for style, example, meaning in used:
        parts += [("  " if parts else "", ""), (example, style), (f" {meaning}",
                                                                   "$foreground-muted")]
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
                   words: Sequence[WordTiming] = (), unsure_below: float = 0.0,
                   delivery: Delivery | None = None) -> None:
        if silent or not text:
            self._text.update(Content.styled("(no speech heard)", "$text-warning italic"))
        else:
            shown = marked(text, words, unsure_below, delivery)
            key = legend(shown)
            self._text.update(shown if key is None else Content("\n").join([shown, key]))
        self.scroll_end(animate=False)

    def show_pace(self, wpm: float, fillers: int, speaking_s: float, when: str) -> None:
        """Pace and fillers under the answer (see ``pace_line``), on the box's border."""
        self.border_subtitle = pace_line(wpm, fillers, speaking_s, when)

    def clear_pace(self) -> None:
        self.border_subtitle = ""

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
