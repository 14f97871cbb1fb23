"""The interviewer's judgement after each answer: which rubric points are covered,
and whether to ask a follow-up (which one, worded how) or move on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from simulator.assess.coverage import Assessment, PointVerdict, assess, idf, said_of
from simulator.banks.model import FollowUp, Question, speakability_problem

#: Support (``PointVerdict.support``) from which a follow-up repeats the candidate's own
#: words back: about one specific word of the point or two everyday ones. The demo's
#: "first i would parse the documents" scores 0.53 for reranking, on "first" alone.
BUILD_ON_SUPPORT = 0.7
#: The candidate's words as the interviewer says them back.
_AS_HEARD = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself",
             "we": "you", "us": "you", "our": "your", "ours": "yours", "am": "are"}


@dataclass(frozen=True)
class Exchange:
    """One prompt and the candidate's answer to it, within a question's thread."""

    prompt: str
    answer: str


@dataclass(frozen=True)
class Decision:
    """Ask a follow-up, or move on."""

    follow_up: FollowUp | None
    reason: str
    """Why, in a sentence a person can check."""
    wording: str | None = None
    """What to say for the follow-up (without the persona's transition)."""


@dataclass(frozen=True)
class Judgement:
    """Everything decided after one answer."""

    assessment: Assessment
    follow_up: FollowUp | None
    """The bank follow-up whose point is probed; None to move on."""
    wording: str | None
    """What to say for the follow-up (without the persona's transition)."""
    reason: str
    policy: str
    """Who decided this turn: 'offline' or 'llm:<model>'."""
    fallback: str | None = None
    """Why an LLM judgement was not used this turn, when one was configured."""
    usage: dict[str, Any] | None = field(default=None)
    """Tokens and cost reported by the provider."""


class Judge(Protocol):
    """Decides after each answer: what was covered, and whether to follow up."""

    name: str

    def warm_up(self) -> None:
        """Load what the first judgement needs (called while the opening is spoken)."""
        ...

    def judge(self, question: Question, thread: list[Exchange],
              asked: list[FollowUp]) -> Judgement: ...


def thread_text(thread: list[Exchange]) -> str:
    """The thread's answers as one text, each ending a sentence: no clause (and so no
    quote) runs from one turn's answer into the next."""
    said = [e.answer.strip() for e in thread if e.answer.strip()]
    return " ".join(a if a[-1] in ".?!" else a + "." for a in said)


@dataclass
class OfflinePolicy:
    """The bank's follow-up for the most important point not yet covered."""

    max_follow_ups: int = 2
    move_on_coverage: float = 0.8
    name: str = "offline"

    def decide(self, question: Question, assessment: Assessment,
               asked: list[FollowUp], transcript: str = "") -> Decision:
        """Move on, or the follow-up for the most important gap; worded on what the
        candidate said of its point in ``transcript`` (the thread's answers)."""
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
            # A contradicted point is the best thing to probe: the candidate said
            # something wrong about it. (Demoting half-said points was tried and
            # lowered the benchmark's follow-up accuracy.)
            priority = weight + (0.5 if verdict.contradicted else 0)
            candidates.append((-priority, order, f))
        if not candidates:
            return Decision(None, "no follow-up left for an uncovered point")
        _, _, chosen = min(candidates, key=lambda c: (c[0], c[1]))
        v = assessment.verdict(chosen.target)
        point = question.point(chosen.target)
        why = (f"'{point.id}' (weight {point.weight}) was "
               + (f"contradicted: \"{v.evidence}\"" if v.contradicted else "not covered")
               + "; it is the most important gap with a follow-up")
        said = said_of(question, transcript, chosen.target) if transcript else ""
        return Decision(chosen, why, building_on(v, said, chosen.prompt))

    def warm_up(self) -> None:
        """Read the word statistics of every shipped rubric now, not on the first answer."""
        idf("")

    def judge(self, question: Question, thread: list[Exchange],
              asked: list[FollowUp]) -> Judgement:
        text = thread_text(thread)
        assessment = assess(question, text)
        d = self.decide(question, assessment, asked, text)
        return Judgement(assessment, d.follow_up, d.wording, d.reason, self.name)


def said_back(said: str) -> str:
    """The candidate's words as the interviewer repeats them: "i keep my adapters" is
    "you keep your adapters"."""
    words = said.replace("\u2026", " ").split()
    out = []
    for n, w in enumerate(words):
        if w == "was" and n and words[n - 1] == "i":
            out.append("were")
        else:
            out.append(_AS_HEARD.get(w, w))
    return " ".join(out).strip(" ,;:")


def building_on(verdict: PointVerdict, said: str, prompt: str) -> str:
    """The bank's follow-up, led by what the candidate ``said`` of its point when they
    said some of it, so the question shows they were heard; the bare prompt otherwise."""
    if verdict.covered or verdict.contradicted or verdict.support < BUILD_ON_SUPPORT:
        return prompt
    said = said_back(said)
    wording = f"You said {said}. {prompt}"
    return prompt if not said or speakability_problem(wording) else wording
