"""Snapshots of every screen at 80x24 (and one in the light theme), from fixed data.

Update them after an intended change with `pytest tests/test_tui_snapshots.py
--snapshot-update`, and look at the report it writes before keeping them.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from simulator.banks.loader import load_bank
from simulator.engine.controls import Stage
from simulator.engine.events import (
    AnswerFinished,
    AnswerStarted,
    Assessed,
    AwaitingCorrections,
    Decided,
    InputLevel,
    PartialTranscript,
    PointResult,
    QuestionAsked,
    WordTiming,
)
from simulator.tui.messages import (
    AnswerBegan,
    AnswerHeard,
    CorrectionsAwaited,
    DecisionMade,
    LevelChanged,
    PartialHeard,
    QuestionPosed,
    VerdictReady,
)
from simulator.tui.options import AppOptions, Choices, RoundPlan
from simulator.tui.screens.interview import InterviewScreen
from simulator.tui.screens.replay import ReplayScreen
from simulator.tui.screens.report import ReportScreen
from simulator.tui.screens.sessions import SessionsScreen
from simulator.tui.theme import LIGHT
from tests.tui_support import FIXTURES, SESSION_ID, app_for, settings_for, write_session

LORA = load_bank(FIXTURES / "practice.yaml").questions[1]


async def settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def test_setup_screen(snap_compare, tmp_path):
    app = app_for(tmp_path, AppOptions(choices=Choices(topics=("practice",), levels=("core",)),
                                       speak=False))
    assert snap_compare(app, run_before=settle)


def test_setup_screen_in_the_light_theme(snap_compare, tmp_path):
    app = app_for(tmp_path, theme=LIGHT)
    assert snap_compare(app, run_before=settle)


def _interview(tmp_path: Path, practice: bool = True) -> InterviewScreen:
    plan = RoundPlan("practice", [LORA], "coach", "practice" if practice else "realistic",
                     False, None, False, 1, Choices())
    return InterviewScreen(plan, settings_for(tmp_path), autostart=False)


def _asked() -> QuestionAsked:
    return QuestionAsked(1.0, 1, "question", LORA.id, LORA.prompt, None, "audio/01-prompt.wav",
                         120)


def test_interview_screen_while_answering(snap_compare, tmp_path):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        screen = _interview(tmp_path)
        await pilot.app.push_screen(screen)
        for m in (QuestionPosed(_asked()), AnswerBegan(AnswerStarted(2.0, 1, "mic")),
                  LevelChanged(InputLevel(95.0, 1, -21.5, True, 93.4)),
                  PartialHeard(PartialTranscript(95.0, 1, "LoRA freezes the pretrained weights "
                                                          "and trains two small matrices"))):
            screen.post_message(m)
        await pilot.pause()

    assert snap_compare(_app(tmp_path), run_before=run_before)


def test_interview_screen_shows_the_verdict_in_practice(snap_compare, tmp_path):
    text = ("LoRA freezes the pretrained weights and trains two small low rank matrices, "
            "so it needs much less GPU memory.")
    points = [PointResult("low-rank-update", True, "trains two small low rank matrices"),
              PointResult("memory-savings", True, "needs much less GPU memory"),
              PointResult("merge-adapters", False, ""),
              PointResult("qlora", False, "")]

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        screen = _interview(tmp_path)
        await pilot.app.push_screen(screen)
        for m in (QuestionPosed(_asked()),
                  AnswerHeard(AnswerFinished(30.0, 1, "audio/01-answer.wav", 28.0, "silence",
                                             text)),
                  VerdictReady(Assessed(30.1, 1, LORA.id, points, 0.55)),
                  DecisionMade(Decided(30.1, 1, LORA.id, "follow_up", "merge-adapters",
                                       "'merge-adapters' (weight 2) was not covered",
                                       "offline"))):
            screen.post_message(m)
        await pilot.pause()

    assert snap_compare(_app(tmp_path), run_before=run_before)


def test_interview_screen_checks_what_was_heard(snap_compare, tmp_path):
    text = "Laura freezes the pretrained weights and trains two small low rank matrices."
    unsure = {"Laura": 0.31, "rank": 0.44}
    words = [WordTiming(w, i * 0.4, i * 0.4 + 0.3, unsure.get(w, 0.92))
             for i, w in enumerate(text.split())]

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        screen = _interview(tmp_path)
        await pilot.app.push_screen(screen)
        for m in (QuestionPosed(_asked()),
                  AnswerHeard(AnswerFinished(30.0, 1, "audio/01-answer.wav", 12.0, "silence",
                                             text, words)),
                  CorrectionsAwaited(AwaitingCorrections(30.1, 1, ["Laura", "rank"]))):
            screen.post_message(m)
        await pilot.pause()
        screen.query_one("#check-input", Input).cursor_blink = False  # one fixed frame
        screen.controls.enter(Stage.CHECK)  # as the round does while the check waits
        await pilot.press(*"Laura => LoRA", "enter")
        await pilot.pause()

    assert snap_compare(_app(tmp_path), run_before=run_before)


def _app(tmp_path: Path):  # type: ignore[no-untyped-def]
    return app_for(tmp_path)


def test_report_screen(snap_compare, tmp_path):
    sdir = write_session(tmp_path / "sessions")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(ReportScreen(sdir))
        await settle(pilot)

    assert snap_compare(_app(tmp_path), run_before=run_before)


def test_report_screen_question_by_question(snap_compare, tmp_path):
    sdir = write_session(tmp_path / "sessions")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(ReportScreen(sdir))
        await settle(pilot)
        await pilot.press("end")
        await pilot.pause()

    assert snap_compare(_app(tmp_path), run_before=run_before)


def test_sessions_screen(snap_compare, tmp_path):
    write_session(tmp_path / "sessions")
    write_session(tmp_path / "sessions", "20260315-181500-practice-c3d4",
                  status="interrupted")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(SessionsScreen())
        await settle(pilot)

    assert snap_compare(_app(tmp_path), run_before=run_before)


def test_replay_screen(snap_compare, tmp_path):
    sdir = write_session(tmp_path / "sessions")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(ReplayScreen(sdir, autoplay=False))
        await settle(pilot)
        await pilot.press("down", "down", "right")  # to the first answer, 5 s in
        await pilot.pause()

    assert snap_compare(_app(tmp_path), run_before=run_before)


def test_help_screen(snap_compare, tmp_path):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(_app(tmp_path), run_before=run_before)


def test_the_session_id_is_fixed():
    assert SESSION_ID.startswith("2026")  # snapshots show it: no clock, no random id
