"""The labelled evaluation answers: well formed, and the offline judge keeps its edge.

The full measurement (spoken answers, transcribed) is benchmarks/judgement.py; this
guards against regressions on the written answers, which needs no audio.
"""

from __future__ import annotations

import yaml

from benchmarks.judgement import EVAL, FRESH, HELDOUT, THIRD, evaluate
from simulator.banks.loader import load_banks

QUESTIONS = {q.id: q for b in load_banks() for q in b.questions}


def _items(path):
    return yaml.safe_load(path.read_text())["answers"]


def test_the_sets_are_labelled_against_real_rubric_points():
    items = _items(EVAL) + _items(HELDOUT) + _items(FRESH) + _items(THIRD)
    assert len(_items(EVAL)) >= 40 and len({i["question"] for i in _items(EVAL)}) >= 10
    assert len({i["id"] for i in items}) == len(items)
    for it in items:
        points = {p.id for p in QUESTIONS[it["question"]].rubric}
        assert set(it["covered"]) <= points, it["id"]
    kinds = {i["kind"] for i in items}
    assert {"paraphrase", "negation", "buzzwords", "injection"} <= kinds


def test_offline_judge_beats_keyword_matching_on_written_answers():
    items = _items(EVAL)
    texts = {i["id"]: i["text"] for i in items}
    ours, by_kind = evaluate(items, texts, QUESTIONS, "offline", False)
    naive, _ = evaluate(items, texts, QUESTIONS, "keyword", False)
    assert ours.f1 >= 0.84 and ours.f1 >= naive.f1 + 0.08
    assert ours.follow_up_accuracy >= 0.88
    # Buzzword lists earn next to nothing; answers addressed to the grader earn only
    # what they really explained.
    buzz = by_kind["buzzwords"]
    assert buzz.fp <= 0.15 * (buzz.fp + buzz.tn)
    assert by_kind["injection"].precision >= 0.8


def test_the_judge_keeps_its_edge_on_answers_it_was_not_tuned_on():
    # Three sets written after tuning, on 23 questions the tuning set never asks.
    items = _items(HELDOUT) + _items(FRESH) + _items(THIRD)
    texts = {i["id"]: i["text"] for i in items}
    ours, _ = evaluate(items, texts, QUESTIONS, "offline", False)
    naive, _ = evaluate(items, texts, QUESTIONS, "keyword", False)
    assert ours.f1 >= naive.f1 + 0.1
    assert ours.follow_up_accuracy >= naive.follow_up_accuracy + 0.1
