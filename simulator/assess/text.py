"""Turning a transcript into clauses of stemmed tokens, keeping where each word was."""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.text import WORD_RE, Token, normalise, word_tokens

_CLAUSE_BREAK = re.compile(r"[.?!;:]+\s|[.?!;:]+$|\s(?:but|however|whereas|although)\s")


@dataclass(frozen=True)
class Clause:
    """A stretch of the transcript that makes one claim, more or less."""

    start: int
    end: int
    tokens: list[Token]

    @property
    def stems(self) -> list[str]:
        return [t.stem for t in self.tokens]


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
    if len(WORD_RE.findall(norm[a:b])) <= LONG_CLAUSE:
        return [(a, b)]
    chunks: list[tuple[int, int]] = []
    start = piece_start = a
    words = 0
    for m in re.finditer(",", norm[a:b]):
        n = len(WORD_RE.findall(norm[piece_start:a + m.start()]))
        if words and words + n > CHUNK:
            chunks.append((start, piece_start))
            start, words = piece_start, 0
        words += n
        piece_start = a + m.end()
    chunks.append((start, b))
    return chunks
