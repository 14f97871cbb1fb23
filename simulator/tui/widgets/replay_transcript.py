"""The recorded round as text, the utterance playing highlighted word by word."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from simulator.delivery.marks import FILLER, HEDGE
from simulator.tui.replay_model import ReplayItem
from simulator.tui.widgets.transcript_view import FILLER_STYLE, HEDGE_STYLE, PAUSE_STYLE

SPEAKERS = {"interviewer": "Interviewer", "candidate": "You"}
#: A counted filler or hedge looks as it does under the answer in the round.
_MARKED = {FILLER: FILLER_STYLE, HEDGE: HEDGE_STYLE}


def utterance_content(item: ReplayItem, word: int | None) -> Content:
    """``word``: the index being said (None: not playing; -1: before the first word)."""
    who = SPEAKERS.get(item.speaker, item.speaker)
    turn = f" · turn {item.turn}" if item.turn else ""
    turn += f" · attempt {item.attempt}" if item.attempt > 1 else ""
    head = Content.styled(f"{who}{turn}\n", "bold $text-primary" if item.speaker ==
                          "interviewer" else "bold $text-accent")
    marked = any(w.mark or w.pause_before_s for w in item.words)
    if (word is None and not marked) or not item.words:
        return head + Content(item.text)
    parts: list[tuple[str, str]] = []
    for n, w in enumerate(item.words):
        if w.pause_before_s:
            parts += [(f"[{w.pause_before_s:.1f} s]", PAUSE_STYLE), (" ", "")]
        parts += [(w.text, _word_style(n, word, w.mark)), (" ", "")]
    return head + Content.assemble(*parts)


def _word_style(n: int, word: int | None, mark: str) -> str:
    """Said, being said or still to come (``word`` None: not playing), and its mark."""
    if n == word:
        return f"reverse bold {_MARKED.get(mark, '')}".strip()
    if mark in _MARKED:
        return _MARKED[mark]  # a mark keeps its colour whether said or not
    return "" if word is None else "bold" if n < word else "$foreground-muted"


class ReplayTranscript(VerticalScroll):
    """One block per utterance; ``highlight`` moves the current word."""

    DEFAULT_CSS = """
    ReplayTranscript { height: 1fr; }
    ReplayTranscript > .utterance { margin-bottom: 1; padding: 0 1; }
    ReplayTranscript > .utterance.-current { background: $boost; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._items: list[ReplayItem] = []
        self._current: int | None = None
        self._word: int | None = None

    def load(self, items: list[ReplayItem]) -> None:
        self._items = items
        self._current = None
        self.remove_children()
        self.mount_all(Static(utterance_content(it, None), classes="utterance")
                       for it in items)

    def highlight(self, index: int, word: int) -> None:
        blocks = list(self.query(".utterance").results(Static))
        if not blocks or index >= len(blocks):
            return
        if self._current is not None and self._current != index and self._current < len(blocks):
            old = blocks[self._current]
            old.remove_class("-current")
            old.update(utterance_content(self._items[self._current], None))
        if self._current != index or self._word != word:
            blocks[index].add_class("-current")
            blocks[index].update(utterance_content(self._items[index], word))
        if self._current != index:
            self.scroll_to_widget(blocks[index], animate=False, top=True)
        self._current, self._word = index, word
