"""Progress per question and per rubric point across recorded rounds, each question's
last attempt compared with the one before, and the plan of three things to practise:
in `interview progress` and on the app's progress screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.audio.endpoint import EndReason
from simulator.banks.loader import load_bank
from simulator.engine.events import (
    AnswerFinished,
    Assessed,
    Event,
    PointResult,
    QuestionAsked,
    SessionEnded,
    SessionStarted,
    SessionStatus,
    SttSummary,
    TurnKind,
)
from simulator.sessions.progress import (
    PLAN_ITEMS,
    compare_line,
    documents,
    plan,
    question_line,
    question_progress,
    render_progress,
)
from simulator.sessions.store import read_sessions
from simulator.tui.screens.sessions import ProgressScreen, SessionsScreen
from tests.conftest import run_cli
from tests.tui_support import FIXTURES, app_for, write_session

BANK = FIXTURES / "practice.yaml"


def judged_round(session_id: str, *questions: tuple[str, list[str], list[str]]) -> list[Event]:
    """A recorded round: each question asked, answered once and judged (covered, missed)."""
    events: list[Event] = [SessionStarted(0.0, session_id, "practice", "coach", "offline",
                                          SttSummary("tiny.en", "cpu", "int8"),
                                          [q for q, _, _ in questions], "files")]
    for turn, (qid, covered, missed) in enumerate(questions, 1):
        points = ([PointResult(p, True, f"said {p}") for p in covered]
                  + [PointResult(p, False, "") for p in missed])
        events += [
            QuestionAsked(turn * 10.0, turn, TurnKind.QUESTION, qid, "Tell me.", None,
                          f"audio/{turn:02d}-prompt.wav", 60),
            AnswerFinished(turn * 10.0 + 5, turn, f"audio/{turn:02d}-answer.wav", 4.0,
                           EndReason.SILENCE, " ".join(covered) or "I am not sure."),
            Assessed(turn * 10.0 + 6, turn, qid, points, len(covered) / len(points)),
        ]
    return [*events, SessionEnded(len(questions) * 10.0 + 8, SessionStatus.COMPLETE,
                                  len(questions))]


def three_rounds(root: Path) -> None:
    """LoRA at 75% then 50% (merge missed twice, qlora lost), RAG once at 40%."""
    write_session(root, "20260301-090000-practice-aaaa", judged_round(
        "20260301-090000-practice-aaaa",
        ("practice-lora", ["low-rank-update", "memory-savings", "qlora"], ["merge-adapters"])))
    write_session(root, "20260302-090000-practice-bbbb", judged_round(
        "20260302-090000-practice-bbbb",
        ("practice-rag-design", ["chunking", "embeddings-index"],
         ["rerank", "grounding", "evaluation"])))
    write_session(root, "20260303-090000-practice-cccc", judged_round(
        "20260303-090000-practice-cccc",
        ("practice-lora", ["low-rank-update", "memory-savings"], ["merge-adapters", "qlora"])))


def rounds_and_bank(root: Path) -> tuple[list[dict], dict]:
    three_rounds(root)
    sessions, notes = read_sessions(root)
    assert notes == []
    return documents(sessions), {q.id: q for q in load_bank(BANK).questions}


def test_each_question_shows_its_coverage_per_attempt_and_its_points_missed(tmp_path):
    docs, bank = rounds_and_bank(tmp_path)
    lora, rag = question_progress(docs, bank)
    assert lora["coverage"] == [0.75, 0.5] and rag["coverage"] == [0.4]
    assert question_line(lora).endswith(
        "75% then 50%; merge-adapters missed twice, qlora missed once")
    assert lora["last_change"] == {"gained": [], "lost": ["qlora"],
                                   "kept": ["low-rank-update", "memory-savings"],
                                   "still_missed": ["merge-adapters"]}
    assert compare_line(lora["last_change"]) == "lost: qlora; still missed: merge-adapters"
    assert rag["last_change"] is None


def test_the_plan_names_three_points_neediest_first_with_the_banks_answer(tmp_path):
    docs, bank = rounds_and_bank(tmp_path)
    todo = plan(docs, bank)
    assert len(todo) == PLAN_ITEMS
    assert (todo[0]["question_id"], todo[0]["point_id"]) == ("practice-lora", "merge-adapters")
    assert todo[0]["misses"] == 2 and todo[0]["attempts"] == 2 and todo[0]["missed_last"]
    assert todo[0]["model_answer"].startswith("No, if you merge the low-rank product")
    # Then RAG's essential points (weight 3), missed a round earlier, ahead of qlora:
    # missed in the newest round, but only nice to have (weight 1).
    assert [t["point_id"] for t in todo[1:]] == ["evaluation", "rerank"]


def test_interview_progress_prints_attempts_comparisons_and_the_plan(tmp_path):
    root = tmp_path / "sessions"
    three_rounds(root)
    out = run_cli("progress", "--sessions-dir", str(root), "--bank", str(BANK))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "75% then 50%; merge-adapters missed twice" in text
    assert "last attempt against the one before: lost: qlora; still missed: merge-adapters" \
        in text
    plan_part = text.split("Practise next:")[1]
    assert "1. Practice lora: merge-adapters (missed 2 of 2 times, last time too)" in plan_part
    assert plan_part.count(". Practice ") == PLAN_ITEMS
    assert "`interview run --question practice-lora` asks the first again" in plan_part
    data = json.loads(run_cli("progress", "--json", "--sessions-dir", str(root),
                              "--bank", str(BANK)).stdout)
    assert [q["question_id"] for q in data["questions"]] == ["practice-lora",
                                                             "practice-rag-design"]
    assert data["plan"][0]["point_id"] == "merge-adapters"


def test_rounds_without_delivery_figures_still_show_their_questions(tmp_path):
    docs, bank = rounds_and_bank(tmp_path)
    text = render_progress(docs, bank)
    assert text.startswith("3 rounds, oldest to newest")
    assert "No rounds with answers" not in text


@pytest.mark.anyio
async def test_the_app_shows_progress_from_the_sessions_list(tmp_path):
    three_rounds(tmp_path / "sessions")
    app = app_for(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        app.action_sessions()
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        shown = str(app.screen.query_one("#progress").render())
        assert "75% then 50%" in shown and "Practise next:" in shown
