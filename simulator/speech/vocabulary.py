"""Hearing the words a question expects: decoder bias, and correcting near-misses on them.

Two halves. Before decoding, the question and its rubric terms are given to
Whisper as ``hotwords``, which (unlike ``initial_prompt``) condition every
30 s window, not only the first. After decoding, a word the decoder was unsure
of that sounds or spells almost like one of the question's terms is replaced
by the term ("dpu memory" -> "GPU memory"). The correction is deliberately
narrow, because crediting a term the candidate never said is worse than missing
one: the decoder must have been unsure, the term's words must line up one to
one with what was heard, each changed word must be close to the term's word,
a word that belongs to another of the question's terms is never changed, and
a change to an everyday word is made only when the decoder was very unsure.

A mishearing can also split or merge words ("on scene data" for "unseen data",
"Okay, V cache" for "KV cache"), which a word-for-word match cannot see. For
those, a term of two or more words that the transcript lacks is matched by
sound, and only around an anchor: the term's first or last content word must
have been heard as such, the rest must sound alike (see ``phonetic``), and every
word replaced must be a function word or one the decoder was unsure of (or, when
the rest sounds all but the same, one it was only fairly sure of).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz

from simulator.speech import phonetic
from simulator.speech.term_match import term_heard
from simulator.speech.transcript import Correction, Transcript, Word, said_as, without_closing_marks
from simulator.text import STOPWORDS, bare_alnum, stem

#: How specific a word is in this field (its inverse frequency over the banks' rubrics):
#: given by the caller, so hearing does not depend on the judge that computes it.
WordRarity = Callable[[str], float]

#: A word at least this rare in the banks' rubrics is jargon, so a near-miss on it is a
#: mishearing rather than another everyday word.
SPECIALIST_RARITY = 4.0
#: Decoder bias is cut to this many terms: hotwords take at most half the context.
MAX_BIAS_TERMS = 40
#: Below this word probability, the decoder was unsure enough for a close match to win.
UNSURE = 0.5
#: ...and below this, a change to an everyday word may be made too.
VERY_UNSURE = 0.3
#: A near-exact match (one letter off) may correct a fairly confident word...
NEAR_EXACT = 0.95
#: ...but not one the decoder was at least this sure of.
SURE = 0.9
#: How alike (0..1, by letters) what was heard and the term must be at the least.
CLOSE = 0.8
#: How alike (0..1, by sound) the unanchored rest of a term and what was heard must be.
SOUNDS_ALIKE = 0.75
#: A word the decoder was fairly sure of may still be replaced by sound...
FAIRLY_SURE = 0.8
#: ...when the rest of the term sounds this much like it.
SOUNDS_SAME = 0.85
#: Pronoun contractions are function words too, for deciding what may be rewritten.
_CONTRACTIONS = frozenset({"id", "im", "ive", "ill", "its", "thats", "theres", "youre",
                           "weve", "were", "theyre", "hes", "shes", "lets"})


@dataclass(frozen=True)
class Vocabulary:
    """What one question leads the transcriber to expect."""

    bias: str
    """Text given to the decoder as hotwords on every window."""
    terms: tuple[str, ...]
    """Terms a near-miss may be corrected to."""
    rarity: WordRarity | None = field(default=None, compare=False)
    """How specific a word is in this field; None when there are no terms to correct to."""

    @classmethod
    def empty(cls) -> Vocabulary:
        return cls("", ())

    def specialist(self, word: str) -> bool:
        """A word rare in everyday speech (jargon), so a near-miss on it is a mishearing."""
        return any(c.isdigit() for c in word) or (
            len(word) >= 3 and self.rarity is not None
            and _rarity(self.rarity, word) >= SPECIALIST_RARITY)


@lru_cache(maxsize=16384)
def _rarity(rarity: WordRarity, word: str) -> float:
    return rarity(word)


def for_question(prompt: str, rubric_terms: Iterable[str], extra: Iterable[str] = (), *,
                 rarity: WordRarity) -> Vocabulary:
    """The question's prompt and its rubric terms (then any extra terms), each once."""
    terms: list[str] = []
    for t in [*rubric_terms, *extra]:
        t = " ".join(t.split())
        if t and t.lower() not in (x.lower() for x in terms):
            terms.append(t)
    bias = f"{' '.join(prompt.split())} {', '.join(terms[:MAX_BIAS_TERMS])}.".strip()
    return Vocabulary(bias, tuple(terms), rarity)


@lru_cache(maxsize=4096)
def _term_words(term: str) -> tuple[str, ...]:
    return tuple(w for w in (bare_alnum(x) for x in term.replace("-", " ").split()) if w)


def _pair_ok(heard: Word, said: str, at: int, n_words: int, known: frozenset[str],
             vocabulary: Vocabulary) -> bool:
    h = bare_alnum(heard.word)
    if h == said:
        return True
    if h in known:
        return False  # a word of another expected term was heard: "equivariant" stays
    if stem(h) == stem(said):
        # "page attention" -> "paged attention": a modifier inside a multi-word term, and
        # only when unsure; a final noun's plural ("bigger batches") is left as said.
        return at < n_words - 1 and heard.probability < UNSURE
    if h in STOPWORDS or said in STOPWORDS:
        return False  # "that" for "the" changes nothing worth the risk
    if _unglued(h, said) == said:
        return True  # a short word ran into the term: "across encoder", "incancer screening"
    if h in said or said in h:
        return False  # "rank" is not "rerank", "LoRA" is not "QLoRA"
    if not (vocabulary.specialist(said) or heard.probability < VERY_UNSURE):
        return False  # an everyday word heard fairly surely may well have been said
    return fuzz.ratio(h, said) >= 50 or jellyfish.metaphone(h) == jellyfish.metaphone(said)


#: Short words the decoder runs into the next word ("a cross" -> "across").
_GLUED = ("a", "an", "the", "in", "on", "to", "of", "and")


def _unglued(heard: str, said: str) -> str:
    """``said`` when ``heard`` is one of the _GLUED words run into it, else ``heard``."""
    if len(said) >= 4 and heard.endswith(said) and heard[: -len(said)] in _GLUED:
        return said
    return heard


def _candidates(words: list[Word], vocabulary: Vocabulary
                ) -> list[tuple[float, int, int, str]]:
    out = []
    bare = [bare_alnum(w.word) for w in words]
    terms = vocabulary.terms
    known = frozenset(w for t in terms for w in _term_words(t))
    for term in terms:
        tw = _term_words(term)
        n = len(tw)
        if not tw or (n == 1 and len(tw[0]) < 5 and not vocabulary.specialist(tw[0])):
            continue
        joined = "".join(tw)
        for i in range(len(words) - n + 1):
            window = bare[i:i + n]
            if tuple(window) == tw or "" in window:
                continue
            if any(words[i + k].filler for k in range(n)):
                continue
            if not all(_pair_ok(words[i + k], tw[k], k, n, known, vocabulary)
                       for k in range(n)):
                continue
            sim = fuzz.ratio("".join(_unglued(window[k], tw[k]) for k in range(n)),
                             joined) / 100
            unsure = min(words[i + k].probability for k in range(n) if window[k] != tw[k])
            if (sim >= CLOSE and unsure < UNSURE) or (sim >= NEAR_EXACT and unsure < SURE):
                out.append((sim, i, n, term))
    return out


def _function_word(word: str) -> bool:
    return word in STOPWORDS or word in _CONTRACTIONS


def _same(heard: str, said: str) -> bool:
    return heard == said or stem(heard) == stem(said)


def _anchor(window: list[str], term: tuple[str, ...], at_end: bool) -> int:
    """How many of the term's words the window shares at its end (or its start)."""
    m = 0
    while m < min(len(window), len(term)) and _same(window[-1 - m] if at_end else window[m],
                                                    term[-1 - m] if at_end else term[m]):
        m += 1
    return m


def _may_rewrite(words: list[Word], bare: list[str], rest: range, others: set[str],
                 unsure: float = UNSURE) -> bool:
    """Whether the sound stage may replace these words: none is a content word of
    another expected term, at least one was heard unsure, and every content word was."""
    content = [x for x in rest if not _function_word(bare[x])]
    return (not any(bare[x] in others for x in content)
            and any(words[x].probability < unsure for x in rest)
            and all(words[x].probability < unsure for x in content))


def _sound_candidates(words: list[Word], terms: tuple[str, ...], text: str
                      ) -> list[tuple[float, int, int, str]]:
    """Terms of two or more words the transcript lacks, found by sound next to an anchor:
    (likeness, first word, number of words, term)."""
    bare = [bare_alnum(w.word) for w in words]
    pairs: list[tuple[str, str, int, int, str, float]] = []
    for term in terms:
        tw = _term_words(term)
        n = len(tw)
        if n < 2 or term_heard(term, text):
            continue
        # A word that belongs to another of the question's terms is never rewritten.
        others = {w for o in terms if o != term for w in _term_words(o)} - set(tw)
        # An anchor starts with the term's first word or ends with its last: found once
        # here, not for each window (a 3-minute answer has thousands of them).
        starts = [_same(b, tw[0]) for b in bare]
        ends = [_same(b, tw[-1]) for b in bare]
        for i in range(len(words)):
            for k in range(2, n + 3):
                window = bare[i:i + k]
                if len(window) < k or "" in window or any(w.filler for w in words[i:i + k]):
                    break
                for at_end in (True, False):
                    if not (ends[i + k - 1] if at_end else starts[i]):
                        continue
                    m = _anchor(window, tw, at_end)
                    if m == 0 or m >= k or m >= n:
                        continue
                    anchor, missing = (tw[n - m:], tw[:n - m]) if at_end else (tw[:m], tw[m:])
                    if all(_function_word(a) for a in anchor):
                        continue  # "throws with" is not anchored by "with"
                    if all(_function_word(w) for w in missing):
                        continue  # "that" for "the" changes nothing worth the risk
                    rest = range(i, i + k - m) if at_end else range(i + m, i + k)
                    if _may_rewrite(words, bare, rest, others):
                        need = SOUNDS_ALIKE
                    elif _may_rewrite(words, bare, rest, others, FAIRLY_SURE):
                        need = SOUNDS_SAME
                    else:
                        continue
                    heard = " ".join(re.sub(r"[^\w'-]", "", words[x].word) for x in rest)
                    pairs.append((heard, " ".join(missing), i, k, term, need))
    if not pairs:
        return []
    sounds = phonetic.keys([x for p in pairs for x in p[:2]])
    if sounds is None:
        return []
    best: dict[str, tuple[float, int, int, str]] = {}
    for j, (_heard, _said, i, k, term, need) in enumerate(pairs):
        likeness = phonetic.alike(sounds[2 * j], sounds[2 * j + 1])
        if likeness >= need and likeness > best.get(term, (0.0,))[0]:
            best[term] = (likeness, i, k, term)  # one place per term: the likeliest
    return list(best.values())


def correct_words(words: list[Word], vocabulary: Vocabulary
                  ) -> tuple[list[Word], list[Correction]]:
    """Replace near-misses on the terms, best match first, never two on one word; then
    terms still missing, by sound."""
    out, fixes = _replace(words, _candidates(words, vocabulary))
    text = " ".join(w.word for w in out)
    more, by_sound = _replace(out, _sound_candidates(out, vocabulary.terms, text))
    return more, fixes + by_sound


def _replace(words: list[Word], candidates: list[tuple[float, int, int, str]]
             ) -> tuple[list[Word], list[Correction]]:
    taken: set[int] = set()
    chosen = []
    for _sim, i, n, term in sorted(candidates, reverse=True):
        span = set(range(i, i + n))
        if span & taken:
            continue
        taken |= span
        chosen.append((i, n, term))
    out = list(words)
    fixes = []
    for i, n, term in sorted(chosen, reverse=True):
        heard = " ".join(w.word.strip() for w in out[i:i + n])
        out[i:i + n] = [said_as(out[i:i + n], term)]
        fixes.append(Correction(without_closing_marks(heard), term))
    return out, fixes[::-1]


def correct(t: Transcript, vocabulary: Vocabulary) -> tuple[Transcript, list[Correction]]:
    """The transcript with near-misses on the question's terms corrected; text rebuilt
    from the words so the two agree."""
    if t.silent or not vocabulary.terms or not t.words:
        return t, []
    words, fixes = correct_words(t.words, vocabulary)
    if not fixes:
        return t, []
    return t.with_words(words), fixes

