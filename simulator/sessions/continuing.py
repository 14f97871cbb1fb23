"""A round that continues a recorded session: a retry asks one of its questions again as
a new attempt in the same session folder, so the report, replay and exports show the
attempts side by side and compare them point by point."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.engine.events import QuestionAsked, SessionStarted
from simulator.engine.parts import SoFar
from simulator.errors import UserError
from simulator.sessions.recover import needs_recovery
from simulator.sessions.store import EVENTS, StoredSession, is_recording
from simulator.sessions.summary import round_document


def so_far(session: StoredSession) -> SoFar:
    """Where a round continuing ``session`` goes on from: its turns, its time, each
    question's attempts, and a name for its interviewer audio no earlier round used."""
    asked = [e for e in session.events if isinstance(e, QuestionAsked)]
    tries: dict[str, int] = {}
    for e in asked:
        tries[e.question_id] = max(tries.get(e.question_id, 0), e.attempt)
    # Each round writes its SessionStarted before any audio, so the count names it apart.
    rounds = sum(1 for e in session.events if isinstance(e, SessionStarted))
    return SoFar(turns=max((e.turn for e in asked), default=0),
                 elapsed_s=session.events[-1].t, attempts=tries,
                 audio_prefix=f"retry{rounds}-")


def check_continuable(session: StoredSession) -> None:
    """Refuse a session a new round must not be added to: one being recorded, or one
    interrupted (its cut-off answer would never be recovered once a round follows it)."""
    if is_recording(session.dir):
        raise UserError("is being recorded by a round that is still running; retry once "
                        "it has ended", path=session.dir)
    if needs_recovery(session):
        raise UserError(f"was interrupted; run `interview sessions --recover {session.id}` "
                        "first, then retry", path=session.dir / EVENTS)


def retry_question(session: StoredSession, questions: Mapping[str, Any],
                   ref: str | None = None) -> Any:
    """The bank question to ask again: ``ref`` (a question id of the session, or its
    title), or else the session's weakest question (the lowest latest coverage)."""
    doc = round_document(session.events, session.dir)
    asked = [q["question_id"] for q in doc["questions"]]
    if not asked:
        raise UserError("asked no question; there is nothing to retry", path=session.dir)
    if ref is None:
        coverage = {q["question_id"]: q["coverage"] for q in doc["questions"]}
        qid = min(asked, key=lambda i: coverage[i])  # the first asked among equals
    else:
        by_title = {str(questions[i].label).lower(): i for i in asked if i in questions}
        qid = ref if ref in asked else by_title.get(ref.strip().lower(), "")
        if not qid:
            raise UserError(f"is not a question of session {session.id}; it asked "
                            f"{', '.join(asked)}", field="question")
    if qid not in questions:
        raise UserError(f"asks {qid!r}, which none of the banks here has; pass the bank "
                        "file it came from with --bank", path=session.dir)
    return questions[qid]
