"""Trends across recorded rounds: coverage, pace, fillers, time over budget, the
rubric points missed most often, each question's attempts point by point, and a short
plan of what to practise next."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from simulator.sessions.drill import Attempt, by_question, model_answers, point_needs
from simulator.sessions.drill import rubric_weights as _weights
from simulator.sessions.store import StoredSession
from simulator.sessions.summary import point_changes, round_document

_BARS = " \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"
#: The plan names this many things: more than three is a list, not a plan.
PLAN_ITEMS = 3
#: A question's line shows its last this many coverages: the trend, not the history.
SHOWN_ATTEMPTS = 4


def documents(sessions: list[StoredSession]) -> list[dict[str, Any]]:
    """Each session's round document, oldest first, with its id and creation time."""
    docs = []
    for s in sessions:
        doc = round_document(s.events, s.dir)
        doc["session_id"] = s.id  # checked on reading, unlike the id inside the events
        doc["created"] = s.manifest.get("created")
        docs.append(doc)
    return docs


def history(sessions: list[StoredSession]) -> list[dict[str, Any]]:
    """One row per recorded round with answers, oldest first."""
    return rows_of(documents(sessions))


def rows_of(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per round document with answers, in the documents' order."""
    rows = []
    for doc in docs:
        qs = doc["questions"]
        dl = doc["delivery"]
        if not qs or not dl.get("answers"):
            continue
        over = [t for t in doc["turns"] if t.get("delivery") and t["delivery"]["over_budget"]]
        rows.append({
            "id": doc["session_id"], "created": doc.get("created"), "bank": doc.get("bank"),
            "coverage": round(sum(q["coverage"] for q in qs) / len(qs), 3),
            "wpm": dl["wpm"], "fillers_per_min": dl["fillers"]["per_min"],
            "over_budget": len(over), "answers": dl["answers"],
            "missed": [f"{q['question_id']}: {p}" for q in qs for p in q["missed"]],
            "questions": [q["question_id"] for q in qs],
        })
    return rows


def sparkline(values: list[float]) -> str:
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    return "".join(_BARS[1 + int((v - lo) / span * 7)] for v in values)


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_topic: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        by_topic[r["bank"] or "mixed"].append(r["coverage"])
    missed = Counter(m for r in rows for m in r["missed"])
    return {
        "rounds": len(rows),
        "coverage": [r["coverage"] for r in rows],
        "wpm": [r["wpm"] for r in rows],
        "fillers_per_min": [r["fillers_per_min"] for r in rows],
        "over_budget": [r["over_budget"] for r in rows],
        "by_topic": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_topic.items())},
        "missed_most": missed.most_common(8),
    }


def render(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No rounds with answers recorded yet."
    s = summary(rows)
    lines = [f"{s['rounds']} round{'s' if s['rounds'] != 1 else ''}, oldest to newest", ""]
    for label, key, fmt in (("coverage", "coverage", "{:.0%}"), ("words a minute", "wpm", "{:.0f}"),
                            ("fillers a minute", "fillers_per_min", "{:.1f}"),
                            ("answers over budget", "over_budget", "{:d}")):
        vals = s[key]
        lines.append(f"  {label:<20} {sparkline([float(v) for v in vals])}  "
                     f"first {fmt.format(vals[0])}, last {fmt.format(vals[-1])}")
    lines += ["", "  Coverage by topic:"]
    for topic, cov in s["by_topic"].items():
        lines.append(f"    {topic:<26} {'#' * int(cov * 20):<20} {cov:.0%}")
    if s["missed_most"]:
        lines += ["", "  Missed most often:"]
        lines += [f"    {n}x  {m}" for m, n in s["missed_most"]]
    return "\n".join(lines)


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _title(qid: str, questions: Mapping[str, Any]) -> str:
    """A question's title (as every screen and report names it), or its id where its
    bank is not at hand."""
    q = questions.get(qid)
    return str(q.label) if q is not None else qid


def compare(before: Attempt, after: Attempt) -> dict[str, list[str]]:
    """Two attempts at one question, point by point: what the later one gained, lost,
    kept and still missed."""
    return point_changes(before.covered, before.missed, after.covered, after.missed)


def compare_line(change: dict[str, list[str]]) -> str:
    """A comparison as one line: the changes first, then what did not move."""
    parts = [f"{label}: {', '.join(change[key])}" for key, label in (
        ("gained", "now covered"), ("lost", "lost"), ("still_missed", "still missed"))
        if change[key]]
    return "; ".join(parts) or "the same points as before"


def question_progress(rounds: list[dict[str, Any]],
                      questions: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Per question asked more than never: its coverage in each round, each point's
    misses, and its last attempt compared with the one before."""
    questions = questions or {}
    out = []
    for qid, tries in by_question(rounds).items():
        missed = Counter(p for a in tries for p in a.missed)
        out.append({
            "question_id": qid, "title": _title(qid, questions),
            "coverage": [round(a.coverage, 3) for a in tries],
            "sessions": [a.session_id for a in tries],
            "missed": [{"id": p, "times": n} for p, n in missed.most_common()],
            "last_change": compare(tries[-2], tries[-1]) if len(tries) > 1 else None,
        })
    return out


def question_line(q: dict[str, Any]) -> str:
    """'LoRA: 75% then 62%; merge missed twice, rank missed once'."""
    covs = [f"{c:.0%}" for c in q["coverage"][-SHOWN_ATTEMPTS:]]
    trend = covs[0] if len(covs) == 1 else f"{', '.join(covs[:-1])} then {covs[-1]}"
    missed = ", ".join(f"{m['id']} missed {_times(m['times'])}" for m in q["missed"])
    return f"{q['title']}: {trend}" + (f"; {missed}" if missed else "; nothing missed")


def plan(rounds: list[dict[str, Any]], questions: Mapping[str, Any] | None = None,
         items: int = PLAN_ITEMS) -> list[dict[str, Any]]:
    """The points to practise next, neediest first (missed more than once and lately
    weigh more; see drill.py), each with what it covers and the bank's model answer."""
    questions = questions or {}
    out = []
    for need in point_needs(rounds, _weights(questions))[:items]:
        q = questions.get(need.question_id)
        answers = model_answers(q, [need.point_id]) if q is not None else []
        covers, answer = (answers[0][1], answers[0][2]) if answers else ("", "")
        out.append({"question_id": need.question_id, "title": _title(need.question_id,
                                                                      questions),
                    "point_id": need.point_id, "misses": need.misses,
                    "attempts": need.attempts, "missed_last": need.missed_last,
                    "covers": covers, "model_answer": answer})
    return out


def plan_line(item: dict[str, Any]) -> str:
    """One thing to practise, with why: 'LoRA: merge (missed 2 of 3 times, last time
    too): what the point covers'."""
    when = "last time too" if item["missed_last"] else "covered last time"
    why = f"missed {item['misses']} of {item['attempts']} times, {when}"
    covers = f": {item['covers']}" if item["covers"] else ""
    return f"{item['title']}: {item['point_id']} ({why}){covers}"


def render_progress(rounds: list[dict[str, Any]],
                    questions: Mapping[str, Any] | None = None) -> str:
    """``render`` of the rounds, then each question's attempts and the plan."""
    rows = rows_of(rounds)
    per_question = question_progress(rounds, questions)
    if not per_question:
        return render(rows)
    # Rounds judged from text alone have no delivery figures, and no trends to show.
    n = len(rounds)
    lines = [render(rows)] if rows else [f"{n} round{'s' if n != 1 else ''}, oldest to newest"]
    lines += ["", "  By question (coverage per attempt, points missed):"]
    for q in per_question:
        lines.append(f"    {question_line(q)}")
        if q["last_change"] is not None:
            lines.append(f"      last attempt against the one before: "
                         f"{compare_line(q['last_change'])}")
    todo = plan(rounds, questions)
    if todo:
        lines += ["", "  Practise next:"]
        lines += [f"    {i}. {plan_line(item)}" for i, item in enumerate(todo, 1)]
        lines += ["", "  `interview drill` asks the questions behind these; `interview run "
                  f"--question {todo[0]['question_id']}` asks the first again."]
    return "\n".join(lines)
