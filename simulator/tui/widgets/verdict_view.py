"""The rubric verdict on one answer: points covered (with the words that showed them),
points missed, and what the interviewer does next."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from simulator.banks.model import Question
from simulator.engine.events import Assessed, Decided, Decision

EVIDENCE_CHARS = 110


def _clip(text: str, n: int = EVIDENCE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def coverage_bar(frac: float, width: int = 10) -> str:
    filled = round(max(0.0, min(1.0, frac)) * width)
    return "█" * filled + "░" * (width - filled)


def verdict_lines(assessed: Assessed, question: Question | None) -> list[Content]:
    lines = [Content.assemble(("Coverage ", "bold"), (f"{assessed.coverage:>4.0%} ", "bold"),
                              (coverage_bar(assessed.coverage), "$text-primary"))]
    order = sorted(assessed.points, key=lambda p: (not p.covered, p.contradicted))
    for p in order:
        if p.covered:
            # The judge's quote as it is (a line at most): clipping it again could cut
            # off the very words that show the point.
            lines.append(Content.assemble(("✓ ", "$text-success bold"), (p.id, "bold"),
                                          (f"  “{p.evidence}”", "")))
        elif p.contradicted:
            lines.append(Content.assemble(("! ", "$text-warning bold"), (p.id, "bold"),
                                          (f"  said: “{_clip(p.evidence)}”",
                                           "$text-warning")))
        else:
            covers = ""
            if question is not None:
                try:
                    covers = _clip(question.point(p.id).covers)
                except StopIteration:
                    covers = ""
            lines.append(Content.assemble(("✗ ", "$text-error bold"), (p.id, "bold"),
                                          (f"  {covers}", "$foreground-muted")))
            lines += _model_answer(question, p.id)
    return lines


def _model_answer(question: Question | None, point_id: str) -> list[Content]:
    """The bank's answer for a missed point, under it: in practice, what to say next time."""
    if question is None:
        return []
    from simulator.sessions.drill import model_answers

    answers = [a for _, _, a in model_answers(question, [point_id]) if a]
    if not answers:
        return []
    return [Content.assemble(("    e.g. ", "$foreground-muted"),
                             (f"“{_clip(answers[0], MODEL_ANSWER_CHARS)}”", ""))]


#: A model answer is shown up to about two lines of the panel: its gist, not a lecture.
MODEL_ANSWER_CHARS = 160


def decision_line(decided: Decided) -> Content:
    if decided.action == Decision.FOLLOW_UP:
        return Content.assemble(("→ Follow-up on ", "bold"), (decided.target_point or "", "bold"),
                                (f": {_clip(decided.reason, 90)}", "$foreground-muted"))
    return Content.assemble(("→ Moving on", "bold"),
                            (f": {_clip(decided.reason, 90)}", "$foreground-muted"))


class VerdictView(Static):
    """Shows the verdict in practice mode; in realistic mode only that the answer was kept."""

    DEFAULT_CSS = """
    VerdictView { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, reveal: bool = True, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.reveal = reveal
        self._lines: list[Content] = []

    def clear(self) -> None:
        self._lines = []
        self.update("")
        self.display = False

    def show_verdict(self, assessed: Assessed, question: Question | None) -> None:
        if not self.reveal:
            self._lines = [Content.styled("Answer recorded. The verdict comes in the report.",
                                          "$foreground-muted italic")]
        else:
            self._lines = verdict_lines(assessed, question)
        self.update(Content("\n").join(self._lines))
        self.display = True

    def show_decision(self, decided: Decided) -> None:
        if not self.reveal:
            return
        self.update(Content("\n").join([*self._lines, decision_line(decided)]))
