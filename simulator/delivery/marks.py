"""Where the delivery figures sit in the words: fillers, hedges and silences marked in a
transcript, so the app, the Markdown report and the HTML page show them in place.

The figures point at times (an Item's start, a Pause's start); the transcript the
candidate reads is text (fillers taken out, corrections made). The marks come from the
times: each counted phrase is found at the word that starts when it does, and the text is
lined up with the words in order, as the unsure marks are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.delivery.metrics import Delivery
from simulator.text import bare, is_filler

FILLER = "filler"
HEDGE = "hedge"
PAUSE = "pause"
#: Timestamps are stored to the hundredth; an item starts "at" a word within this.
_SAME_TIME_S = 0.005
#: How far ahead in the word list a word of the text is looked for: a correction can
#: join or split a word or two, never more.
_LOOKAHEAD = 3


@dataclass(frozen=True)
class Span:
    """One piece of a marked transcript: a word as written, a filler that the text left
    out, or a silence."""

    text: str
    """The word with its punctuation, or '2.1 s' for a silence."""
    kind: str = ""
    """'' (a word said), FILLER, HEDGE or PAUSE."""
    said: int | None = None
    """The index in the timed words this span was matched to, when it was."""


def _field(word: Any, name: str) -> Any:
    """A timed word's field, whether it is an event's WordTiming or a session's dict."""
    return word[name] if isinstance(word, Mapping) else getattr(word, name)


def _dropped(word: Any) -> bool:
    """Left out of the transcript the judge reads (um, uh): see text.strip_fillers."""
    return bool(_field(word, "filler")) or is_filler(_field(word, "word"))


def word_marks(words: Sequence[Any], delivery: Delivery | None) -> list[str]:
    """FILLER, HEDGE or '' for each timed word, from the phrases the figures counted."""
    marks = [""] * len(words)
    if delivery is None:
        return marks
    starts = [float(_field(w, "start")) for w in words]
    for kind, items in ((HEDGE, delivery.hedges.items), (FILLER, delivery.fillers.items)):
        for item in items:
            first = item.word.split()[0]
            at = next((j for j, s in enumerate(starts) if abs(s - item.start) <= _SAME_TIME_S
                       and bare(_field(words[j], "word")) == first), None)
            if at is None:
                continue
            for j in range(at, min(at + len(item.word.split()), len(words))):
                marks[j] = kind  # fillers last: "kind of" as a filler is not a hedge
    return marks


def pauses_before(words: Sequence[Any], delivery: Delivery | None) -> list[float]:
    """For each timed word, the silence (seconds) the figures counted just before it."""
    out = [0.0] * len(words)
    if delivery is None or not words:
        return out
    for p in delivery.pauses:
        at = next((j for j, w in enumerate(words)
                   if float(_field(w, "start")) >= p.start - _SAME_TIME_S), None)
        if at is not None:
            out[at] = max(out[at], p.duration_s)
    return out


def marked_transcript(text: str, words: Sequence[Any],
                      delivery: Delivery | None) -> list[Span]:
    """``text`` word by word, each word of a counted filler or hedge marked, the fillers
    the text left out put back where they were said, and each counted silence placed
    where it fell. Words of the text not found among the timed words stay unmarked."""
    marks = word_marks(words, delivery)
    gaps = pauses_before(words, delivery)
    out: list[Span] = []
    done = 0  # timed words placed so far
    for token in text.split():
        found = _match(words, done, bare(token))
        if found is None:
            out.append(Span(token))
            continue
        out += _between(words, marks, gaps, done, found)
        gap = gaps[found]
        out += [Span(f"{gap:.1f} s", PAUSE)] if gap else []
        out.append(Span(token, marks[found], found))
        done = found + 1
    return out + _between(words, marks, gaps, done, len(words))


def _match(words: Sequence[Any], done: int, token: str) -> int | None:
    """The index of the timed word ``token`` is, among the next few the text keeps."""
    looked = 0
    for j in range(done, len(words)):
        if _dropped(words[j]):
            continue
        if bare(_field(words[j], "word")) == token:
            return j
        looked += 1
        if looked >= _LOOKAHEAD:
            return None
    return None


def _between(words: Sequence[Any], marks: list[str], gaps: list[float], lo: int,
             hi: int) -> list[Span]:
    """The fillers the text left out among words[lo:hi], with the silences before them."""
    out: list[Span] = []
    for j in range(lo, hi):
        if not _dropped(words[j]):
            continue
        if gaps[j]:
            out.append(Span(f"{gaps[j]:.1f} s", PAUSE))
        out.append(Span(bare(_field(words[j], "word")), FILLER, j))
    return out
