"""Turning a transcript into clauses of stemmed tokens, keeping where each word was."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "sixteen": "16", "twenty": "20", "thirty": "30", "sixty": "60", "hundred": "100",
}
# Contractions that hide a negation or a verb; possessive 's is left alone.
_CONTRACTIONS = [
    (re.compile(r"\b(can)'?t\b"), r"\1 not"), (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\b(\w+)n't\b"), r"\1 not"),
    (re.compile(r"\b(it|that|there|what|here|he|she)'s\b"), r"\1 is"),
    (re.compile(r"\b(\w+)'(re)\b"), r"\1 are"), (re.compile(r"\b(\w+)'(ll)\b"), r"\1 will"),
    (re.compile(r"\b(\w+)'(ve)\b"), r"\1 have"), (re.compile(r"\bi'm\b"), "i am"),
]
_WORD = re.compile(r"[a-z0-9]+")
_CLAUSE_BREAK = re.compile(r"[.?!;:]+\s|[.?!;:]+$|\s(?:but|however|whereas|although)\s")
_STEMMER = snowballstemmer.stemmer("english")

STOPWORDS = frozenset("""
a an the and or of to in on at for with by from as is are was were be been being it its this
that these those there here so then than too very just really also into onto over under about
i you we they he she me my our your their his her them us do does did done doing have has had
having can could would should will shall may might must if when while which who whom whose what
how why where all any some each every more most much many such own same other another both few
not no nor only out up down off again further once yeah um uh like well okay ok kind sort thing
things stuff get gets got getting make makes made use used uses using one way lot lots bit
itself themselves himself herself myself yourself ourselves cannot
""".split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


@dataclass(frozen=True)
class Token:
    text: str
    stem: str
    start: int
    end: int


@dataclass(frozen=True)
class Clause:
    """A stretch of the transcript that makes one claim, more or less."""

    start: int
    end: int
    tokens: list[Token]

    @property
    def stems(self) -> list[str]:
        return [t.stem for t in self.tokens]


def normalise(text: str) -> str:
    """Lowercase, contractions expanded; same length is not kept, so use offsets from this."""
    out = text.lower().replace("\u2019", "'")
    for pattern, repl in _CONTRACTIONS:
        out = pattern.sub(repl, out)
    return out


def word_tokens(text: str) -> list[Token]:
    toks = []
    for m in _WORD.finditer(text):
        w = _NUMBER_WORDS.get(m.group(0), m.group(0))
        toks.append(Token(w, stem(w), m.start(), m.end()))
    return toks


def term_stems(term: str) -> list[str]:
    """A rubric term as stems ('four bit' -> ['4', 'bit'], 're-ranking' -> ['re', 'rank'])."""
    return [t.stem for t in word_tokens(normalise(term.replace("-", " ")))]


def clauses(text: str) -> tuple[str, list[Clause]]:
    """The normalised text and its clauses (split at sentence ends and contrast words)."""
    norm = normalise(text.replace("-", " "))
    out = []
    pos = 0
    for m in _CLAUSE_BREAK.finditer(norm):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(norm)))
    result = []
    for a, b in [piece for span in out for piece in _comma_chunks(norm, *span)]:
        toks = [Token(t.text, t.stem, t.start + a, t.end + a) for t in word_tokens(norm[a:b])]
        if toks:
            result.append(Clause(a, b, toks))
    return norm, result


#: A clause longer than this many words is read in comma-separated chunks...
LONG_CLAUSE = 50
#: ...of about this many words each.
CHUNK = 30


def _comma_chunks(norm: str, a: int, b: int) -> list[tuple[int, int]]:
    """A long clause cut at commas into chunks of about CHUNK words. Decoding biased
    toward the question's terms often joins a whole answer with commas instead of
    sentence ends; read as one clause, words from five different thoughts would add up
    to a point none of them makes, and a denial anywhere would reach all of them."""
    if len(_WORD.findall(norm[a:b])) <= LONG_CLAUSE:
        return [(a, b)]
    chunks: list[tuple[int, int]] = []
    start = piece_start = a
    words = 0
    for m in re.finditer(",", norm[a:b]):
        n = len(_WORD.findall(norm[piece_start:a + m.start()]))
        if words and words + n > CHUNK:
            chunks.append((start, piece_start))
            start, words = piece_start, 0
        words += n
        piece_start = a + m.end()
    chunks.append((start, b))
    return chunks


def tokens(text: str) -> list[str]:
    """Plain word tokens with number words as digits, for simple comparisons."""
    return [t.text for t in word_tokens(normalise(text.replace("-", " ")))]
