"""Choosing what the interviewer does after an answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from simulator.assess.coverage import Assessment
from simulator.banks.model import FollowUp, Question


@dataclass(frozen=True)
class Decision:
    """Ask a follow-up, or move on."""

    follow_up: FollowUp | None
    reason: str
    """Why, in a sentence a person can check."""


class FollowUpPolicy(Protocol):
    name: str

    def decide(self, question: Question, assessment: Assessment,
               asked: list[FollowUp]) -> Decision: ...


@dataclass
class OfflinePolicy:
    """The bank's follow-up for the highest-weight point not yet covered."""

    max_follow_ups: int = 2
    move_on_coverage: float = 0.8
    name: str = "offline"

    def decide(self, question: Question, assessment: Assessment,
               asked: list[FollowUp]) -> Decision:
        if assessment.coverage >= self.move_on_coverage:
            return Decision(None, f"coverage {assessment.coverage:.0%} reached the "
                                  f"{self.move_on_coverage:.0%} needed to move on")
        if len(asked) >= self.max_follow_ups:
            return Decision(None, f"already asked {len(asked)} follow-ups on this question")
        asked_targets = {f.target for f in asked}
        candidates = []
        for order, f in enumerate(question.follow_ups):
            verdict = assessment.verdict(f.target)
            if verdict.covered or f.target in asked_targets:
                continue
            weight = question.point(f.target).weight
            # A contradicted point is the best thing to probe: the candidate
            # said something wrong about it.
            candidates.append((-(weight + (0.5 if verdict.contradicted else 0)), order, f))
        if not candidates:
            return Decision(None, "no follow-up left for an uncovered point")
        _, _, chosen = min(candidates, key=lambda c: (c[0], c[1]))
        v = assessment.verdict(chosen.target)
        point = question.point(chosen.target)
        why = (f"'{point.id}' (weight {point.weight}) was "
               + (f"contradicted: \"{v.evidence}\"" if v.contradicted else "not covered")
               + "; it is the most important gap with a follow-up")
        return Decision(chosen, why)
