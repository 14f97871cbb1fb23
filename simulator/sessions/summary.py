"""The round as one document, built from the events: `--json`, replay and listings share it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from simulator.engine.events import (
    AnswerFinished,
    AnswerStarted,
    Assessed,
    Decided,
    Event,
    Notice,
    PartialTranscript,
    QuestionAsked,
    SessionEnded,
    SessionStarted,
    TranscriptCorrected,
    TurnTimed,
)
from simulator.speech.hearing import fixed_by_candidate, parse_correction
from simulator.speech.transcript import Transcript, Word


def round_document(events: list[Event], session_dir: Path) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "session_id": None, "session_dir": str(session_dir), "stt": None, "policy": None,
        "persona": None, "bank": None, "status": "interrupted", "turns": [],
        "notices": [],
    }
    turns: dict[int, dict[str, Any]] = {}
    for e in events:
        if isinstance(e, SessionStarted):
            doc.update(session_id=e.session_id, stt=asdict(e.stt), policy=e.policy,
                       persona=e.persona, bank=e.bank)
        elif isinstance(e, QuestionAsked):
            turns[e.turn] = _asked(e, session_dir)
        elif isinstance(e, Notice):
            doc["notices"].append(e.message)
        elif isinstance(e, SessionEnded):
            doc["status"] = e.status.value
            if e.error:
                doc["error"] = e.error
        elif (turn := turns.get(getattr(e, "turn", -1))) is not None:
            _add_to_turn(turn, e, session_dir)
    doc["turns"] = [turns[k] for k in sorted(turns)]
    doc["questions"] = _per_question(doc["turns"])
    doc["llm_usage"] = _usage(doc["turns"])
    doc["delivery"] = delivery_summary(doc["turns"])
    return doc


def _asked(e: QuestionAsked, session_dir: Path) -> dict[str, Any]:
    """A turn of the document as its question is asked: nothing answered yet."""
    return {
        "turn": e.turn, "kind": e.kind.value, "question_id": e.question_id,
        "prompt": e.prompt, "target_point": e.target_point,
        "prompt_audio": str(session_dir / e.audio), "budget_s": e.budget_s,
        "reason": e.reason, "attempt": e.attempt, "asked_at_s": e.t, "answer": None,
        "assessment": None,
        "decision": None, "latency_ms": None, "delivery": None,
    }


def _add_to_turn(turn: dict[str, Any], e: Event, session_dir: Path) -> None:
    """What one event of a turn adds to the turn's part of the document."""
    if isinstance(e, AnswerStarted):
        turn["answer_started_at_s"] = e.t
    elif isinstance(e, AnswerFinished):
        turn["answer"] = _answer(e, session_dir)
        turn["delivery"] = e.delivery.to_dict() if e.delivery else None
    elif isinstance(e, PartialTranscript) and e.pace:
        # What the candidate could see while speaking: pace and fillers so far.
        turn.setdefault("live", []).append({"at_s": e.t, **asdict(e.pace)})
    elif isinstance(e, TranscriptCorrected) and turn.get("answer"):
        _corrected(turn["answer"], e)
    elif isinstance(e, Assessed):
        turn["assessment"] = {
            "points": [{"id": p.id, "covered": p.covered, "evidence": p.evidence,
                        "contradicted": p.contradicted, "support": p.support}
                       for p in e.points],
            "coverage": e.coverage,
        }
    elif isinstance(e, Decided):
        turn["decision"] = {"action": e.action.value, "target_point": e.target_point,
                            "reason": e.reason, "policy": e.policy,
                            "fallback": e.fallback, "usage": e.usage}
    elif isinstance(e, TurnTimed):
        turn["latency_ms"] = {"transcript": e.transcript_ms, "next_prompt": e.next_prompt_ms}


def _answer(e: AnswerFinished, session_dir: Path) -> dict[str, Any]:
    return {
        "audio": str(session_dir / e.audio), "transcript": e.transcript,
        "duration_s": e.duration_s, "end_reason": e.end_reason.value, "silent": e.silent,
        "verbatim": e.verbatim, "corrections": e.corrections,
        "words": [asdict(w) for w in e.words], "finished_at_s": e.t,
    }


def _corrected(ans: dict[str, Any], e: TranscriptCorrected) -> None:
    """The candidate's corrections made to the answer's text and its words, so the report,
    the subtitles, replay and progress all show one transcript; what was heard stays in
    the session's events (and here as ``heard``)."""
    before = Transcript(ans["transcript"], [Word(**w) for w in ans["words"]])
    after, *_ = fixed_by_candidate(before, [parse_correction(c) for c in e.corrections])
    ans["heard"] = ans.get("heard", ans["transcript"])
    ans["transcript"] = e.transcript
    ans["words"] = [asdict(w) for w in after.words]
    ans["candidate_corrections"] = ans.get("candidate_corrections", []) + e.corrections


def delivery_summary(turns: list[dict[str, Any]]) -> dict[str, Any]:
    """The round's delivery: pace weighted by speaking time, fillers and hedges a minute."""
    ds = [t["delivery"] for t in turns if t.get("delivery") and t["delivery"]["speaking_s"]]
    speaking = sum(d["speaking_s"] for d in ds)
    if not speaking:
        return {"answers": 0, "speaking_s": 0.0, "wpm": 0.0, "articulation_wpm": 0.0,
                "fillers": {"count": 0, "per_min": 0.0}, "hedges": {"count": 0, "per_min": 0.0},
                "pauses": 0, "over_budget": 0}
    fillers = sum(d["fillers"]["count"] for d in ds)
    hedges = sum(d["hedges"]["count"] for d in ds)
    return {
        "answers": len(ds), "speaking_s": round(speaking, 1),
        "wpm": round(sum(d["wpm"] * d["speaking_s"] for d in ds) / speaking, 1),
        "articulation_wpm": round(
            sum(d["articulation_wpm"] * d["speaking_s"] for d in ds) / speaking, 1),
        "fillers": {"count": fillers, "per_min": round(fillers / speaking * 60, 1)},
        "hedges": {"count": hedges, "per_min": round(hedges / speaking * 60, 1)},
        "pauses": sum(len(d["pauses"]) for d in ds),
        "over_budget": sum(1 for d in ds if d["over_budget"]),
        "time_to_first_word_s": round(sum(d["time_to_first_word_s"] or 0 for d in ds)
                                      / len(ds), 2),
    }


def _usage(turns: list[dict[str, Any]]) -> dict[str, Any]:
    """Judgements made by each policy, fallbacks, and the tokens and cost reported."""
    out: dict[str, Any] = {"calls": 0, "fallbacks": 0, "prompt_tokens": 0,
                           "completion_tokens": 0, "cost_usd": None}
    for t in turns:
        d = t["decision"]
        if not d:
            continue
        if d["policy"].startswith("llm:"):
            out["calls"] += 1
        if d.get("fallback"):
            out["fallbacks"] += 1
        u = d.get("usage") or {}
        out["prompt_tokens"] += _figure(u.get("prompt_tokens"))
        out["completion_tokens"] += _figure(u.get("completion_tokens"))
        if u.get("cost_usd") is not None:
            out["cost_usd"] = round((out["cost_usd"] or 0.0) + _figure(u["cost_usd"]), 6)
    return out


def _figure(value: Any) -> float:
    """A count or cost as a provider reported it; anything else (a session edited by
    hand, a provider's odd reply) counts as nothing."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return 0


def strengths_and_gaps(doc: dict[str, Any], questions: dict[str, Any]) -> dict[str, list[str]]:
    """Across the round: points covered and missed, most important first.

    ``questions`` maps question ids to bank questions, for point weights and wording.
    """
    strengths: list[tuple[int, str]] = []
    gaps: list[tuple[int, str]] = []
    for q in doc["questions"]:
        bank_q = questions.get(q["question_id"])
        # People read the question's title; its id only where the bank is not at hand.
        name = bank_q.label if bank_q else q["question_id"]
        # A session recorded with another version of the bank may name a point it lacks.
        points = {p.id: p for p in bank_q.rubric} if bank_q else {}
        for pid in q["covered"]:
            w = points[pid].weight if pid in points else 1
            strengths.append((w, f"{name}: {pid}"))
        for pid in q["missed"]:
            w = points[pid].weight if pid in points else 1
            gaps.append((w, f"{name}: {pid}"
                         + (f" ({points[pid].covers})" if pid in points else "")))
    return {"strengths": [s for _, s in sorted(strengths, key=lambda x: -x[0])],
            "gaps": [g for _, g in sorted(gaps, key=lambda x: -x[0])]}


def point_changes(before_covered: Sequence[str], before_missed: Sequence[str],
                  after_covered: Sequence[str], after_missed: Sequence[str]
                  ) -> dict[str, list[str]]:
    """Two attempts at one question, point by point: what the later one gained, lost,
    kept and still missed."""
    return {
        "gained": [p for p in after_covered if p in before_missed],
        "lost": [p for p in after_missed if p in before_covered],
        "kept": [p for p in after_covered if p in before_covered],
        "still_missed": [p for p in after_missed if p in before_missed],
    }


#: How a comparison of two attempts names each kind of change, in the order shown.
_CHANGES = (("gained", "gained"), ("lost", "lost"), ("kept", "kept"),
            ("still_missed", "still missed"))


def change_line(change: dict[str, list[str]]) -> str:
    """'gained: merge-adapters; lost: qlora; kept: low-rank-update', empty kinds left out."""
    parts = [f"{label}: {', '.join(change[key])}" for key, label in _CHANGES
             if change.get(key)]
    return "; ".join(parts) or "no point judged either time"


def judged_attempts(q: dict[str, Any]) -> list[dict[str, Any]]:
    """A question's attempts in this session that were judged (a skipped one says
    nothing), oldest first."""
    return [a for a in q.get("attempts") or [] if a["judged"]]


def _attempt(n: int) -> dict[str, Any]:
    return {"attempt": n, "coverage": 0.0, "covered": [], "missed": [], "follow_ups": 0,
            "evidence": {}, "turns": [], "judged": False}


def _per_question(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per question, each attempt at it (a retry asks it again in the same session) with
    the last assessment of its thread. The question's verdict is its latest judged
    attempt's; with two judged, ``change`` says what the later gained, lost and kept."""
    out: dict[str, dict[str, Any]] = {}
    for t in turns:
        q = out.setdefault(t["question_id"], {"question_id": t["question_id"], "coverage": 0.0,
                                               "covered": [], "missed": [], "follow_ups": 0,
                                               "evidence": {}, "attempts": []})
        tries = q["attempts"]
        if not tries or tries[-1]["attempt"] != t.get("attempt", 1):
            tries.append(_attempt(t.get("attempt", 1)))
        a = tries[-1]
        a["turns"].append(t["turn"])
        if t["kind"] == "follow_up":
            q["follow_ups"] += 1
            a["follow_ups"] += 1
        if t["assessment"]:
            pts = t["assessment"]["points"]
            a.update(judged=True, coverage=t["assessment"]["coverage"],
                     covered=[p["id"] for p in pts if p["covered"]],
                     missed=[p["id"] for p in pts if not p["covered"]],
                     # The judge's quote for each covered point, as every surface shows it.
                     evidence={p["id"]: p["evidence"] for p in pts if p["covered"]})
    for q in out.values():
        judged = judged_attempts(q) or q["attempts"][-1:]
        latest = judged[-1]
        q.update({k: latest[k] for k in ("coverage", "covered", "missed", "evidence")})
        q["change"] = (point_changes(judged[-2]["covered"], judged[-2]["missed"],
                                     latest["covered"], latest["missed"])
                       if len(judged) > 1 else None)
    return list(out.values())
