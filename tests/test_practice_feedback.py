"""In practice, the verdict under an answer shows, for each point missed, the bank's own
answer for it: what to say next time, while the question is still fresh."""

from __future__ import annotations

from simulator.banks.loader import load_bank
from simulator.engine.events import Assessed, PointResult
from simulator.tui.widgets.verdict_view import verdict_lines


def test_a_missed_point_shows_the_banks_answer_for_it_and_a_covered_one_does_not():
    question = next(q for q in load_bank("starter").questions if q.id == "starter-lora")
    missed = next(p for p in question.rubric
                  if any(f.target == p.id and f.answer.strip() for f in question.follow_ups))
    covered = next(p for p in question.rubric if p.id != missed.id)
    answer = next(f.answer for f in question.follow_ups if f.target == missed.id)
    assessed = Assessed(1.0, 1, question.id, [
        PointResult(covered.id, True, "the pretrained weights stay frozen"),
        PointResult(missed.id, False, "")], 0.5)
    text = [line.plain for line in verdict_lines(assessed, question)]
    at = next(i for i, line in enumerate(text) if line.startswith(f"✗ {missed.id}"))
    shown = text[at + 1]
    assert shown.strip().startswith("e.g.")
    assert " ".join(answer.split())[:40] in shown
    assert sum(line.strip().startswith("e.g.") for line in text) == 1
