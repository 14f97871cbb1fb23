"""Fixed data for the app's tests: a bank, a status line, and recorded sessions, so what
is on screen depends neither on this machine nor on the shipped banks."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from simulator.audio.endpoint import EndReason
from simulator.banks.loader import load_bank
from simulator.config import Settings, load_settings
from simulator.delivery.metrics import Delivery, FillerCount, Pause, PhraseCount
from simulator.engine.events import (
    AnswerFinished,
    AnswerStarted,
    Assessed,
    Decided,
    Decision,
    Event,
    InterviewerSaid,
    PointResult,
    QuestionAsked,
    RemarkKind,
    SessionEnded,
    SessionStarted,
    SessionStatus,
    SttSummary,
    TurnKind,
    WordTiming,
)
from simulator.personas import list_personas
from simulator.tui.app import InterviewApp, make_app
from simulator.tui.catalog import Catalog, StatusItem
from simulator.tui.options import AppOptions
from simulator.tui.replay_model import silent_player
from simulator.tui.theme import DARK

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tui"
SESSION_ID = "20260314-093000-practice-a1b2"


def fixed_checker(settings: Settings, options: AppOptions) -> list[StatusItem]:
    first = (StatusItem("answers", True, "files in answers/") if options.answers_dir
             else StatusItem("mic", True, "pulse"))
    return [first, StatusItem("speaker", None, "off"),
            StatusItem("whisper", True, "tiny.en on cpu (int8)"),
            StatusItem("follow-ups", True, "offline rubric policy")]


def practice_catalog() -> Catalog:
    return Catalog([load_bank(FIXTURES / "practice.yaml")], list_personas())


def settings_for(tmp_path: Path, **audio: Any) -> Settings:
    return load_settings(overrides={"sessions": {"dir": str(tmp_path / "sessions")},
                                    "tts": {"speak": False}, "audio": audio})


def app_for(tmp_path: Path, options: AppOptions | None = None, *, catalog: Catalog | None = None,
            theme: str = DARK, settings: Settings | None = None) -> InterviewApp:
    return make_app(options or AppOptions(speak=False), settings=settings or settings_for(tmp_path),
                    checker=fixed_checker, replay_player=silent_player,
                    selections_file=tmp_path / "selections.json", theme=theme,
                    catalog=catalog or practice_catalog())


def _words(text: str, start: float = 0.4, step: float = 0.38) -> list[WordTiming]:
    return [WordTiming(w, round(start + i * step, 2), round(start + i * step + 0.3, 2), 0.9)
            for i, w in enumerate(text.split())]


FIRST = ("I would split the documents into chunks of a few hundred tokens with some overlap, "
         "embed each chunk and keep the vectors in a vector index.")
SECOND = "I would add a reranker, a cross encoder that scores each chunk with the query."


def _delivery(words: int, speaking: float, budget: int) -> Delivery:
    return Delivery(round(words / speaking * 60, 1), 160.0, [150.0, 171.0, 138.0],
                    FillerCount(1, 4.0, [], []), PhraseCount(0, 0.0, []), [Pause(3.1, 1.2)],
                    0.4, speaking, budget, False, [], True,
                    ["You opened with a direct statement."])


def session_events() -> list[Event]:
    """A whole recorded round: a question, a follow-up, then the end."""
    q = "practice-rag-design"
    prompt = ("Walk me through how you would build a retrieval augmented generation system "
              "over a company's internal documents.")
    follow = ("Good start. Let me build on that. Your retriever returns twenty chunks. How do "
              "you decide which five the model actually sees?")
    covered1 = [PointResult("chunking", True, "split the documents into chunks"),
                PointResult("embeddings-index", True, "keep the vectors in a vector index"),
                PointResult("rerank", False, ""), PointResult("grounding", False, ""),
                PointResult("evaluation", False, "")]
    covered2 = [*covered1[:2], PointResult("rerank", True, "a cross encoder that scores each"),
                *covered1[3:]]
    return [
        SessionStarted(0.0, SESSION_ID, "practice", "coach", "offline",
                       SttSummary("tiny.en", "cpu", "int8"), [q],
                       "files:answers (real time)"),
        InterviewerSaid(0.1, RemarkKind.OPENING,
                        "Hi, I'm Maya. We'll go through 1 questions today.",
                        "audio/00-opening.wav"),
        QuestionAsked(4.0, 1, TurnKind.QUESTION, q, prompt, None, "audio/01-prompt.wav", 150),
        AnswerStarted(9.0, 1, "files"),
        AnswerFinished(19.5, 1, "audio/01-answer.wav", 10.5, EndReason.SILENCE, FIRST,
                       _words(FIRST), delivery=_delivery(25, 9.2, 150)),
        Assessed(19.6, 1, q, covered1, 0.36),
        Decided(19.6, 1, q, Decision.FOLLOW_UP, "rerank",
                "'rerank' (weight 3) was not covered; it is the most important gap", "offline"),
        QuestionAsked(19.8, 2, TurnKind.FOLLOW_UP, q, follow, "rerank", "audio/02-prompt.wav", 90,
                      "'rerank' (weight 3) was not covered"),
        AnswerStarted(26.0, 2, "files"),
        AnswerFinished(32.0, 2, "audio/02-answer.wav", 6.0, EndReason.SILENCE, SECOND,
                       _words(SECOND), delivery=_delivery(14, 5.3, 90)),
        Assessed(32.1, 2, q, covered2, 0.64),
        Decided(32.1, 2, q, Decision.MOVE_ON, None,
                "the follow-up limit for this question was reached", "offline"),
        InterviewerSaid(32.3, RemarkKind.CLOSING, "That's the end of the round. Thank you.",
                        "audio/03-closing.wav"),
        SessionEnded(36.0, SessionStatus.COMPLETE, 2),
    ]


def write_session(root: Path, session_id: str = SESSION_ID,
                  events: list[Event] | None = None, status: str = "complete") -> Path:
    """A session folder as the recorder writes it (audio left out: replay keeps time)."""
    d = root / session_id
    (d / "audio").mkdir(parents=True)
    events = events if events is not None else session_events()
    (d / "events.jsonl").write_text(
        "".join(json.dumps(e.to_dict()) + "\n" for e in events), encoding="utf-8")
    (d / "manifest.json").write_text(json.dumps({
        "format": 1, "id": session_id, "created": "2026-03-14T09:30:00+00:00",
        "status": status, "bank": "practice", "persona": "coach", "policy": "offline",
    }), encoding="utf-8")
    return d


async def until(pilot: Pilot, cond: Callable[[], Any], what: str, timeout: float = 180.0
                ) -> None:
    """Let the app run until ``cond()`` holds; a test that reaches ``timeout`` fails, naming
    ``what`` it waited for. The default leaves a round room to load its models on a slow
    machine: reaching it means a bug."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
