"""The round's delivery at a glance: pace, fillers, hedges, pauses, timing."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static

from simulator.delivery.metrics import pace_judged, too_short_for_pace


def delivery_lines(summary: dict[str, Any] | None) -> list[Content]:
    if not summary or not summary.get("answers"):
        return [Content.styled("No delivery figures: no speech was measured.",
                               "$foreground-muted")]
    wpm = float(summary.get("wpm") or 0.0)
    pace_tone = "$text-success" if 130 <= wpm <= 170 else "$text-warning"
    pace = (f"{wpm:.0f} words a minute", pace_tone)
    if not pace_judged(float(summary.get("speaking_s") or 0.0)):
        pace = (too_short_for_pace(float(summary.get("speaking_s") or 0.0)), "")
    f = summary.get("fillers") or {}
    h = summary.get("hedges") or {}
    first = summary.get("time_to_first_word_s")
    over = int(summary.get("over_budget") or 0)
    return [
        Content.assemble(("Pace ", "bold"), pace,
                         ("  (140 to 160 is easy to follow)", "$foreground-muted")),
        Content.assemble(("Fillers ", "bold"), (f"{f.get('count', 0)}", ""),
                         (f" ({f.get('per_min', 0):.1f} a minute)", "$foreground-muted"),
                         ("   Hedges ", "bold"), (f"{h.get('count', 0)}", ""),
                         (f" ({h.get('per_min', 0):.1f} a minute)", "$foreground-muted"),
                         ("   Pauses ", "bold"), (f"{summary.get('pauses', 0)}", "")),
        Content.assemble(("First word after ", "bold"),
                         (f"{first:.1f} s" if first is not None else "-", ""),
                         ("   Over the time budget ", "bold"),
                         (f"{over} of {summary['answers']}",
                          "$text-error" if over else "$text-success")),
    ]


class DeliveryView(Static):
    """How the candidate sounded across the round (from the delivery figures)."""

    DEFAULT_CSS = """
    DeliveryView { height: auto; }
    """

    def show(self, summary: dict[str, Any] | None) -> None:
        self.update(Content("\n").join(delivery_lines(summary)))
