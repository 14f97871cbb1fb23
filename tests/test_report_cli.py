"""Exports that behave (`-o FILE`, `-o -`, each subcommand's own usage, a closed pipe),
and what to practise next from the command line and the report screen: the drill, a
retry compared with the last attempt, and the model answers, shown and read aloud."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot

from simulator.cli import main
from simulator.tui.app import InterviewApp
from simulator.tui.options import RoundPlan
from simulator.tui.screens.report import ReportScreen, RetryPicker
from simulator.tui.screens.sessions import SessionsScreen
from tests.conftest import ROOT, render_answers, run_cli
from tests.test_progress_plan import BANK, judged_round, three_rounds
from tests.tui_support import SESSION_ID, app_for, write_session


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--sessions-dir", str(root)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_o_file_writes_that_file_in_the_format_its_suffix_names(capsys, tmp_path):
    root = tmp_path / "sessions"
    write_session(root)
    code, out, err = run(capsys, root, "report", "last", "-o", str(tmp_path / "r.html"))
    assert code == 0, err
    assert out.split() == [str(tmp_path / "r.html")]
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")
    # A new file with a suffix no format has is still that file, not a folder.
    code, out, _ = run(capsys, root, "report", "last", "-o", str(tmp_path / "notes.txt"))
    assert code == 0 and (tmp_path / "notes.txt").is_file()
    assert (tmp_path / "notes.txt").read_text().startswith("# Interview round")


def test_o_dash_prints_the_report_and_writes_nothing(capsys, tmp_path):
    root = tmp_path / "sessions"
    session = write_session(root)
    code, out, _ = run(capsys, root, "report", "last", "-o", "-")
    assert code == 0 and out.startswith("# Interview round") and "## Turns" in out
    code, out, _ = run(capsys, root, "report", "last", "--format", "json", "-o", "-")
    assert code == 0 and json.loads(out)["session_id"] == SESSION_ID
    code, out, _ = run(capsys, root, "report", "last", "--format", "vtt", "-o", "-")
    assert code == 0 and out.startswith("WEBVTT")
    assert not list(session.glob("report-*")) and not list(session.glob("round-*"))


@pytest.mark.parametrize(("args", "usage"), [
    (["report", "last", "--bogus"], "usage: interview report"),
    (["bank", "list", "--bogus"], "usage: interview bank list"),
    (["sessions", "--topic", "rag"], "usage: interview sessions"),
])
def test_an_unknown_flag_is_refused_with_the_subcommands_own_usage(args, usage):
    out = run_cli(*args)
    assert out.returncode == 2
    assert out.stderr.startswith(usage), out.stderr
    assert "unrecognized arguments" in out.stderr


def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    root = tmp_path / "sessions"
    write_session(root)
    for args in (["sessions", "--sessions-dir", str(root)], ["bank", "list", "--json"]):
        proc = subprocess.Popen([sys.executable, "-m", "simulator", *args], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before a line is written, as after head -1
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 1
        assert err == "", err


def test_drill_list_names_the_questions_missed_most_and_why(tmp_path):
    root = tmp_path / "sessions"
    three_rounds(root)
    out = run_cli("drill", "--list", "--bank", str(BANK), "--sessions-dir", str(root))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Drill: 2 questions whose points you missed most:"
    # RAG's three points missed once outweigh LoRA's one point missed twice (and one once).
    assert lines[1] == ("  Practice rag design (practice-rag-design): evaluation missed once; "
                        "rerank missed once; grounding missed once")
    assert lines[2] == ("  Practice lora (practice-lora): merge-adapters missed twice; "
                        "qlora missed once")
    one = run_cli("drill", "--list", "--json", "--questions", "1", "--bank", str(BANK),
                  "--sessions-dir", str(root))
    picks = json.loads(one.stdout)
    assert [p["question_id"] for p in picks] == ["practice-rag-design"]


def test_drill_with_nothing_missed_says_so_in_one_line(tmp_path):
    root = tmp_path / "sessions"
    write_session(root, "20260301-090000-practice-aaaa", judged_round(
        "20260301-090000-practice-aaaa", ("practice-lora", ["qlora"], [])))
    out = run_cli("drill", "--list", "--bank", str(BANK), "--sessions-dir", str(root))
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "nothing to drill yet" in out.stderr


def report_app(tmp_path: Path) -> tuple[InterviewApp, list[RoundPlan]]:
    """The app, with the rounds it would start recorded as their plans, not run."""
    app = app_for(tmp_path)
    started: list[RoundPlan] = []
    app.start_round = started.append  # type: ignore[method-assign]
    return app, started


async def settle(pilot: Pilot) -> None:
    """Until the workers are done and what they posted is shown."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.anyio
async def test_the_report_compares_with_the_last_attempt_and_shows_model_answers(tmp_path):
    root = tmp_path / "sessions"
    three_rounds(root)
    app, started = report_app(tmp_path)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        await app.push_screen(ReportScreen(root / "20260303-090000-practice-cccc"))
        await settle(pilot)
        shown = str(app.screen.query_one("#practice").render())
        assert "Since your last attempt" in shown
        assert "75% then 50%; lost: qlora; still missed: merge-adapters" in shown
        assert "No, if you merge the low-rank product" in shown  # the bank's model answer
        assert "Practise next" in shown and "1. Practice lora: merge-adapters" in shown

        await pilot.press("t")  # one question in this round: it is asked again at once
        await pilot.pause()
        assert [q.id for q in started[0].questions] == ["practice-lora"]
        assert started[0].label == "retry"

        await pilot.press("d")
        await settle(pilot)
        assert [q.id for q in started[1].questions] == ["practice-rag-design", "practice-lora"]


@pytest.mark.anyio
async def test_retry_asks_which_question_when_the_round_had_several(tmp_path):
    root = tmp_path / "sessions"
    sid = "20260304-090000-practice-dddd"
    write_session(root, sid, judged_round(
        sid, ("practice-rag-design", ["chunking"], ["rerank", "grounding"]),
        ("practice-lora", ["low-rank-update", "qlora"], ["merge-adapters"])))
    app, started = report_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(ReportScreen(root / sid))
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, RetryPicker)
        await pilot.press("enter")  # the weakest question is first
        await pilot.pause()
        assert [q.id for q in started[0].questions] == ["practice-rag-design"]


@pytest.mark.anyio
async def test_model_answers_are_read_aloud_in_a_worker_and_a_again_stops(tmp_path):
    root = tmp_path / "sessions"
    write_session(root)
    app, _ = report_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(ReportScreen(root / SESSION_ID))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        await pilot.press("a")
        await pilot.pause()
        reading = screen.reading
        assert reading is not None  # the key came back while the worker renders and plays
        assert [w for w in app.workers if w.group == "model-answers" and not w.is_finished]
        await pilot.press("a")
        await settle(pilot)
        assert reading.is_set() and screen.reading is None
        assert not [w for w in app.workers if w.group == "model-answers"
                    and not w.is_finished]


@pytest.mark.anyio
async def test_at_80x24_the_report_and_sessions_footers_show_every_key_they_list(tmp_path):
    from textual.widgets._footer import FooterKey

    root = tmp_path / "sessions"
    session = write_session(root)
    app, _ = report_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for screen, keys in ((ReportScreen(session), {"Retry", "Drill", "Back"}),
                             (SessionsScreen(), {"Progress", "Back"})):
            await app.push_screen(screen)
            await settle(pilot)
            shown = list(app.screen.query(FooterKey))
            palette = next(k for k in shown if k.description == "palette")
            left = [k for k in shown if k is not palette]
            assert keys <= {k.description for k in left}
            assert all(k.region.right <= palette.region.x for k in left)


def test_drill_runs_its_round_as_interview_run_does(tmp_path, synth):
    root = tmp_path / "sessions"
    three_rounds(root)
    answers = render_answers(synth, tmp_path / "answers", [
        "I would tell the model to answer only from the retrieved chunks and cite them, "
        "and I would rerank the results with a cross encoder."])
    out = run_cli("drill", "--questions", "1", "--bank", str(BANK), "--answers", str(answers),
                  "--no-speak", "--json", "--sessions-dir", str(root))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [q["question_id"] for q in doc["questions"]] == ["practice-rag-design"]
    assert "-drill-" in doc["session_id"]
    assert out.stderr.startswith("Drill: 1 question whose points you missed most:")
