"""The drill's choice: the questions whose rubric points were missed most, a point missed
more than once and lately weighing more, a point since covered weighing less."""

from __future__ import annotations

from typing import Any

from simulator.banks.loader import load_bank
from simulator.sessions.drill import (
    COVERED_LAST_FACTOR,
    HALF_LIFE_ROUNDS,
    REPEAT_FACTOR,
    UNKNOWN_WEIGHT,
    attempts,
    model_answers,
    pick_drill,
    point_needs,
    rubric_weights,
    why_line,
)
from tests.tui_support import FIXTURES


def judged(qid: str, covered: list[str], missed: list[str]) -> dict[str, Any]:
    n = len(covered) + len(missed)
    return {"question_id": qid, "coverage": len(covered) / n if n else 0.0,
            "covered": covered, "missed": missed, "follow_ups": 0}


def round_doc(sid: str, *questions: dict[str, Any]) -> dict[str, Any]:
    """A round document as summary.round_document shapes it (the parts the drill reads)."""
    return {"session_id": sid, "questions": list(questions)}


def test_a_point_missed_twice_outweighs_points_missed_once_in_the_same_rounds():
    rounds = [round_doc("r1", judged("lora", ["rank"], ["merge"]),
                        judged("rag", ["chunking"], ["rerank"])),
              round_doc("r2", judged("lora", ["rank"], ["merge"]),
                        judged("kv", ["cache"], ["paging"]))]
    needs = point_needs(rounds)
    assert (needs[0].question_id, needs[0].point_id, needs[0].misses) == ("lora", "merge", 2)
    both = 1 + 0.5 ** (1 / HALF_LIFE_ROUNDS)
    assert needs[0].score == round(both * REPEAT_FACTOR * UNKNOWN_WEIGHT, 4)
    assert [p.question_id for p in pick_drill(rounds, 3)] == ["lora", "kv", "rag"]


def test_a_recent_miss_outweighs_an_old_one():
    rounds = [round_doc("r1", judged("rag", [], ["rerank"])),
              round_doc("r2", judged("other", ["x"], [])),
              round_doc("r3", judged("kv", [], ["paging"]))]
    assert [p.question_id for p in pick_drill(rounds, 2)] == ["kv", "rag"]


def test_a_point_covered_last_time_weighs_less_than_one_still_missed():
    rounds = [round_doc("r1", judged("lora", [], ["merge"]), judged("rag", [], ["rerank"])),
              round_doc("r2", judged("lora", ["merge"], []), judged("rag", [], ["rerank"]))]
    needs = {n.point_id: n for n in point_needs(rounds)}
    assert not needs["merge"].missed_last and needs["rerank"].missed_last
    assert needs["merge"].score == round(
        0.5 ** (1 / HALF_LIFE_ROUNDS) * COVERED_LAST_FACTOR * UNKNOWN_WEIGHT, 4)
    assert needs["rerank"].score > needs["merge"].score
    assert needs["merge"].attempts == 2 and needs["merge"].misses == 1


def test_the_banks_weights_and_what_can_still_be_asked_shape_the_choice():
    rounds = [round_doc("r1", judged("a", [], ["minor"]), judged("b", [], ["essential"]))]
    weights = {("a", "minor"): 1, ("b", "essential"): 3}
    assert [p.question_id for p in pick_drill(rounds, 2, weights)] == ["b", "a"]
    assert [p.question_id for p in pick_drill(rounds, 2, weights, available={"a"})] == ["a"]
    assert pick_drill(rounds, 1, weights)[0].points[0].point_id == "essential"


def test_questions_never_judged_and_nothing_missed_choose_nothing():
    rounds = [round_doc("r1", judged("skipped", [], [])),
              round_doc("r2", judged("perfect", ["a", "b"], []))]
    assert [a.question_id for a in attempts(rounds)] == ["perfect"]
    assert pick_drill(rounds, 3) == []


def test_why_line_says_how_often_each_point_was_missed():
    rounds = [round_doc(f"r{i}", judged("lora", [], ["merge", "qlora"])) for i in range(3)]
    rounds.append(round_doc("r3", judged("lora", ["qlora"], ["merge"])))
    pick = pick_drill(rounds, 1)[0]
    assert why_line(pick) == "merge missed 4 times; qlora missed 3 times, covered last time"


def test_model_answers_come_from_the_follow_ups_aimed_at_the_missed_points():
    bank = load_bank(FIXTURES / "practice.yaml")
    lora = next(q for q in bank.questions if q.id == "practice-lora")
    got = model_answers(lora, ["merge-adapters", "memory-savings", "gone-from-the-bank"])
    assert [pid for pid, _, _ in got] == ["merge-adapters", "memory-savings"]
    assert got[0][2].startswith("No, if you merge the low-rank product")
    assert got[1][1] == lora.point("memory-savings").covers and got[1][2] == ""
    assert rubric_weights({lora.id: lora})[(lora.id, "merge-adapters")] == \
        lora.point("merge-adapters").weight
