"""Trends across recorded rounds: coverage, pace, fillers, time over budget, and the
rubric points missed most often, overall and per topic."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from simulator.sessions.store import StoredSession
from simulator.sessions.summary import round_document

_BARS = " \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"


def history(sessions: list[StoredSession]) -> list[dict[str, Any]]:
    """One row per recorded round with answers, oldest first."""
    rows = []
    for s in sessions:
        doc = round_document(s.events, s.dir)
        qs = doc["questions"]
        dl = doc["delivery"]
        if not qs or not dl.get("answers"):
            continue
        over = [t for t in doc["turns"] if t.get("delivery") and t["delivery"]["over_budget"]]
        rows.append({
            "id": s.id, "created": s.manifest.get("created"), "bank": doc.get("bank"),
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
    lines = [f"{s['rounds']} rounds, oldest to newest", ""]
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
