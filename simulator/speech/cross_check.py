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

from simulator.assess.text import tokens
from simulator.speech.glossary import Correction
from simulator.speech.stt import Word
from simulator.speech.term_match import term_heard


def corroborated(words: list[Word], unbiased: list[Word], terms: Iterable[str],
                 unsure: float) -> tuple[list[Word], list[Correction]]:
    """``words`` with each term the ``unbiased`` reading heard, where ``words`` has at that
    moment something else with at least one word heard with less probability than
    ``unsure``; never over another of the terms."""
    terms = list(dict.fromkeys(terms))
    text = " ".join(w.word for w in unbiased)
    out = list(words)
    fixes: list[Correction] = []
    for term in terms:
        if not term_heard(term, text):
            continue
        for i, j in _places(unbiased, term):
            said = unbiased[i:j]
            lo, hi = said[0].start, said[-1].end
            old = [w for w in out if not w.filler and _overlaps(w, lo, hi)]
            old_text = " ".join(w.word for w in old)
            said_text = " ".join(w.word for w in said)
            if (not old or term_heard(term, old_text)
                    or min(w.probability for w in old) >= unsure
                    or any(term_heard(t, old_text) and not term_heard(t, said_text)
                           for t in terms if t != term)):
                continue
            out = _replaced(out, old, said)
            fixes.append(Correction(" ".join(w.word.strip(",.!?") for w in old), said_text))
    return out, fixes


def _places(words: list[Word], term: str) -> list[tuple[int, int]]:
    """The shortest runs of ``words`` in which ``term`` is heard: (first, end)."""
    n = len(tokens(term))
    places = []
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + n + 2) + 1):
            if term_heard(term, " ".join(w.word for w in words[i:j])):
                if not term_heard(term, " ".join(w.word for w in words[i + 1:j])):
                    places.append((i, j))
                break
    return places


def _overlaps(w: Word, lo: float, hi: float) -> bool:
    """Whether ``w`` was said over [lo, hi): the two share at least half the shorter of
    them (two readings time the same word a little differently)."""
    shared = min(w.end, hi) - max(w.start, lo)
    return shared > 0 and shared >= 0.5 * min(w.end - w.start, hi - lo)


def _replaced(words: list[Word], old: list[Word], new: list[Word]) -> list[Word]:
    """``words`` without ``old`` and with ``new``; a filler stays unless a new word is said
    over it."""
    gone = {id(w) for w in old}
    kept = [w for w in words if id(w) not in gone
            and not (w.filler and any(n.start < (w.start + w.end) / 2 < n.end for n in new))]
    return sorted(kept + new, key=lambda w: w.start)
