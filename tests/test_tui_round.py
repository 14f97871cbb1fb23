"""Whole rounds in the app, driven by keys (Pilot): answers are real speech (pyttsx3) fed in
real time through the microphone path, transcribed by the real Whisper model, judged, saved,
reviewed in the report, replayed, and deleted."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from simulator.engine.controls import Stage
from simulator.locations import user_glossary_file
from simulator.speech import learned
from simulator.tui.app import InterviewApp
from simulator.tui.messages import AnswerHeard, LevelChanged, PartialHeard, VerdictReady
from simulator.tui.options import AppOptions, Choices
from simulator.tui.screens.interview import InterviewScreen
from simulator.tui.screens.replay import ReplayScreen
from simulator.tui.screens.report import ReportScreen
from simulator.tui.screens.sessions import SessionsScreen
from simulator.tui.widgets.check_panel import CheckPanel
from tests.conftest import render_answers
from tests.tui_support import app_for, settings_for

pytestmark = pytest.mark.anyio

LORA = "LoRA freezes the pretrained weights and trains two small low rank matrices."
MERGE = "After training you can merge the adapter into the base weights."
LONG = ("LoRA keeps the base model frozen. It learns a low rank update made of two small "
        "matrices, so only a few parameters are trained and far less memory is needed.")


def text_of(app: InterviewApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def wait_until(pilot: Pilot, cond: Callable[[], bool], timeout: float = 90.0,
                     what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or cond}")
        await pilot.pause(0.05)


def phase(app: InterviewApp) -> str:
    return text_of(app, "#phase") if isinstance(app.screen, InterviewScreen) else ""


def checking(app: InterviewApp) -> bool:
    return isinstance(app.screen, InterviewScreen) and app.screen.query_one(
        "#check", CheckPanel).is_open


async def start(pilot: Pilot, app: InterviewApp) -> None:
    await wait_until(pilot, lambda: not app.screen.query_one("#start", Button).disabled,
                     30, "the set-up screen to load")
    assert "practice-lora" in text_of(app, "#preview")
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), 10,
                     "the round to start")


def only_session(tmp_path: Path) -> Path:
    found = list((tmp_path / "sessions").iterdir())
    assert len(found) == 1
    return found[0]


def saved_events(session: Path) -> list[dict]:
    return [json.loads(line) for line in (session / "events.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory, synth) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tui-answers")
    return {"two": render_answers(synth, root / "two", [LORA, MERGE]),
            "one": render_answers(synth, root / "one", [LORA]),
            "long": render_answers(synth, root / "long", [LONG])}


def options(answers_dir: Path, **choices: object) -> AppOptions:
    picked = Choices(question_ids=("practice-lora",), **choices)  # type: ignore[arg-type]
    return AppOptions(choices=picked, answers_dir=answers_dir, speak=False, seed=1)


async def test_a_practice_round_reviewed_replayed_and_deleted(tmp_path, answers):
    app = app_for(tmp_path, options(answers["two"]))
    seen: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await start(pilot, app)
        await wait_until(pilot, lambda: checking(app), what="the check of the first answer")
        await pilot.press("enter")  # what was heard is right: on to the verdict
        await wait_until(pilot, lambda: "Press space" in phase(app), what="the first verdict")
        assert "What is LoRA" in text_of(app, "#question")
        heard = text_of(app, "#transcript-text").lower()
        assert "weights" in heard and "matrices" in heard
        verdict = text_of(app, "#verdict")
        assert "✓ low-rank-update" in verdict and "✗" in verdict and "Follow-up on" in verdict
        assert any(isinstance(m, LevelChanged) for m in seen)

        await pilot.press("space")  # on to the follow-up
        await wait_until(pilot, lambda: "Follow-up" in str(
            app.screen.query_one("#question").border_title or ""), 30, "the follow-up")
        await wait_until(pilot, lambda: checking(app), what="the check of the second answer")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Press space" in phase(app), what="the second verdict")
        await pilot.press("space")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), 30, "the report")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "complete" in text_of(app, "#report-bar")
        assert "Practice lora" in text_of(app, "#coverage")  # its title, not its id

        session = only_session(tmp_path)
        manifest = json.loads((session / "manifest.json").read_text())
        assert manifest["status"] == "complete"
        events = saved_events(session)
        finished = [e for e in events if e["type"] == "answer_finished"]
        assert len(finished) == 2 and "weights" in finished[0]["transcript"].lower()
        assert [e["kind"] for e in events if e["type"] == "question_asked"][:2] == [
            "question", "follow_up"]

        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ReplayScreen), 10)
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: bool(screen.items) and screen.playing, 10, "playback")
        await pilot.press("space")
        assert not screen.playing and "Paused" in text_of(app, "#replay-state")
        await pilot.press("down", "down")
        assert screen.at_index == 2 and screen.items[2].speaker == "candidate"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), 5)

        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen)
                         and len(app.screen.rows) == 1, 10, "the session list")
        await pilot.press("d")
        await pilot.press("y")
        await wait_until(pilot, lambda: not session.exists(), 10, "the deletion")
        await wait_until(pilot, lambda: "No rounds" in text_of(app, "#sessions-empty"), 10)


async def test_practice_checks_what_was_heard_and_judges_the_corrected_text(tmp_path, answers):
    app = app_for(tmp_path, options(answers["two"]))
    seen: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await start(pilot, app)
        await wait_until(pilot, lambda: checking(app), what="the check of the first answer")
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        heard = next(m.event for m in seen if isinstance(m, AnswerHeard))
        assert "weights" in heard.transcript.lower()  # the word to correct was heard
        assert "weights" in text_of(app, "#transcript-text").lower()
        # The box takes the focus once the panel is shown (on the next refresh).
        await wait_until(pilot, lambda: isinstance(screen.focused, Input), 5, "the box focus")
        assert isinstance(screen.focused, Input)  # the box is ready for typing

        await pilot.press(*"no arrow here", "enter")
        assert "heard => meant" in text_of(app, "#check-error")
        # Spaces typed in the box are spaces: the transcript is still held.
        assert screen.controls.stage is Stage.CHECK
        await pilot.press("ctrl+u", *"weights => parameters", "enter")
        await wait_until(pilot, lambda: "weights → parameters" in text_of(app, "#check-fixes"),
                         5, "the fix to be listed")
        assert not app.screen.query_one("#check-error").display

        await pilot.press("escape")  # out of the box: the single keys work again
        assert screen.focused is None and screen.controls.stage is Stage.CHECK
        await pilot.press("g")
        await wait_until(pilot, lambda: any("Saved 1 to your glossary" in str(n.message)
                                            for n in app._notifications), 10, "the glossary")
        assert learned.load(user_glossary_file()) == {"parameters": ["weights"]}

        await pilot.press("space")  # go on: judge the corrected text
        await wait_until(pilot, lambda: "Press space" in phase(app), what="the first verdict")
        shown = text_of(app, "#transcript-text")
        assert "parameters" in shown and "You corrected: weights → parameters" in shown

        await pilot.press("space")  # on to the follow-up, whose transcript is right
        await wait_until(pilot, lambda: checking(app), what="the check of the follow-up")
        await pilot.press("enter")  # an empty box goes on
        await wait_until(pilot, lambda: "Press space" in phase(app), what="the second verdict")
        await pilot.press("space")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), 30, "the report")
        await app.workers.wait_for_complete()

    events = saved_events(only_session(tmp_path))
    kinds = [e["type"] for e in events]
    assert kinds.count("awaiting_corrections") == 2 and kinds.count("assessed") == 2
    fixed = [e for e in events if e["type"] == "transcript_corrected"]
    assert len(fixed) == 1 and fixed[0]["corrections"] == ["weights -> parameters"]
    assert fixed[0]["not_found"] == [] and "parameters" in fixed[0]["transcript"]
    assert "weights" not in fixed[0]["transcript"].lower()
    # The judge read the corrected text: judging came right after the correction.
    assert kinds[kinds.index("transcript_corrected") + 1] == "assessed"
    assert events[-1]["type"] == "session_ended" and events[-1]["status"] == "complete"


async def test_realistic_mode_reveals_nothing_until_the_report(tmp_path, answers):
    app = app_for(tmp_path, options(answers["one"], mode="realistic"))
    seen: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await start(pilot, app)
        await wait_until(pilot, lambda: any(isinstance(m, VerdictReady) for m in seen),
                         what="the verdict")
        await pilot.pause()
        if isinstance(app.screen, InterviewScreen):
            verdict = text_of(app, "#verdict")
            assert "✓" not in verdict and "Coverage" not in verdict
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), 30, "the report")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "%" in text_of(app, "#coverage")


async def test_push_to_talk_ends_on_the_key_and_the_round_can_be_ended(tmp_path, answers):
    app = app_for(tmp_path, options(answers["long"], push_to_talk=True),
                  settings=settings_for(tmp_path, silence_s=1.0))
    seen: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await start(pilot, app)
        await wait_until(pilot, lambda: "Press space to start" in phase(app),
                         what="the push-to-talk prompt")
        await pilot.press("space")
        await wait_until(pilot, lambda: "Recording" in phase(app), 10)
        await wait_until(pilot, lambda: any(isinstance(m, PartialHeard) for m in seen), 30,
                         "the live transcript")
        # A quiet live line on pace and fillers, to correct course while speaking.
        await wait_until(pilot, lambda: str(app.screen.query_one("#transcript").border_subtitle)
                         .startswith("so far: "), 10, "the live pace line")
        # The fillers so far; no pace until 10 s of speech can show one, and the line says so.
        live = str(app.screen.query_one("#transcript").border_subtitle)
        assert "filler" in live and (" wpm" in live or "after 10 s of speech" in live)
        await pilot.press("space")  # stop: well before the file (and any silence) ends
        await wait_until(pilot, lambda: checking(app), what="the check of the answer")
        assert str(app.screen.query_one("#transcript").border_subtitle).startswith("answer: ")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Press space" in phase(app), what="the verdict")
        await pilot.press("e")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), 30, "the report")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "cancelled" in text_of(app, "#report-bar")
    events = saved_events(only_session(tmp_path))
    finished = [e for e in events if e["type"] == "answer_finished"]
    assert len(finished) == 1 and finished[0]["end_reason"] == "key"
    assert finished[0]["duration_s"] < 9.0
    assert events[-1]["type"] == "session_ended" and events[-1]["status"] == "cancelled"


async def test_the_set_up_screen_shows_the_command_lines_choices(tmp_path):
    from textual.widgets import Input, Select, SelectionList

    opts = AppOptions(bank="practice", choices=Choices(levels=("core",), count=2,
                                                       mode="realistic", push_to_talk=True),
                      speak=False)
    app = app_for(tmp_path, opts)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: not app.screen.query_one("#start", Button).disabled,
                         30, "the set-up screen to load")
        s = app.screen
        assert s.query_one("#topics", SelectionList).selected == ["practice"]
        assert s.query_one("#level", Select).value == "core"
        assert s.query_one("#count", Input).value == "2"
        assert s.query_one("#mode", Select).value == "realistic"
        assert s.query_one("#answer-mode", Select).value == "ptt"
        assert "2 drawn at random from 2" in text_of(app, "#preview")
        await pilot.press("ctrl+s")
        await pilot.press(*"mine", "enter")
        await wait_until(pilot, lambda: (tmp_path / "selections.json").exists(), 5)
        saved = json.loads((tmp_path / "selections.json").read_text())
        assert saved["mine"]["mode"] == "realistic" and saved["mine"]["push_to_talk"] is True


async def test_a_failure_is_a_line_on_screen_not_a_traceback(tmp_path, answers):
    from simulator.config import load_settings

    bad = load_settings(overrides={"sessions": {"dir": str(tmp_path / "sessions")},
                                   "stt": {"model": "no-such-model"}})
    app = app_for(tmp_path, options(answers["one"]), settings=bad)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, app)
        await wait_until(pilot, lambda: "stopped" in phase(app), 20, "the failure")
        assert "no-such-model" in phase(app)
        assert any("no-such-model" in str(n.message) for n in app._notifications)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen.query("#start"), 5, "the set-up screen")


async def test_the_command_palette_lists_the_screens_actions(tmp_path):
    app = app_for(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.catalog is not None, 30)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Start round", "Sessions", "Save selection", "Keys and help", "Quit"):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.press(*"sessions", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen), 5)


async def test_the_time_warning_leaves_the_question_up_and_the_cut_in_is_shown(tmp_path, synth):
    import yaml

    from simulator.banks.loader import load_bank
    from simulator.config import load_settings
    from simulator.personas import list_personas
    from simulator.tui.catalog import Catalog
    from simulator.tui.messages import InterviewerSpoke
    from tests.tui_support import FIXTURES

    bank = yaml.safe_load((FIXTURES / "practice.yaml").read_text())
    for q in bank["questions"]:
        q["budget_s"] = 10
    (tmp_path / "short.yaml").write_text(yaml.safe_dump(bank))
    catalog = Catalog([load_bank(tmp_path / "short.yaml")], list_personas())
    spoken = render_answers(synth, tmp_path / "answers", [LONG + " " + MERGE + " " + LORA])
    settings = load_settings(overrides={"sessions": {"dir": str(tmp_path / "sessions")},
                                        "tts": {"speak": False},
                                        "interview": {"timing": "cut_in"}})
    app = app_for(tmp_path, options(spoken, mode="realistic"), catalog=catalog,
                  settings=settings)
    seen: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await start(pilot, app)

        def said(kind: str) -> bool:
            return any(isinstance(m, InterviewerSpoke) and m.event.kind == kind for m in seen)

        await wait_until(pilot, lambda: said("time_warning"), 60, "the time warning")
        await pilot.pause(0.2)
        assert "LoRA" in str(app.screen.query_one("#question").render())  # still the question
        assert "over" not in phase(app)
        await wait_until(pilot, lambda: said("cut_in"), 30, "the cut-in")
        await wait_until(pilot, lambda: "Time is up" in phase(app) or isinstance(
            app.screen, ReportScreen), 10, "the cut-in on screen")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), 60, "the report")
        await app.workers.wait_for_complete()
    events = saved_events(only_session(tmp_path))
    finished = [e for e in events if e["type"] == "answer_finished"]
    assert finished[0]["end_reason"] == "time_limit"
    assert len([e for e in events if e["type"] == "question_asked"]) == 1  # moved on
