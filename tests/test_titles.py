"""Words where people expect words: a short title for every question (shown instead of
its id), correct plurals in the opening, and a session's length as its speaking time."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulator.banks.loader import load_banks, validate_bank_file
from simulator.banks.model import MAX_TITLE_CHARS
from simulator.personas import list_personas
from simulator.sessions.export import to_markdown
from simulator.tui.catalog import list_sessions
from simulator.tui.screens.report import ReportScreen
from simulator.tui.widgets.coverage_chart import chart_lines
from simulator.tui.widgets.question_report import question_lines
from tests.tui_support import SESSION_ID, app_for, write_session


def test_every_shipped_question_has_a_short_plain_title():
    questions = [q for b in load_banks() for q in b.questions]
    assert len(questions) == 190
    untitled = [q.id for q in questions if not q.title]
    assert not untitled
    assert all(len(q.title or "") <= MAX_TITLE_CHARS for q in questions)
    for bank in load_banks():
        titles = [q.title for q in bank.questions]
        assert len(set(titles)) == len(titles), bank.topic


def _bank(tmp_path: Path, **extra: object) -> Path:
    q = {"id": "my-topic-vector-search", "prompt": "How does approximate search work?",
         "rubric": [{"id": "hnsw", "weight": 2, "covers": "Names HNSW.", "terms": ["hnsw"]}],
         **extra}
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"topic": "my-topic", "questions": [q]}))
    return path


def test_a_users_bank_needs_no_title_and_reads_its_id_as_words(tmp_path):
    bank, problems = validate_bank_file(_bank(tmp_path))
    assert not problems and bank is not None
    assert bank.questions[0].label == "My topic vector search"


@pytest.mark.parametrize("title, says", [
    ("A title that goes on and on well past what fits on a line", "at most 40"),
    ("Two\nlines", "one line"), ("   ", "is empty"), ("**Bold**", "one line")])
def test_a_bad_title_is_named_by_file_question_and_field(tmp_path, title, says):
    bank, problems = validate_bank_file(_bank(tmp_path, title=title))
    assert bank is None and len(problems) == 1
    assert problems[0].question == "my-topic-vector-search" and problems[0].field == "title"
    assert says in problems[0].message


def test_screens_and_reports_show_titles_not_ids():
    questions = {q.id: q for b in load_banks() for q in b.questions}
    q = {"question_id": "starter-rag-design", "coverage": 0.5, "covered": [],
         "missed": ["rerank"], "follow_ups": 0}
    chart = chart_lines([q], titles={k: v.label for k, v in questions.items()})
    assert "1. RAG design" in chart[0].plain and "starter-rag-design" not in chart[0].plain
    head = question_lines(1, q, [], questions["starter-rag-design"])[0][0]
    assert head.plain.startswith("1. RAG design")
    doc = {"session_id": "s", "stt": {}, "policy": "offline", "status": "complete",
           "delivery": {}, "questions": [q], "turns": []}
    md = to_markdown(doc, questions)
    assert "### 1. RAG design: 50% covered" in md and "starter-rag-design" not in md
    assert "Missed **rerank** (essential): A reranking step" in md
    assert "Model answer for rerank:" in md


@pytest.mark.anyio
async def test_the_reports_strengths_and_gaps_name_questions_by_title(tmp_path):
    # They read "practice-rag-design: rerank; practice-rag-design: chunking" before.
    root = tmp_path / "sessions"
    write_session(root)
    app = app_for(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await app.push_screen(ReportScreen(root / SESSION_ID))
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        shown = str(app.screen.query_one("#gaps").render())
    assert "Strengths" in shown and "Practice rag design: rerank" in shown
    assert "Practice rag design: grounding (" in shown
    assert "practice-rag-design" not in shown


@pytest.mark.parametrize("count, said", [(1, "1 question"), (3, "3 questions")])
def test_the_opening_counts_questions_in_good_english(count, said):
    for persona in list_personas():
        opening = persona.style.opening_for(count)
        assert said in opening and "1 questions" not in opening


def test_a_sessions_length_is_the_time_the_candidate_spoke(tmp_path):
    write_session(tmp_path)
    rows, _ = list_sessions(tmp_path)
    assert rows and rows[0].length_s > 0
    spoken = sum(e.delivery.speaking_s for e in _finished(tmp_path) if e.delivery)
    assert rows[0].length_s == pytest.approx(spoken, abs=0.1)


def _finished(root: Path) -> list:
    from simulator.engine.events import AnswerFinished
    from simulator.sessions.store import read_session

    session = read_session(next(root.iterdir()))
    return [e for e in session.events if isinstance(e, AnswerFinished)]
