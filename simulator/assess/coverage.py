"""Offline rubric coverage: which points an answer covers, with the words that show it.

A point is covered when one of its terms (or a close, transcription-tolerant
match of it) appears in a claim that is not negated. A term inside a negated
claim ("you cannot merge the adapter") is recorded as contradicted: evidence
of a gap, not of coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from simulator.assess.text import spans, tokens
from simulator.banks.model import Question, RubricPoint

_NEGATORS = {"not", "never", "no", "cannot", "cant", "don", "doesn", "isn", "aren", "won",
             "without", "nothing", "neither", "nor"}


@dataclass(frozen=True)
class PointVerdict:
    id: str
    covered: bool
    evidence: str
    """The transcript words that show the point (or contradict it); empty when absent."""
    contradicted: bool = False
    """The term appears inside a negated claim."""


@dataclass(frozen=True)
class Assessment:
    points: list[PointVerdict]
    coverage: float
    """Covered weight over total weight, 0..1."""

    def verdict(self, point_id: str) -> PointVerdict:
        return next(p for p in self.points if p.id == point_id)


def _find(term: str, toks: list[str]) -> list[int]:
    """Start indexes in ``toks`` where ``term`` matches, exactly or nearly."""
    t = tokens(term)
    if not t:
        return []
    n = len(t)
    hits = []
    joined_t = " ".join(t)
    for i in range(len(toks) - n + 1):
        window = toks[i : i + n]
        if window == t:
            hits.append(i)
        elif len(joined_t) >= 6 and fuzz.ratio(" ".join(window), joined_t) >= 88:
            hits.append(i)
    # Terms spoken as one word or two ("re rank" / "rerank").
    if not hits and n == 1 and len(joined_t) >= 6:
        for i in range(len(toks) - 1):
            if toks[i] + toks[i + 1] == joined_t:
                hits.append(i)
    return hits


def _negated(toks: list[str], i: int) -> bool:
    return any(w in _NEGATORS for w in toks[max(0, i - 4) : i])


def _evidence(text: str, sp: list[tuple[str, int, int]], i: int, n: int) -> str:
    lo = sp[max(0, i - 5)][1]
    hi = sp[min(len(sp) - 1, i + n + 5)][2]
    return text[lo:hi].strip()


def assess_point(point: RubricPoint, text: str) -> PointVerdict:
    sp = spans(text)
    toks = [s[0] for s in sp]
    contradiction: PointVerdict | None = None
    for term in point.terms:
        n = max(1, len(tokens(term)))
        for i in _find(term, toks):
            ev = _evidence(text, sp, i, n)
            if _negated(toks, i):
                contradiction = contradiction or PointVerdict(point.id, False, ev, True)
                continue
            return PointVerdict(point.id, True, ev)
    return contradiction or PointVerdict(point.id, False, "")


def assess(question: Question, transcript: str) -> Assessment:
    """Judge a transcript (the whole thread so far) against the question's rubric."""
    verdicts = [assess_point(p, transcript) for p in question.rubric]
    covered = sum(p.weight for p, v in zip(question.rubric, verdicts, strict=True) if v.covered)
    return Assessment(verdicts, round(covered / question.total_weight, 3))
