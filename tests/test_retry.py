"""Retrying a question: a new attempt recorded into the same session, from the command line
(`interview retry`) and from the report's key, shown as attempt 1 and attempt 2 with what
the later one gained, lost and kept; progress and the drill count both attempts, and an
interrupted retry is still recovered."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from simulator.audio.endpoint import EndReason
from simulator.config import load_settings
from simulator.engine.events import (
    AnswerFinished,
    AnswerStarted,
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
from simulator.errors import UserError
from simulator.recovery import recover_session
from simulator.sessions.drill import point_needs
from simulator.sessions.progress import documents, question_progress
from simulator.sessions.recover import needs_recovery
from simulator.sessions.store import read_session, read_sessions
from simulator.sessions.summary import round_document
from simulator.tui.options import AppOptions, Choices, SavedSelections
from simulator.tui.screens.report import ReportScreen
from tests.conftest import render_answers, run_cli
from tests.test_progress_plan import judged_round
from tests.tui_support import FIXTURES, app_for, until, write_session

BANK = FIXTURES / "practice.yaml"
LORA = "LoRA freezes the pretrained weights and trains two small low rank matrices."
LORA_AND_MEMORY = ("LoRA freezes the pretrained weights and trains two small low rank "
                   "matrices, so far fewer parameters are trained and it needs much less GPU "
                   "memory.")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory, synth) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("retry-answers")
    return {"first": render_answers(synth, root / "first", [LORA]),
            "better": render_answers(synth, root / "better", [LORA_AND_MEMORY])}


def first_round(root: Path, answers: Path) -> Path:
    """A real round of the LoRA question, answered by one file: its session folder."""
    out = run_cli("run", "--bank", str(BANK), "--question", "practice-lora", "--answers",
                  str(answers), "--no-speak", "--json", "--sessions-dir", str(root))
    assert out.returncode == 0, out.stderr
    return Path(json.loads(out.stdout)["session_dir"])


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((folder / "audio").iterdir())}


def test_interview_retry_adds_attempt_2_to_the_same_session_and_compares(tmp_path, answers):
    root = tmp_path / "sessions"
    session = first_round(root, answers["first"])
    before = digests(session)

    out = run_cli("retry", "last", "--bank", str(BANK), "--answers", str(answers["better"]),
                  "--no-speak", "--json", "--sessions-dir", str(root))
    assert out.returncode == 0, out.stderr
    assert out.stderr.startswith("Retry: Practice lora (practice-lora), attempt 2 in session")
    doc = json.loads(out.stdout)
    assert [d.name for d in root.iterdir()] == [session.name]  # no new session
    assert doc["session_id"] == session.name
    q = doc["questions"][0]
    assert [a["attempt"] for a in q["attempts"]] == [1, 2]
    assert q["coverage"] == q["attempts"][1]["coverage"] > q["attempts"][0]["coverage"]
    assert q["change"]["gained"] == ["memory-savings"]
    assert q["change"]["kept"] == ["low-rank-update"] and q["change"]["lost"] == []
    # The new attempt's turns go on from the old ones, and its times after theirs.
    asked = [(t["turn"], t["attempt"], t["kind"]) for t in doc["turns"]]
    assert asked == [(1, 1, "question"), (2, 1, "follow_up"), (3, 2, "question"),
                     (4, 2, "follow_up")]
    assert doc["turns"][2]["asked_at_s"] > doc["turns"][1]["asked_at_s"]

    # Nothing recorded before was overwritten; the manifest says how the retry ended.
    after = digests(session)
    assert {k: after[k] for k in before} == before and len(after) > len(before)
    manifest = json.loads((session / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["turns"] == 4
    assert manifest["question_ids"] == ["practice-lora"]

    report = run_cli("report", session.name, "-o", "-", "--sessions-dir", str(root))
    assert report.returncode == 0, report.stderr
    assert "- Attempt 2 against attempt 1: gained: memory-savings; kept: low-rank-update" \
        in report.stdout
    assert "### 3. Question: Practice lora (attempt 2)" in report.stdout
    replay = run_cli("replay", session.name, "--no-play", "--sessions-dir", str(root))
    assert "interviewer (attempt 2) What is LoRA" in replay.stdout

    progress = json.loads(run_cli("progress", "--json", "--bank", str(BANK),
                                  "--sessions-dir", str(root)).stdout)
    lora = progress["questions"][0]
    assert lora["sessions"] == [session.name, session.name]  # two attempts, one session
    assert lora["last_change"]["gained"] == ["memory-savings"]


def test_retry_refuses_a_question_the_round_never_asked_in_one_line(tmp_path):
    root = tmp_path / "sessions"
    sid = "20260301-090000-practice-aaaa"
    write_session(root, sid, judged_round(sid, ("practice-lora", ["qlora"], ["merge-adapters"])))
    out = run_cli("retry", sid, "practice-rag-design", "--bank", str(BANK),
                  "--sessions-dir", str(root))
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1
    assert "is not a question of session" in out.stderr and "practice-lora" in out.stderr
    usage = run_cli("retry", "--help")
    assert usage.stdout.startswith("usage: interview retry")


def test_retry_refuses_an_interrupted_session_until_it_is_recovered(tmp_path):
    root = tmp_path / "sessions"
    sid = "20260301-090000-practice-aaaa"
    events = judged_round(sid, ("practice-lora", ["qlora"], ["merge-adapters"]))[:-1]
    write_session(root, sid, events, status="recording")
    out = run_cli("retry", sid, "--bank", str(BANK), "--sessions-dir", str(root))
    assert out.returncode == 2
    assert "was interrupted; run `interview sessions --recover" in out.stderr


def retried(sid: str) -> list[Event]:
    """A round of the LoRA question, then a retry of it cut off after its answer was heard
    and before it was judged (the process killed)."""
    old = judged_round(sid, ("practice-lora", ["low-rank-update"], ["merge-adapters"]))
    return [*old,
            SessionStarted(20.0, sid, str(BANK), "coach", "offline",
                           SttSummary("tiny.en", "cpu", "int8"), ["practice-lora"], "files"),
            QuestionAsked(21.0, 2, TurnKind.QUESTION, "practice-lora", "Tell me again.", None,
                          "audio/retry1-02-prompt.wav", 60, attempt=2),
            AnswerStarted(22.0, 2, "files"),
            AnswerFinished(30.0, 2, "audio/02-answer.wav", 8.0, EndReason.SILENCE,
                           "you can merge the adapter into the base weights, no extra "
                           "latency")]


def test_a_retry_cut_off_is_recovered_and_closed_as_its_own_round(tmp_path):
    root = tmp_path / "sessions"
    sid = "20260301-090000-practice-aaaa"
    folder = write_session(root, sid, retried(sid), status="recording")
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "bank": str(BANK)}))
    session = read_session(folder)
    # The first round's end says nothing about the retry that followed it.
    assert session.manifest["status"] == "interrupted" and needs_recovery(session)
    settings = load_settings(overrides={"sessions": {"dir": str(root)}})
    line = recover_session(settings, folder)
    assert "turn 2 recovered" in line
    events = read_session(folder).events
    assert isinstance(events[-1], SessionEnded)
    assert events[-1].status is SessionStatus.CANCELLED  # not the first round's 'complete'
    q = round_document(events, folder)["questions"][0]
    assert [a["attempt"] for a in q["attempts"]] == [1, 2]
    assert "merge-adapters" in q["change"]["gained"]


def test_progress_and_the_drill_take_the_later_attempt_as_the_latest(tmp_path):
    root = tmp_path / "sessions"
    sid = "20260301-090000-practice-aaaa"
    judged = Assessed(31.0, 2, "practice-lora",
                      [PointResult("low-rank-update", True, "low rank"),
                       PointResult("merge-adapters", True, "merge the adapter")], 1.0)
    write_session(root, sid, [*retried(sid), judged,
                              SessionEnded(32.0, SessionStatus.COMPLETE, 2)])
    docs = documents(read_sessions(root)[0])
    progress = question_progress(docs)[0]
    assert progress["coverage"] == [0.5, 1.0]
    assert progress["last_change"]["gained"] == ["merge-adapters"]
    merge = next(n for n in point_needs(docs) if n.point_id == "merge-adapters")
    assert (merge.misses, merge.attempts, merge.missed_last) == (1, 2, False)


def test_an_attempt_number_under_1_is_refused_on_reading(tmp_path):
    root = tmp_path / "sessions"
    sid = "20260301-090000-practice-aaaa"
    folder = write_session(root, sid, judged_round(sid, ("practice-lora", ["qlora"], [])))
    lines = (folder / "events.jsonl").read_text().splitlines()
    asked = json.loads(lines[1])
    asked["attempt"] = 0
    lines[1] = json.dumps(asked)
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError) as err:
        read_session(folder)
    assert err.value.field == "line 2 (question_asked) attempt"


@pytest.mark.anyio
async def test_the_reports_t_retries_into_the_same_session_and_shows_both(tmp_path, answers):
    root = tmp_path / "sessions"
    session = first_round(root, answers["first"])
    SavedSelections(tmp_path / "selections.json").save(SavedSelections.LAST,
                                                       Choices(mode="realistic"))
    app = app_for(tmp_path, AppOptions(answers_dir=answers["better"], speak=False, seed=1))
    async with app.run_test(size=(100, 60)) as pilot:
        first = ReportScreen(session)
        await app.push_screen(first)
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("t")  # one question: asked again at once
        await until(pilot, lambda: isinstance(app.screen, ReportScreen)
                         and app.screen is not first, "the retry's report")
        await until(pilot, lambda: bool(app.screen.query(".q-head")), "the report's "
                         "questions")
        shown = "\n".join(str(s.render()) for s in app.screen.query(".q-answer"))
    assert [d.name for d in root.iterdir()] == [session.name]
    assert "attempt 2 against attempt 1: gained: memory-savings; kept: low-rank-update" \
        in shown
    assert "turn 3 · attempt 2" in shown
    asked = [json.loads(line) for line in (session / "events.jsonl").read_text().splitlines()
             if '"question_asked"' in line]
    assert [(e["turn"], e["attempt"]) for e in asked][:3] == [(1, 1), (2, 1), (3, 2)]
