"""What to practise next: the rubric points a candidate keeps missing, across rounds.

Everything here is a pure function of the round documents (``summary.round_document``),
oldest first, so the drill, ``interview progress`` and the app agree on what was missed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: A miss loses half its pull every this many rounds: last week's gap matters more than
#: last season's, yet an old gap never asked again is not forgotten outright.
HALF_LIFE_ROUNDS = 3.0
#: A point missed in two rounds or more is a habit rather than a slip: it counts this
#: much more than the sum of its misses alone.
REPEAT_FACTOR = 1.5
#: A point covered the last time its question was asked is on its way to being learnt:
#: its older misses keep only this share of their pull.
COVERED_LAST_FACTOR = 0.3
#: A point's weight when the bank no longer has it (a session from an older bank):
#: "expected", the middle of the 1 to 3 scale.
UNKNOWN_WEIGHT = 2


@dataclass(frozen=True)
class Attempt:
    """One question as one round judged it."""

    round_index: int
    """The round's place among all rounds, oldest first (0 is the oldest)."""
    session_id: str
    question_id: str
    coverage: float
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    attempt: int = 1
    """Its number within the round: a retry asks the question again in the same session."""


@dataclass(frozen=True)
class PointNeed:
    """How much one rubric point needs practice, and why."""

    question_id: str
    point_id: str
    misses: int
    """Attempts in which the point was missed (a retry in the same round is one more)."""
    attempts: int
    """Attempts at its question that judged the point."""
    missed_last: bool
    """Missed the last time its question was asked."""
    score: float


@dataclass(frozen=True)
class DrillPick:
    """A question chosen for the drill, with the points that chose it, neediest first."""

    question_id: str
    score: float
    points: tuple[PointNeed, ...]


def attempts(rounds: list[dict[str, Any]]) -> list[Attempt]:
    """Every judged attempt at a question in every round, oldest first; a retry in the same
    round comes after the attempt it retried, so the later attempt is the latest. A
    question asked but never judged (skipped, or the round ended first) says nothing
    about its points."""
    out = []
    for i, doc in enumerate(rounds):
        sid = str(doc.get("session_id") or "")
        for q in doc.get("questions") or []:
            for a in q.get("attempts") or [q]:  # a document of its own making has none
                if not (a["covered"] or a["missed"]):
                    continue
                out.append(Attempt(i, sid, q["question_id"], float(a["coverage"]),
                                   tuple(a["covered"]), tuple(a["missed"]),
                                   int(a.get("attempt", 1))))
    return out


def by_question(rounds: list[dict[str, Any]]) -> dict[str, list[Attempt]]:
    """Each question's attempts, oldest first, questions in the order first asked."""
    out: dict[str, list[Attempt]] = {}
    for a in attempts(rounds):
        out.setdefault(a.question_id, []).append(a)
    return out


def _decay(age: int) -> float:
    return float(0.5 ** (age / HALF_LIFE_ROUNDS))


def point_needs(rounds: list[dict[str, Any]],
                weights: Mapping[tuple[str, str], int] | None = None) -> list[PointNeed]:
    """Every point missed at least once, neediest first. ``weights`` maps (question id,
    point id) to the bank's weight (1 to 3); a point it lacks counts as UNKNOWN_WEIGHT."""
    weights = weights or {}
    newest = len(rounds) - 1
    needs = []
    for qid, tries in by_question(rounds).items():
        last = tries[-1]
        points = dict.fromkeys(p for a in tries for p in (*a.covered, *a.missed))
        for pid in points:
            missed_in = [a for a in tries if pid in a.missed]
            if not missed_in:
                continue
            score = sum(_decay(newest - a.round_index) for a in missed_in)
            if len(missed_in) > 1:
                score *= REPEAT_FACTOR
            missed_last = pid in last.missed
            if not missed_last:
                score *= COVERED_LAST_FACTOR
            score *= weights.get((qid, pid), UNKNOWN_WEIGHT)
            judged = sum(1 for a in tries if pid in a.covered or pid in a.missed)
            needs.append(PointNeed(qid, pid, len(missed_in), judged, missed_last,
                                   round(score, 4)))
    return sorted(needs, key=lambda n: (-n.score, n.question_id, n.point_id))


def pick_drill(rounds: list[dict[str, Any]], count: int,
               weights: Mapping[tuple[str, str], int] | None = None,
               available: set[str] | None = None) -> list[DrillPick]:
    """The ``count`` questions whose points were missed most (a question's pull is the sum
    of its points'), neediest first. ``available``: the question ids that can still be
    asked (a question gone from the banks cannot)."""
    grouped: dict[str, list[PointNeed]] = {}
    for need in point_needs(rounds, weights):
        if available is None or need.question_id in available:
            grouped.setdefault(need.question_id, []).append(need)
    picks = [DrillPick(qid, round(sum(n.score for n in ns), 4), tuple(ns))
             for qid, ns in grouped.items()]
    picks.sort(key=lambda p: (-p.score, p.question_id))
    return picks[:max(count, 0)]


def rubric_weights(questions: Mapping[str, Any]) -> dict[tuple[str, str], int]:
    """(question id, point id) to weight, from bank questions by id."""
    return {(qid, p.id): p.weight for qid, q in questions.items() for p in q.rubric}


def model_answers(question: Any, missed: list[str]) -> list[tuple[str, str, str]]:
    """The bank's reference answers for the points missed: (point id, what the point
    covers, the answer of the follow-up aimed at it). A point with no follow-up answer
    still gets what it covers: that sentence is the model answer's claim."""
    out = []
    for pid in missed:
        point = next((p for p in question.rubric if p.id == pid), None)
        if point is None:  # a session from an older bank names a point it lacks
            continue
        answer = next((f.answer for f in question.follow_ups
                       if f.target == pid and f.answer.strip()), "")
        out.append((pid, point.covers, answer))
    return out


def why_line(pick: DrillPick) -> str:
    """One line saying why a question was chosen: its neediest points, with counts."""
    parts = []
    for n in pick.points[:3]:
        times = "once" if n.misses == 1 else "twice" if n.misses == 2 else f"{n.misses} times"
        parts.append(f"{n.point_id} missed {times}" + ("" if n.missed_last else
                                                      ", covered last time"))
    return "; ".join(parts)
