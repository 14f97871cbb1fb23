"""Typed event payloads keep events.jsonl exactly as it was: every event type goes through
to_dict, JSON and event_from_dict unchanged, and lines written before the payloads were
typed load into the typed objects."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from simulator.audio.endpoint import EndReason
from simulator.delivery.metrics import Delivery, FillerCount, Item, LivePace, Pause, PhraseCount
from simulator.engine.events import (
    EVENT_TYPES,
    AnswerFinished,
    AnswerResumed,
    AnswerStarted,
    AnswerStopped,
    Assessed,
    AwaitingAnswer,
    AwaitingCorrections,
    Control,
    ControlUsed,
    Decided,
    Decision,
    Event,
    InputLevel,
    InterviewerSaid,
    Notice,
    PartialTranscript,
    PointResult,
    QuestionAsked,
    RemarkKind,
    SessionEnded,
    SessionStarted,
    SessionStatus,
    SttSummary,
    TranscriptCorrected,
    TurnKind,
    TurnTimed,
    WordTiming,
    event_from_dict,
)
from simulator.sessions.summary import round_document

DELIVERY = Delivery(
    80.0, 180.0, [200.0, 0.0, 40.0],
    FillerCount(2, 26.7, [Item("um", 0.7), Item("like", 1.8)], []),
    PhraseCount(1, 13.3, [Item("i guess", 1.0)]), [Pause(2.0, 2.5)], 0.4, 4.5, 3, True, [],
    True, ["80 words a minute: below about 110 an answer drags.",
           "26.7 fillers a minute: around 12 clearly distracts listeners.",
           "Spoke past the 3 s budget."])

EVENTS: list[Event] = [
    SessionStarted(0.0, "20260314-093000-ab12", "practice", "coach", "offline",
                   SttSummary("tiny.en", "cpu", "int8"), ["q1"], "files"),
    Notice(0.1, "no GPU: transcribing on the CPU"),
    InterviewerSaid(0.2, RemarkKind.OPENING, "Hi.", "audio/00-opening.wav"),
    QuestionAsked(1.0, 1, TurnKind.QUESTION, "q1", "Why?", None, "audio/01-prompt.wav", 60),
    AwaitingAnswer(1.5, 1),
    AnswerStarted(2.0, 1, "mic"),
    InputLevel(2.5, 1, -21.5, True, 0.5),
    PartialTranscript(3.2, 1, "So, I guess", LivePace(180.0, 1, 60.0, 1, 1.0)),
    ControlUsed(3.5, 1, Control.PAUSE),
    InterviewerSaid(4.0, RemarkKind.TIME_WARNING, "About 20 seconds left.",
                    "audio/01-warning.wav"),
    AnswerStopped(6.0, 1, EndReason.TIME_LIMIT),
    InterviewerSaid(6.05, RemarkKind.CUT_IN, "Let me stop you there.", "audio/01-cut-in.wav"),
    AnswerFinished(6.1, 1, "audio/01-answer.wav", 5.2, EndReason.TIME_LIMIT,
                   "So, I guess it's, like, fast.",
                   [WordTiming("So,", 0.4, 0.6, 0.9), WordTiming("um,", 0.7, 0.9, 0.9, True)],
                   False, 412.5, True, "So, um, I guess it's, like, fast.", ["fast -> FAISS"],
                   DELIVERY),
    AwaitingCorrections(6.2, 1, ["guess"]),
    TranscriptCorrected(7.0, 1, ["guess -> guest"], "So, I guest it's fast.", ["x -> y"]),
    Assessed(7.1, 1, "q1", [PointResult("speed", True, "fast", False, 0.8),
                            PointResult("cost", False, "")], 0.5),
    Decided(7.2, 1, "q1", Decision.FOLLOW_UP, "cost", "'cost' was not covered", "offline"),
    TurnTimed(7.3, 1, 412.5, 120.0),
    QuestionAsked(7.4, 2, TurnKind.FOLLOW_UP, "q1", "And the cost?", "cost",
                  "audio/02-prompt.wav", 30, "'cost' was not covered"),
    ControlUsed(8.0, 2, Control.SKIP),
    Decided(8.1, 2, "q1", Decision.MOVE_ON, None, "skipped", "llm:openai/gpt", "timeout",
            {"prompt_tokens": 10, "completion_tokens": 5, "cost_usd": 0.0001}),
    InterviewerSaid(8.2, RemarkKind.CLOSING, "Thanks.", "audio/03-closing.wav"),
    SessionEnded(9.0, SessionStatus.FAILED, 2, "boom"),
    AnswerResumed(9.5, 3),
]

# The same events as the code before typed payloads wrote them (its to_dict, then
# json.dumps): a recorded session on a user's disk looks like this.
OLD_LINES = [
    ('{"type": "session_started", "t": 0.0, "session_id": "20260314-093000-ab12", "bank": '
     '"practice", "persona": "coach", "policy": "offline", "stt": {"model": "tiny.en", '
     '"device": "cpu", "compute_type": "int8"}, "question_ids": ["q1"], "answer_source": '
     '"files"}'),
    '{"type": "notice", "t": 0.1, "message": "no GPU: transcribing on the CPU"}',
    ('{"type": "interviewer_said", "t": 0.2, "kind": "opening", "text": "Hi.", "audio": '
     '"audio/00-opening.wav"}'),
    ('{"type": "question_asked", "t": 1.0, "turn": 1, "kind": "question", "question_id": "q1", '
     '"prompt": "Why?", "target_point": null, "audio": "audio/01-prompt.wav", "budget_s": 60, '
     '"reason": null}'),
    '{"type": "awaiting_answer", "t": 1.5, "turn": 1}',
    '{"type": "answer_started", "t": 2.0, "turn": 1, "source": "mic"}',
    '{"type": "input_level", "t": 2.5, "turn": 1, "db": -21.5, "speaking": true, "elapsed_s": 0.5}',
    ('{"type": "partial_transcript", "t": 3.2, "turn": 1, "text": "So, I guess", "pace": '
     '{"wpm": 180.0, "fillers": 1, "fillers_per_min": 60.0, "hedges": 1, "speaking_s": 1.0}}'),
    '{"type": "control_used", "t": 3.5, "turn": 1, "action": "pause"}',
    ('{"type": "interviewer_said", "t": 4.0, "kind": "time_warning", "text": "About 20 seconds '
     'left.", "audio": "audio/01-warning.wav"}'),
    '{"type": "answer_stopped", "t": 6.0, "turn": 1, "end_reason": "time_limit"}',
    ('{"type": "interviewer_said", "t": 6.05, "kind": "cut_in", "text": "Let me stop you '
     'there.", "audio": "audio/01-cut-in.wav"}'),
    ('{"type": "answer_finished", "t": 6.1, "turn": 1, "audio": "audio/01-answer.wav", '
     '"duration_s": 5.2, "end_reason": "time_limit", "transcript": "So, I guess it\'s, like, '
     'fast.", "words": [{"word": "So,", "start": 0.4, "end": 0.6, "probability": 0.9, "filler": '
     'false}, {"word": "um,", "start": 0.7, "end": 0.9, "probability": 0.9, "filler": true}], '
     '"silent": false, "transcript_ms": 412.5, "speculative": true, "verbatim": "So, um, I '
     'guess it\'s, like, fast.", "corrections": ["fast -> FAISS"], "delivery": {"wpm": 80.0, '
     '"articulation_wpm": 180.0, "pace_by_third": [200.0, 0.0, 40.0], "fillers": {"count": 2, '
     '"per_min": 26.7, "items": [{"word": "um", "start": 0.7}, {"word": "like", "start": 1.8}], '
     '"bursts": []}, "hedges": {"count": 1, "per_min": 13.3, "items": [{"word": "i guess", '
     '"start": 1.0}]}, "pauses": [{"start": 2.0, "duration_s": 2.5}], "time_to_first_word_s": '
     '0.4, "speaking_s": 4.5, "budget_s": 3, "over_budget": true, "repeated": [], '
     '"direct_opening": true, "notes": ["80 words a minute: below about 110 an answer drags.", '
     '"26.7 fillers a minute: around 12 clearly distracts listeners.", "Spoke past the 3 s '
     'budget."]}}'),
    '{"type": "awaiting_corrections", "t": 6.2, "turn": 1, "unsure": ["guess"]}',
    ('{"type": "transcript_corrected", "t": 7.0, "turn": 1, "corrections": ["guess -> guest"], '
     '"transcript": "So, I guest it\'s fast.", "not_found": ["x -> y"]}'),
    ('{"type": "assessed", "t": 7.1, "turn": 1, "question_id": "q1", "points": [{"id": "speed", '
     '"covered": true, "evidence": "fast", "contradicted": false, "support": 0.8}, {"id": '
     '"cost", "covered": false, "evidence": "", "contradicted": false, "support": 0.0}], '
     '"coverage": 0.5}'),
    ('{"type": "decided", "t": 7.2, "turn": 1, "question_id": "q1", "action": "follow_up", '
     '"target_point": "cost", "reason": "\'cost\' was not covered", "policy": "offline", '
     '"fallback": null, "usage": null}'),
    '{"type": "turn_timed", "t": 7.3, "turn": 1, "transcript_ms": 412.5, "next_prompt_ms": 120.0}',
    ('{"type": "question_asked", "t": 7.4, "turn": 2, "kind": "follow_up", "question_id": "q1", '
     '"prompt": "And the cost?", "target_point": "cost", "audio": "audio/02-prompt.wav", '
     '"budget_s": 30, "reason": "\'cost\' was not covered"}'),
    '{"type": "control_used", "t": 8.0, "turn": 2, "action": "skip"}',
    ('{"type": "decided", "t": 8.1, "turn": 2, "question_id": "q1", "action": "move_on", '
     '"target_point": null, "reason": "skipped", "policy": "llm:openai/gpt", "fallback": '
     '"timeout", "usage": {"prompt_tokens": 10, "completion_tokens": 5, "cost_usd": 0.0001}}'),
    ('{"type": "interviewer_said", "t": 8.2, "kind": "closing", "text": "Thanks.", "audio": '
     '"audio/03-closing.wav"}'),
    '{"type": "session_ended", "t": 9.0, "status": "failed", "turns": 2, "error": "boom"}',
    '{"type": "answer_resumed", "t": 9.5, "turn": 3}',
]


def _plain_json(value: Any) -> bool:
    """Only JSON's own types: an enum or a dataclass left in would not be the old format."""
    if isinstance(value, dict):
        return all(type(k) is str and _plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_json(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def test_every_event_type_is_covered():
    assert {type(e) for e in EVENTS} == set(EVENT_TYPES.values())
    assert len(EVENTS) == len(OLD_LINES)


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: f"{e.type}-{e.t}")
def test_an_event_round_trips_through_json(event):
    d = event.to_dict()
    assert _plain_json(d)
    back = event_from_dict(json.loads(json.dumps(d)))
    assert back == event and type(back) is type(event)


@pytest.mark.parametrize(("event", "line"), list(zip(EVENTS, OLD_LINES, strict=True)),
                         ids=lambda x: x.type if isinstance(x, Event) else "")
def test_the_json_is_the_old_format_and_old_lines_load_typed(event, line):
    # Same keys, order and values, with the fields added since (a word's unsure mark)
    # written after the old ones.
    assert json.dumps(event.to_dict()) == _with_added_fields(line)
    assert event_from_dict(json.loads(line)) == event


def _with_added_fields(line: str) -> str:
    """An old line as this version writes it: each word now says whether it is unsure, and
    each question which attempt at it the turn belongs to (the first, in old sessions)."""
    d = json.loads(line)
    for w in d.get("words", []):
        w["unsure"] = False
    if d["type"] == "question_asked":
        d["attempt"] = 1
    return json.dumps(d)


def test_old_payload_dicts_load_into_typed_objects():
    by_type = {json.loads(line)["type"]: event_from_dict(json.loads(line)) for line in OLD_LINES}
    finished = by_type["answer_finished"]
    assert isinstance(finished, AnswerFinished)
    assert finished.end_reason is EndReason.TIME_LIMIT
    assert all(isinstance(w, WordTiming) for w in finished.words)
    d = finished.delivery
    assert isinstance(d, Delivery) and isinstance(d.fillers, FillerCount)
    assert type(d.hedges) is PhraseCount and all(isinstance(p, Pause) for p in d.pauses)
    assert d.fillers.items[1] == Item("like", 1.8) and d.hedges.items == [Item("i guess", 1.0)]
    partial = by_type["partial_transcript"]
    assert isinstance(partial, PartialTranscript) and isinstance(partial.pace, LivePace)
    assert (partial.pace.wpm, partial.pace.fillers) == (180.0, 1)
    started = by_type["session_started"]
    assert isinstance(started, SessionStarted) and started.stt == SttSummary("tiny.en", "cpu",
                                                                             "int8")
    assessed = by_type["assessed"]
    assert isinstance(assessed, Assessed) and isinstance(assessed.points[0], PointResult)
    for e in by_type.values():
        for name in ("kind", "action", "status", "end_reason"):
            if hasattr(e, name):
                assert isinstance(getattr(e, name), Enum), (e.type, name)


def test_an_old_empty_pace_and_a_missing_delivery_load():
    partial = event_from_dict({"type": "partial_transcript", "t": 1.0, "turn": 1, "text": "so",
                               "pace": {}})
    assert isinstance(partial, PartialTranscript) and partial.pace is None
    line = json.loads(OLD_LINES[12])
    del line["delivery"]
    finished = event_from_dict(line)
    assert isinstance(finished, AnswerFinished) and finished.delivery is None


def test_the_round_document_holds_the_old_dicts():
    old = [json.loads(line) for line in OLD_LINES]
    doc = round_document(EVENTS, Path("s"))
    assert _plain_json(doc)
    assert doc["stt"] == old[0]["stt"] and doc["status"] == "failed"
    first, second = doc["turns"]
    assert first["kind"] == "question" and second["kind"] == "follow_up"
    assert first["delivery"] == old[12]["delivery"]
    assert first["answer"]["end_reason"] == "time_limit"
    pace = {k: v for k, v in old[7].items() if k == "pace"}["pace"]
    assert first["live"] == [{"at_s": 3.2, **pace}]
    assert first["decision"]["action"] == "follow_up"
    assert second["decision"]["action"] == "move_on"
