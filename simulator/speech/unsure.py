"""Which words of a transcript are likely misheard: the ones a person should check.

Whisper's word probability alone marks too much: on the demo it flagged 45 of 321
words, about 10 of them wrong, while real errors went unmarked. What else the
program knows says more. The decoder is biased toward the question's terms, so it
writes them with a low probability even when they were said: on the labelled set
only about one in ten such words below 0.5 was wrong, against nearly one in two of
the other words. The cross-check reads the answer a second time without that bias:
where that reading heard something else at the same moment, the first was wrong more
than half the time below 0.8 (against about a quarter where the two agree). A word
a correction stage put in (the glossary, a near-miss on the question's terms, the
cross-check) was chosen to match what the question expects, and is no longer the
decoder's guess.

The thresholds were set on a labelled set (benchmarks/transcription.py --unsure:
misheard words are known from each answer's script), by a grid search for the best
F1 on three fifths of its answers, and checked on the other two fifths and on a set
of answers written afterwards (tests/fixtures/eval/jargon4.yaml).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import replace

from simulator.speech.transcript import Word
from simulator.text import tokens

#: A word the second reading heard otherwise is marked unless the decoder was at least
#: this sure of it: even at 0.8 to 0.98 a third of such words were wrong.
DISPUTED_BELOW = 0.98
# The other threshold is stt.low_confidence (0.5 by default): any word heard less surely
# is marked. On the tuning set F1 barely moved from 0.45 to 0.64, so the default stands.

MEANING = "[word?] marks a word the transcriber probably misheard: check it first."
"""What a mark means, in one line, wherever marks are shown."""


def marked(words: list[Word], decoded: list[Word], unbiased: list[Word],
           doubted: float, terms: Iterable[str] = ()) -> list[Word]:
    """``words`` with ``unsure`` set on each likely misheard (see ``likely_wrong``); never
    a filler, a word of one of the question's ``terms`` (the bias wrote those with a low
    probability whether said or not), nor a word that is not among those the decoder
    gave (``decoded``): a correction stage put it in."""
    as_decoded = {_key(w) for w in decoded}
    expected = {t for term in terms for t in tokens(term)}
    near = _ByTime(unbiased)
    return [replace(w, unsure=not w.filler and _key(w) in as_decoded
                    and not set(tokens(w.word)) & expected and likely_wrong(
                        w, heard_otherwise(w, near.around(w)) if unbiased else None,
                        doubted))
            for w in words]


def likely_wrong(w: Word, disputed: bool | None, doubted: float) -> bool:
    """The rule for a word the decoder gave: heard with less probability than ``doubted``
    (stt.low_confidence), or ``disputed`` (the unbiased reading heard another word here)
    and heard with less than DISPUTED_BELOW. ``disputed`` is None when there was no
    second reading, and the probability is all there is to go by."""
    return w.probability < doubted or bool(disputed) and w.probability < DISPUTED_BELOW


def heard_otherwise(w: Word, unbiased: list[Word]) -> bool:
    """Did the second reading hear something other than ``w`` at its moment?"""
    mine = tokens(w.word)
    if not mine:
        return False
    theirs = [x for u in unbiased if overlaps(u, w.start, w.end) for x in tokens(u.word)]
    return not set(mine) <= set(theirs)


class _ByTime:
    """The words of a reading, found by when they were said: each word of a 3-minute
    answer was compared with every word of the other reading."""

    def __init__(self, words: list[Word]):
        self.words = sorted(words, key=lambda u: u.start)
        self.starts = [u.start for u in self.words]
        self.longest = max((u.end - u.start for u in words), default=0.0)

    def around(self, w: Word) -> list[Word]:
        """The words that may overlap ``w`` (a superset of those ``overlaps`` keeps)."""
        lo = bisect.bisect_left(self.starts, w.start - _SLACK_S - self.longest)
        hi = bisect.bisect_right(self.starts, w.end + _SLACK_S)
        return self.words[lo:hi]


def overlaps(w: Word, lo: float, hi: float) -> bool:
    """``w`` said over [lo, hi), give or take the two readings' timing differences."""
    return min(w.end, hi) - max(w.start, lo) > -_SLACK_S


#: Two readings place the same word up to about this much apart.
_SLACK_S = 0.1


def _key(w: Word) -> tuple[str, float, float]:
    return w.word, w.start, w.end
