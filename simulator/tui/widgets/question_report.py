"""One question of the report: points covered with their evidence, points missed, the
follow-ups asked and how they went, and how each answer was delivered."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from simulator.banks.model import Question
from simulator.delivery.metrics import pace_judged
from simulator.sessions.summary import change_line, judged_attempts
from simulator.tui.widgets.answer_timer import fmt
from simulator.tui.widgets.verdict_view import coverage_bar

SPARK = "▁▂▃▄▅▆▇█"


def pace_spark(values: list[float], lo: float = 80.0, hi: float = 220.0) -> str:
    """A tiny plot of words per minute across an answer's thirds."""
    out = ""
    for v in values:
        frac = (min(hi, max(lo, v)) - lo) / (hi - lo)
        out += SPARK[round(frac * (len(SPARK) - 1))]
    return out


def _points(turn: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    if not turn or not turn.get("assessment"):
        return {}
    return {p["id"]: p for p in turn["assessment"]["points"]}


def _turn_name(t: dict[str, Any]) -> str:
    """'turn 3', or 'turn 3 · attempt 2' for a turn of a retry."""
    n = t.get("attempt", 1)
    return f"turn {t['turn']}" + (f" · attempt {n}" if n > 1 else "")


def answer_line(t: dict[str, Any]) -> Content:
    a = t.get("answer")
    head = (f"{_turn_name(t)}  ", "$foreground-muted")
    if not a:
        return Content.assemble(head, ("not answered", "$foreground-muted italic"))
    dur, budget = float(a.get("duration_s") or 0.0), int(t.get("budget_s") or 0)
    over = budget and dur > budget
    parts: list[tuple[str, str]] = [
        head, (f"{fmt(dur)} of {fmt(budget)} ", "$text-error bold" if over else ""),
        (coverage_bar(dur / budget if budget else 0.0, 6), "$text-error" if over
         else "$text-primary")]
    d = t.get("delivery") or {}
    if a.get("silent"):
        parts.append(("  no speech heard", "$text-warning"))
    elif d.get("speaking_s") and not pace_judged(float(d["speaking_s"])):
        parts.append((f"  {float(d['speaking_s']):.0f} s of speech, too short for a pace",
                      "$foreground-muted"))
    elif d.get("speaking_s"):
        parts.append((f"  {d.get('wpm', 0):.0f} wpm ", ""))
        if d.get("pace_by_third"):
            parts.append((pace_spark(d["pace_by_third"]), "$text-accent"))
        fillers = (d.get("fillers") or {}).get("count", 0)
        hedges = (d.get("hedges") or {}).get("count", 0)
        pauses = len(d.get("pauses") or [])
        parts.append((f"  {fillers} filler{'s' if fillers != 1 else ''}"
                      f"  {hedges} hedge{'s' if hedges != 1 else ''}"
                      f"  {pauses} pause{'s' if pauses != 1 else ''}", "$foreground-muted"))
    return Content.assemble(*parts)


def _follow_up_text(t: dict[str, Any], bank_q: Question | None) -> str:
    """The probe itself, without the transition phrase said before it."""
    if bank_q is not None:
        for f in bank_q.follow_ups:
            if f.target == t.get("target_point") and f.prompt in t["prompt"]:
                return f.prompt
    return t["prompt"]


def question_lines(n: int, q: dict[str, Any], turns: list[dict[str, Any]],
                   bank_q: Question | None) -> list[tuple[Content, str]]:
    """(line, kind) pairs; kind is a CSS class that sets its indent."""
    mine = [t for t in turns if t["question_id"] == q["question_id"]]
    cov = float(q.get("coverage") or 0.0)
    name = bank_q.label if bank_q is not None else q["question_id"]
    lines = [(Content.assemble((f"{n}. {name}", "bold $text-primary"),
                               (f"  {cov:.0%} covered ", "bold"),
                               (coverage_bar(cov, 10), "$text-primary"),
                               (f"  {_follow_ups(q.get('follow_ups', 0))}",
                                "$foreground-muted")), "q-title")]
    if mine:
        lines.append((Content.styled(mine[0]["prompt"], "$foreground-muted italic"),
                      "q-prompt"))
    lines += attempt_lines(q)
    last = next((t for t in reversed(mine) if t.get("assessment")), None)
    pts = _points(last)
    for pid in q.get("covered", []):
        ev = pts.get(pid, {}).get("evidence", "")
        lines.append((Content.assemble(("✓ ", "$text-success bold"), (pid, "bold"),
                                       (f"  “{ev}”" if ev else "", "")), "q-point"))
    for pid in q.get("missed", []):
        p = pts.get(pid, {})
        if p.get("contradicted"):
            extra, style = f"  said: “{p.get('evidence', '')}”", "$text-warning"
        else:
            covers = ""
            if bank_q is not None:
                try:
                    covers = bank_q.point(pid).covers
                except StopIteration:
                    covers = ""
            extra, style = (f"  {covers}" if covers else ""), "$foreground-muted"
        lines.append((Content.assemble(("✗ ", "$text-error bold"), (pid, "bold"),
                                       (extra, style)), "q-point"))
    follow = [t for t in mine if t["kind"] == "follow_up"]
    if follow:
        lines.append((Content.styled("Follow-ups", "bold"), "q-head"))
    for t in follow:
        target = t.get("target_point") or "?"
        after = _points(t).get(target)
        if not t.get("answer"):
            result = ("not answered", "$foreground-muted")
        elif after and after.get("covered"):
            result = ("✓ covered it", "$text-success")
        else:
            result = ("✗ still missing", "$text-error")
        when = f"attempt {t['attempt']} " if t.get("attempt", 1) > 1 else ""
        lines.append((Content.assemble((f"→ {when}{target}  ", "bold"), result,
                                       (f"  “{_follow_up_text(t, bank_q)}”",
                                        "$foreground-muted")), "q-point"))
    if mine:
        lines.append((Content.styled("Answers", "bold"), "q-head"))
        for t in mine:
            lines.append((answer_line(t), "q-answer"))
            for note in ((t.get("delivery") or {}).get("notes") or [])[:2]:
                lines.append((Content.styled(note, "$foreground-muted"), "q-note"))
    return lines


def attempt_lines(q: dict[str, Any]) -> list[tuple[Content, str]]:
    """A question asked again in the same session (a retry): each attempt's coverage, and
    the latest against the one before, point by point. Nothing for a single attempt."""
    tries = judged_attempts(q)
    if len(tries) < 2 or not q.get("change"):
        return []
    lines = [(Content.styled("Attempts", "bold"), "q-head")]
    lines += [(Content.assemble((f"attempt {a['attempt']}  ", "$foreground-muted"),
                                (f"{a['coverage']:.0%} covered ", "bold"),
                                (coverage_bar(a["coverage"], 10), "$text-primary")), "q-answer")
              for a in tries]
    before, after = tries[-2]["attempt"], tries[-1]["attempt"]
    lines.append((Content.assemble((f"attempt {after} against attempt {before}: ", "bold"),
                                   (change_line(q["change"]), "")), "q-answer"))
    return lines


class QuestionReport(Vertical):
    """The report on one question of the round: one line each, wrapped under its indent."""

    DEFAULT_CSS = """
    QuestionReport { height: auto; margin-bottom: 1; }
    QuestionReport > Static { height: auto; }
    QuestionReport > .q-prompt { padding-left: 3; }
    QuestionReport > .q-head { padding-left: 3; }
    QuestionReport > .q-point { padding-left: 5; }
    QuestionReport > .q-answer { padding-left: 3; }
    QuestionReport > .q-note { padding-left: 5; }
    """

    def __init__(self, n: int, q: dict[str, Any], turns: list[dict[str, Any]],
                 bank_q: Question | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lines = question_lines(n, q, turns, bank_q)

    def compose(self) -> ComposeResult:
        for content, kind in self._lines:
            yield Static(content, classes=kind)


def _follow_ups(n: int) -> str:
    return f"{n} follow-up" if n == 1 else f"{n} follow-ups"
