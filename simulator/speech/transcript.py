"""What a reading of an answer is made of: words with their times, and the texts built
from them. Pure values and the helpers that make new ones; nothing here decodes audio.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from simulator.text import is_filler, strip_fillers


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float
    probability: float
    filler: bool = False
    """An um, uh, er or hmm: counted by the delivery coach, ignored by the judge."""
    unsure: bool = False
    """Likely misheard: marked for the candidate to check (see ``unsure``)."""


@dataclass(frozen=True)
class Correction:
    """Words of a reading replaced by a term that was said."""

    heard: str
    term: str


@dataclass(frozen=True)
class Transcript:
    text: str
    """What was said, fillers removed: what the judge reads."""
    words: list[Word] = field(default_factory=list)
    """Every word with its timing, fillers included."""
    silent: bool = False
    """True when no speech was found: the answer is recorded as silent."""
    verbatim: str = ""
    """The decoder's text, fillers kept."""
    unbiased: list[Word] = field(default_factory=list)
    """A second reading made without the vocabulary bias, when one was made: evidence for
    the question's terms (see ``cross_check``), not a transcript of its own."""

    @classmethod
    def nothing(cls) -> Transcript:
        """No speech heard."""
        return cls("", [], silent=True)

    @classmethod
    def joined(cls, parts: list[Transcript]) -> Transcript:
        """Readings of consecutive stretches of one answer (each timed on the answer) as one."""
        spoken = [p for p in parts if not p.silent]
        if len(spoken) <= 1:
            return spoken[0] if spoken else cls.nothing()
        verbatim = " ".join(p.verbatim for p in spoken)
        return cls(strip_fillers(verbatim), [w for p in spoken for w in p.words], False,
                   verbatim, [w for p in spoken for w in p.unbiased])

    def shifted(self, by: float) -> Transcript:
        """This transcript with every time (both readings') ``by`` seconds later."""
        return replace(self, words=shifted(self.words, by), unbiased=shifted(self.unbiased, by))

    def with_words(self, words: list[Word]) -> Transcript:
        """This transcript made of ``words`` instead, its text rebuilt from them."""
        # Whisper gives the second half of a hyphenated word as a word of its own
        # ("pre", "-trained"): it is written on to the first.
        verbatim = re.sub(r" (?=-\w)", "", " ".join(w.word.strip() for w in words))
        return replace(self, text=strip_fillers(verbatim), words=words, verbatim=verbatim,
                       silent=not any(not w.filler for w in words))


def shifted(words: list[Word], by: float) -> list[Word]:
    """``words`` said ``by`` seconds later."""
    return [replace(w, start=round(w.start + by, 3), end=round(w.end + by, 3)) for w in words]


def replaced(words: list[Word], gone: Callable[[Word], bool], new: list[Word]) -> list[Word]:
    """``words`` without those ``gone`` picks and with ``new``; a filler stays unless a new
    word is said over it."""
    def kept(w: Word) -> bool:
        if not is_filler(w.word):
            return not gone(w)
        return not any(n.start < (w.start + w.end) / 2 < n.end for n in new)

    return sorted([w for w in words if kept(w)] + new, key=lambda w: w.start)


def said_as(words: list[Word], term: str) -> Word:
    """``words`` heard as the one ``term``: its time spans them all, its probability is that
    of the least sure of them, and closing punctuation is kept so the sentence still ends."""
    tail = re.findall(r"[,.!?]+$", words[-1].word)
    return replace(words[0], word=term + (tail[0] if tail else ""), end=words[-1].end,
                   probability=min(w.probability for w in words))


def without_closing_marks(text: str) -> str:
    return re.sub(r"[,.!?]+$", "", text)
