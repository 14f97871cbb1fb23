"""The answer's time against the question's budget: calm, then a warning, then over."""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

#: Share of the budget after which the timer warns.
WARN_AT = 0.75


def fmt(seconds: float) -> str:
    m, s = divmod(int(max(0.0, seconds)), 60)
    return f"{m}:{s:02d}"


class AnswerTimer(Widget):
    """'0:42 / 2:30' with a short bar; classes -calm, -warning, -over follow the time."""

    DEFAULT_CSS = """
    AnswerTimer { height: 1; width: auto; }
    AnswerTimer.-calm { color: $text-success; }
    AnswerTimer.-warning { color: $text-warning; text-style: bold; }
    AnswerTimer.-over { color: $text-error; text-style: bold reverse; }
    """

    elapsed: reactive[float | None] = reactive(None)
    budget: reactive[int] = reactive(0)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return 22

    @property
    def state(self) -> str:
        if self.elapsed is None or not self.budget:
            return "idle"
        if self.elapsed > self.budget:
            return "over"
        return "warning" if self.elapsed >= WARN_AT * self.budget else "calm"

    def _refresh_state(self) -> None:
        for s in ("calm", "warning", "over"):
            self.set_class(self.state == s, f"-{s}")

    def watch_elapsed(self) -> None:
        self._refresh_state()

    def watch_budget(self) -> None:
        self._refresh_state()

    def render(self) -> Content:
        budget = fmt(self.budget) if self.budget else "-:--"
        if self.elapsed is None:
            return Content(f" -:-- / {budget} ░░░░░ ")
        frac = min(1.0, self.elapsed / self.budget) if self.budget else 0.0
        filled = round(frac * 5)
        word = " over" if self.state == "over" else ""
        return Content(f" {fmt(self.elapsed)} / {budget} {'█' * filled}{'░' * (5 - filled)}{word} ")
