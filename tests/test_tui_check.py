"""Checking what was heard: reading a line of fixes, marking the unsure words, and the
check box's keys on the interview screen (whole rounds with it are in test_tui_round)."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input

from simulator.banks.loader import load_bank
from simulator.engine.controls import Action, Stage
from simulator.engine.events import AwaitingCorrections, QuestionAsked, WordTiming
from simulator.locations import user_glossary_file
from simulator.review import parse_fixes
from simulator.speech import learned
from simulator.tui.messages import CorrectionsAwaited, QuestionPosed
from simulator.tui.options import Choices, RoundPlan
from simulator.tui.screens.interview import InterviewScreen
from simulator.tui.widgets.check_panel import CheckPanel, unsure_words
from simulator.tui.widgets.transcript_view import FILLER_STYLE, UNSURE_STYLE, marked
from tests.tui_support import FIXTURES, app_for, settings_for


def test_a_line_of_fixes_takes_either_arrow_and_several_at_once():
    assert parse_fixes("laura => LoRA") == [("laura", "LoRA")]
    assert parse_fixes(" cue laura -> QLoRA ;  `rag`=>RAG; ") == [("cue laura", "QLoRA"),
                                                                  ("rag", "RAG")]


@pytest.mark.parametrize("line", ["laura", "=> LoRA", "laura =>", "a => b => c", " ; "])
def test_a_malformed_line_is_a_sentence_not_an_exception(line):
    with pytest.raises(ValueError, match="heard => meant"):
        parse_fixes(line)


def test_unsure_words_are_listed_once_without_punctuation():
    assert unsure_words(["LoRA,", "rank", "lora.", "GPU"]) == ["LoRA", "rank", "GPU"]


def test_the_words_marked_unsure_are_underlined_and_a_filler_shown_as_one():
    # Hearing decides which words are unsure (speech/unsure.py): the view shows its verdict,
    # not a probability of its own. A filler is shown where it was said, marked as one.
    words = [WordTiming("So", 0.0, 0.2, 0.9), WordTiming("um,", 0.3, 0.4, 0.1, filler=True),
             WordTiming("Laura", 0.5, 0.9, 0.3, unsure=True),
             WordTiming("freezes", 1.0, 1.4, 0.1), WordTiming("weights.", 1.5, 1.9, 0.4,
                                                             unsure=True)]
    shown = marked("So Laura freezes weights.", words, 0.5)
    assert shown.plain == "So um Laura freezes weights."
    underlined = [shown.plain[s.start:s.end] for s in shown.spans if s.style == UNSURE_STYLE]
    assert underlined == ["Laura", "weights"]
    assert [shown.plain[s.start:s.end] for s in shown.spans if s.style == FILLER_STYLE] == ["um"]


def test_a_text_that_differs_from_its_words_is_shown_whole():
    words = [WordTiming("low", 0.0, 0.2, 0.2), WordTiming("rank", 0.3, 0.5, 0.2),
             WordTiming("update", 0.6, 0.9, 0.9)]
    shown = marked("a low-rank update", words, 0.5)
    assert shown.plain == "a low-rank update"
    assert not [s for s in shown.spans if s.style == UNSURE_STYLE]


@pytest.mark.anyio
async def test_in_the_check_box_space_types_and_an_empty_enter_goes_on(tmp_path):
    lora = load_bank(FIXTURES / "practice.yaml").questions[1]
    plan = RoundPlan("practice", [lora], "coach", "practice", False, None, False, 1, Choices())
    screen = InterviewScreen(plan, settings_for(tmp_path), autostart=False)
    app = app_for(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await app.push_screen(screen)
        assert screen.focused is None  # the hidden box does not take the keys
        screen.post_message(QuestionPosed(QuestionAsked(
            1.0, 1, "question", lora.id, lora.prompt, None, "audio/01-prompt.wav", 120)))
        screen.controls.enter(Stage.CHECK)  # as the round does while the check waits
        screen.post_message(CorrectionsAwaited(AwaitingCorrections(9.0, 1, ["Laura"])))
        await pilot.pause()
        panel = screen.query_one("#check", CheckPanel)
        assert panel.is_open and isinstance(screen.focused, Input)

        await pilot.press(*"cue laura -> QLoRA", "enter")
        assert not screen.controls.pending(Action.TALK)  # the spaces were typed
        assert screen.controls.take_corrections() == [("cue laura", "QLoRA")]
        await pilot.press("ctrl+g")  # keeps the fixes from inside the box
        deadline = time.monotonic() + 10
        while not user_glossary_file().exists() and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert learned.load() == {"QLoRA": ["cue laura"]}
        assert screen.query_one("#check-input", Input).value == ""

        await pilot.press("enter")  # nothing typed: the transcript is right
        assert screen.controls.pending(Action.TALK)
        assert not panel.is_open and screen.focused is None
