"""When "like", "so" and "actually" are fillers, and when they carry meaning.

Each of the three is a filler in "and then, like, you embed it", "So, um, the cache"
and "it doesn't help much, actually.", and a word doing its job in "like pages of
virtual memory", "so the cache grows" and "the loss actually went up". A word is
counted as a filler only on a sign that it is one: the punctuation Whisper writes
around it (it sets a filler off with commas), a filler or an intensifier right after
it, or its place (the word an answer opens with). With no such sign it is taken as
meant: a missed filler costs the candidate less than advice about a word they used
well. Measured on tests/fixtures/delivery/discourse.yaml by benchmarks/delivery.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.text import FILLER_WORDS, bare

#: The words judged here; every other filler phrase is counted wherever it is said.
DISCOURSE_WORDS = frozenset({"like", "so", "actually"})

#: Before "like", these make it the verb ("I'd like to") or a comparison ("looks like",
#: "not like full fine tuning"), whatever follows.
_LIKE_MEANT_AFTER = frozenset({
    "i", "you", "we", "they", "would", "i'd", "we'd", "you'd", "they'd", "don't", "didn't",
    "doesn't", "not", "to", "looks", "look", "looked", "seems", "seem", "sounds", "sound",
    "feels", "feel", "felt", "something", "just", "more", "less", "much", "exactly", "kind",
    "sort", "nothing", "anything",
})
#: After "like", a number makes it an approximation ("like ten milliseconds"): a filler.
_NUMBERS = frozenset({
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty",
    "fifty", "hundred", "hundreds", "thousand", "thousands", "million", "millions", "half",
    "maybe",
})
#: Words that, right after one of the three, show it was only filling the gap.
_FILLING_NEXT = frozenset({
    "really", "totally", "super", "literally", "basically", "yeah", "anyway", "just",
    "pretty", "like", "so", "actually",
}) | FILLER_WORDS
#: After "actually", a verb of opinion ("I'd actually say") softens rather than contrasts.
_OPINION = frozenset({"say", "think", "feel", "guess", "mean", "believe"})
#: Before a closing "so", these make it a pro-form: "I think so.", "if you do so."
_SO_MEANT_AFTER = frozenset({"think", "hope", "guess", "do", "said", "say", "believe"})


def _ends_clause(raw: str) -> bool:
    return raw.rstrip().endswith((",", ".", "?", "!", ";"))


def _opens(words: Sequence[str], i: int) -> bool:
    """Is words[i] the first word the answer says (only fillers before it)?"""
    return all(bare(w) in FILLER_WORDS for w in words[:i])


def is_filler_use(words: Sequence[str], i: int) -> bool:
    """Is ``words[i]`` ("like", "so" or "actually", as written with its punctuation)
    used as a filler? ``words`` is the whole answer, one transcript word each."""
    word = bare(words[i])
    if word not in DISCOURSE_WORDS:
        return False
    before = bare(words[i - 1]) if i > 0 else ""
    after = bare(words[i + 1]) if i + 1 < len(words) else ""
    if i >= 2 and bare(words[i - 2]) == word and before in FILLER_WORDS:
        return True  # a restart: "so, um, so the first step"
    if word == "like":
        # "just, like, freeze": a comma after the word before cuts "like" loose from it
        return _filler_like(words[i], "" if i and _ends_clause(words[i - 1]) else before, after)
    if word == "so":
        return _filler_so(words, i, before, after)
    if word == "actually":
        return _ends_clause(words[i]) or after in _FILLING_NEXT or after in _OPINION or (
            not after)
    return False


def _filler_like(raw: str, before: str, after: str) -> bool:
    if before in _LIKE_MEANT_AFTER:
        return False
    return _ends_clause(raw) or after in _FILLING_NEXT or after in _NUMBERS or (
        after.isdigit())


def _filler_so(words: Sequence[str], i: int, before: str, after: str) -> bool:
    if _opens(words, i):
        return True  # "So, ..." opening an answer says nothing yet
    if words[i].rstrip().endswith((".", "?", "!")) or not after:
        return before not in _SO_MEANT_AFTER  # a trailing "so." that goes nowhere
    if words[i].rstrip().endswith((",", ";")):
        # "and so, the cache grows" still means therefore, unless a filler follows
        meant = before in ("and", "even", "or") or before in _SO_MEANT_AFTER
        return not meant or after in _FILLING_NEXT
    return after in _FILLING_NEXT
