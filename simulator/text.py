"""Text utilities shared by hearing and judging: word tokens, bare forms, stems, fillers.

This module sits below every other part of the package and imports none of it, so
the transcriber's clean-up and the judge cut words the same way.
"""

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
WORD_RE = re.compile(r"[a-z0-9]+")
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

FILLER_WORDS = frozenset({"um", "uh", "er", "erm", "hmm", "hm", "mm", "ah", "uhm", "umm", "uhh"})
_FILLER_RE = re.compile(r"(?i)(?<![\w'])(?:" + "|".join(sorted(FILLER_WORDS, key=len, reverse=True))
                        + r")(?![\w'])[,.!?]?")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def bare(word: str) -> str:
    """A word as said: lower case, punctuation gone, apostrophes kept ("don't")."""
    return re.sub(r"[^\w']", "", word.lower())


def bare_alnum(word: str) -> str:
    """Only the letters and digits of a word: how a term's words are compared, so "GPT-4"
    and "gpt4" match."""
    return re.sub(r"[^a-z0-9]", "", word.lower())


def bare_hyphenated(word: str) -> str:
    """``bare`` that keeps hyphens: a glossary variant like "re-rank" is matched as written."""
    return re.sub(r"[^\w'-]", "", word.lower())


def is_filler(word: str) -> bool:
    return bare(word) in FILLER_WORDS


def strip_fillers(text: str) -> str:
    """The text the judge reads: what was said, without the fillers."""
    out = _FILLER_RE.sub("", text)
    out = re.sub(r"\s+([,.!?])", r"\1", out)
    out = re.sub(r"([,.!?])(?:\s*[,])+", r"\1", out)
    out = re.sub(r"^\s*[,.]\s*", "", out)
    return re.sub(r"\s{2,}", " ", out).strip()


@dataclass(frozen=True)
class Token:
    text: str
    stem: str
    start: int
    end: int


def normalise(text: str) -> str:
    """Lowercase, contractions expanded; same length is not kept, so use offsets from this."""
    out = text.lower().replace("\u2019", "'")
    for pattern, repl in _CONTRACTIONS:
        out = pattern.sub(repl, out)
    return out


def word_tokens(text: str) -> list[Token]:
    toks = []
    for m in WORD_RE.finditer(text):
        w = _NUMBER_WORDS.get(m.group(0), m.group(0))
        toks.append(Token(w, stem(w), m.start(), m.end()))
    return toks


def term_stems(term: str) -> list[str]:
    """A rubric term as stems ('four bit' -> ['4', 'bit'], 're-ranking' -> ['re', 'rank'])."""
    return [t.stem for t in word_tokens(normalise(term.replace("-", " ")))]


def tokens(text: str) -> list[str]:
    """Plain word tokens with number words as digits, for simple comparisons."""
    return [t.text for t in word_tokens(normalise(text.replace("-", " ")))]


# An escape sequence as a whole (CSI, OSC, DCS and the like, or ESC with its
# intermediates and final), so no "[31m" is left behind; then any other control
# character, C0 and C1, and the bidirectional overrides that can make printed text
# read differently from what it is.
_ESCAPE_RE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[ -/]*[0-~]?)"
    r"|\x9b[0-?]*[ -/]*[@-~]?|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*[\x07\x9c]?")
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, newlines: bool = True) -> str:
    """Text from a file or a recording made safe to print to a terminal: escape
    sequences and control characters removed, a tab as a space; newlines are kept
    unless ``newlines`` is false (then they become spaces)."""
    out = _ESCAPE_RE.sub("", text).replace("\t", " ")
    if not newlines:
        out = out.replace("\r\n", " ").replace("\n", " ")
    return _CONTROL_RE.sub("", out)
