"""A second reading of the answer, made without the vocabulary bias, as evidence for terms.

The biased reading hears this field's jargon far better than a plain one, and is
still the one that now and then garbles a stretch: a word cut in two where one
30 s window ends ("control People frequency"), a term written as noise ("sake v
cache"). A reading made without the bias cuts its windows in other places, and
it has no reason to write one of the question's terms that was not said. So where
the unbiased reading has a term, and the biased one has other words at the same
moment that the decoder was unsure of, the term was said: those words give way
to the unbiased reading's.

Nothing else is taken from the unbiased reading: it hears jargon worse, and
choosing between two readings word by word by their confidence was tried and
made things worse (a surer reading is not a righter one).
"""

from __future__ import annotations

from collections.abc import Iterable

from simulator.speech.term_match import heard_in
from simulator.speech.transcript import Correction, Word, replaced
from simulator.text import is_filler, stem, tokens


def corroborated(words: list[Word], unbiased: list[Word], terms: Iterable[str],
                 unsure: float) -> tuple[list[Word], list[Correction]]:
    """``words`` with each term the ``unbiased`` reading heard, where ``words`` has at that
    moment something else with at least one word heard with less probability than
    ``unsure``; never over another of the terms."""
    wanted = {t: tokens(t) for t in terms}
    said_tokens = [tokens(w.word) for w in unbiased]
    everything = [x for ts in said_tokens for x in ts]
    out = list(words)
    fixes: list[Correction] = []
    for term, want in wanted.items():
        if not heard_in(want, everything):
            continue
        for i, j in _places(said_tokens, want):
            said = unbiased[i:j]
            lo, hi = said[0].start, said[-1].end
            old = [w for w in out if not is_filler(w.word) and _overlaps(w, lo, hi)]
            old_text = tokens(" ".join(w.word for w in old))
            said_text = [x for ts in said_tokens[i:j] for x in ts]
            if (not old or heard_in(want, old_text)
                    or min(w.probability for w in old) >= unsure
                    or any(heard_in(other, old_text) and not heard_in(other, said_text)
                           for t, other in wanted.items() if t != term)):
                continue
            out = replaced(out, old.__contains__, said)
            fixes.append(Correction(" ".join(w.word.strip(",.!?") for w in old),
                                    " ".join(w.word for w in said)))
    return out, fixes


def _places(said: list[list[str]], want: list[str]) -> list[tuple[int, int]]:
    """The shortest runs of words (each cut into tokens) in which the term ``want`` is
    heard: (first, end)."""
    places = []
    first, joined = stem(want[0]), "".join(want)
    for i in range(len(said)):
        # The shortest run begins with the term: one of its first word's tokens starts it
        # (as itself, its stem, or its first letters run together).
        if not any(t == want[0] or stem(t) == first or joined.startswith(t) for t in said[i]):
            continue
        for j in range(i + 1, min(len(said), i + len(want) + 2) + 1):
            if heard_in(want, [x for ts in said[i:j] for x in ts]):
                if not heard_in(want, [x for ts in said[i + 1:j] for x in ts]):
                    places.append((i, j))
                break
    return places


def _overlaps(w: Word, lo: float, hi: float) -> bool:
    """Whether ``w`` was said over [lo, hi): the two share at least half the shorter of
    them (two readings time the same word a little differently)."""
    shared = min(w.end, hi) - max(w.start, lo)
    return shared > 0 and shared >= 0.5 * min(w.end - w.start, hi - lo)
