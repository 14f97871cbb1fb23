"""Coverage per question as bars: where a person would rather look than read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.content import Content
from textual.widgets import Static

from simulator.tui.widgets.verdict_view import coverage_bar


def chart_lines(questions: list[dict[str, Any]], label_width: int = 34,
                titles: Mapping[str, str] | None = None) -> list[Content]:
    """One bar a question, named by its title in ``titles`` (question id to title), or
    by its id where it has none."""
    lines = []
    for n, q in enumerate(questions, 1):
        label = f"{n}. {(titles or {}).get(q['question_id'], q['question_id'])}"
        if len(label) > label_width:
            label = label[: label_width - 1] + "…"
        cov = float(q.get("coverage") or 0.0)
        tone = "$text-success" if cov >= 0.8 else ("$text-warning" if cov >= 0.5
                                                   else "$text-error")
        fu = q.get("follow_ups", 0)
        lines.append(Content.assemble((f"{label:<{label_width}} ", ""),
                                      (coverage_bar(cov, 16), tone),
                                      (f" {cov:>4.0%}", "bold"),
                                      (f"  {fu} follow-up{'s' if fu != 1 else ''}",
                                       "$foreground-muted")))
    return lines


class CoverageChart(Static):
    """One bar per question: rubric coverage at the end of its thread."""

    DEFAULT_CSS = """
    CoverageChart { height: auto; }
    """

    def show(self, questions: list[dict[str, Any]],
             titles: Mapping[str, str] | None = None) -> None:
        lines = chart_lines(questions, titles=titles)
        self.update(Content("\n").join(lines) if lines else
                    Content.styled("No question was answered.", "$foreground-muted"))
