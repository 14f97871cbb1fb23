"""Which words of a transcript are likely misheard: the ones a person should check.

Whisper's word probability alone marks too much: on the demo it flagged 45 of 321
words, about 10 of them wrong, while real errors went unmarked. What else the
program knows says more. The cross-check reads the answer a second time without
the vocabulary bias: where that reading heard something else at the same moment,
one of the two is wrong. A word a correction stage put in (the glossary, a
near-miss on the question's terms, the cross-check) was chosen to match what the
question expects, and is no longer the decoder's guess.

The thresholds were set on a labelled set (benchmarks/transcription.py --unsure:
misheard words are known from each answer's script) and checked on a part held out.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.speech.transcript import Word
from simulator.text import tokens

#: Below this probability a word is marked whatever else is known: the decoder was
#: guessing.
GUESSED = 0.15

MEANING = "[word?] marks a word the transcriber probably misheard: check it first."
"""What a mark means, in one line, wherever marks are shown."""


def marked(words: list[Word], decoded: list[Word], unbiased: list[Word],
           doubted: float) -> list[Word]:
    """``words`` with ``unsure`` set on each likely misheard: heard with less probability
    than GUESSED, or than ``doubted`` (stt.low_confidence) where the ``unbiased`` reading
    heard something else; never a filler, nor a word that is not among those the decoder
    gave (``decoded``): a correction stage put it in."""
    as_decoded = {_key(w) for w in decoded}
    return [replace(w, unsure=not w.filler and _key(w) in as_decoded and likely_wrong(
        w, heard_otherwise(w, unbiased) if unbiased else None, doubted)) for w in words]


def likely_wrong(w: Word, disputed: bool | None, doubted: float) -> bool:
    """The rule: ``disputed`` is whether the unbiased reading heard another word here
    (None when there was no second reading, and the probability is all there is to go
    by); nothing heard surer than ``doubted`` is marked."""
    if disputed is None:
        return w.probability < doubted
    return w.probability < min(GUESSED, doubted) or (disputed and w.probability < doubted)


def heard_otherwise(w: Word, unbiased: list[Word]) -> bool:
    """Did the second reading hear something other than ``w`` at its moment?"""
    mine = tokens(w.word)
    if not mine:
        return False
    theirs = [x for u in unbiased if _overlaps(u, w.start, w.end) for x in tokens(u.word)]
    return not set(mine) <= set(theirs)


def _overlaps(w: Word, lo: float, hi: float) -> bool:
    """``w`` said over [lo, hi), give or take the two readings' timing differences."""
    return min(w.end, hi) - max(w.start, lo) > -_SLACK_S


#: Two readings place the same word up to about this much apart.
_SLACK_S = 0.1


def _key(w: Word) -> tuple[str, float, float]:
    return w.word, w.start, w.end
