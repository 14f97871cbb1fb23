"""What the screens show, gathered off the UI thread: banks, the status line, sessions.

Plain functions and dataclasses (no textual): workers call them, screens render
their results.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.banks.loader import load_bank, load_banks
from simulator.errors import UserError
from simulator.personas import list_personas

if TYPE_CHECKING:
    from simulator.banks.model import Bank, Question
    from simulator.config import Settings
    from simulator.engine.parts import RoundParts
    from simulator.personas import Persona
    from simulator.sessions.store import StoredSession
    from simulator.tui.options import AppOptions


@dataclass(frozen=True)
class Catalog:
    """The banks and personas a round can be set up from."""

    banks: list[Bank]
    personas: list[Persona]
    errors: list[str] = field(default_factory=list)
    """Banks or personas that could not be read."""
    chosen_topic: str | None = None
    """The topic of the bank named on the command line (--bank)."""

    @property
    def topics(self) -> list[tuple[str, str, int]]:
        """(topic id, title, question count) per bank, in file order."""
        return [(b.topic, b.title or b.topic, len(b.questions)) for b in self.banks]

    @property
    def roles(self) -> list[str]:
        return sorted({r for b in self.banks for q in b.questions for r in q.roles})

    def questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for b in self.banks for q in b.questions}


@lru_cache(maxsize=4)
def load_catalog(bank: str | None = None) -> Catalog:
    """Every shipped bank, plus the bank file named by --bank when it is not one of them.

    Read once per process (reading every bank takes most of a second).
    """
    errors: list[str] = []
    chosen = None
    try:
        banks = load_banks()
    except UserError as exc:
        banks, errors = [], [str(exc)]
    if bank and any(b.topic == bank for b in banks):
        chosen = bank
    elif bank:
        try:
            extra = load_bank(bank)
            banks = [b for b in banks if b.topic != extra.topic] + [extra]
            chosen = extra.topic
        except UserError as exc:
            errors.append(str(exc))
    try:
        personas = list_personas()
    except UserError as exc:
        personas, errors = [], [*errors, str(exc)]
    return Catalog(banks, personas, errors, chosen)


@dataclass(frozen=True)
class StatusItem:
    """One part of the loop on the status line."""

    name: str
    """Short: 'mic', 'speaker', 'whisper', 'follow-ups'."""
    ok: bool | None
    """True: working; False: not, see ``detail``; None: still checking, or off by choice."""
    detail: str
    fix: str = ""


StatusChecker = Callable[["Settings", "AppOptions"], list[StatusItem]]


def check_status(settings: Settings, options: AppOptions) -> list[StatusItem]:
    """The doctor's checks, summed up for the status line (slow: run it in a worker)."""
    from simulator.doctor import run_checks

    checks = {c.name: replace(c, detail=_short(c.detail)) for c in run_checks(settings)}
    items: list[StatusItem] = []
    if options.answers_dir is not None:
        items.append(StatusItem("answers", True, f"files in {options.answers_dir.name}/"))
    else:
        c = checks.get("input device")
        items.append(StatusItem("mic", c.ok if c else False,
                                c.detail if c else "PortAudio is missing",
                                c.fix if c else "apt-get install libportaudio2"))
    if not (options.speak and settings.tts.speak):
        items.append(StatusItem("speaker", None, "off"))
    else:
        c = checks.get("output device")
        items.append(StatusItem("speaker", c.ok if c else False,
                                c.detail if c else "PortAudio is missing",
                                c.fix if c else ""))
    tts = next((c for c in checks.values() if c.name.startswith("speech out")), None)
    if tts is not None and not tts.ok:
        items.append(StatusItem("voice", False, tts.detail, tts.fix))
    w = checks.get("Whisper model")
    if w is not None and w.ok:
        detail = w.detail.split(", loaded")[0]
        items.append(StatusItem("whisper", True, detail))
    else:
        items.append(StatusItem("whisper", False, w.detail if w else "not checked",
                                w.fix if w else ""))
    items.append(policy_status(settings))
    return items


def _short(detail: str) -> str:
    """A check's detail without PortAudio's parenthesised error codes: one line each."""
    return re.sub(r" \((?:Error|PaError|\[Errno)[^)]*\)", "", detail)


def policy_status(settings: Settings) -> StatusItem:
    model = settings.llm.model.strip()
    if not model:
        return StatusItem("follow-ups", True, "offline rubric policy")
    if model == "auto":
        from simulator.assess.choose import auto_model

        chosen, why = auto_model()
        if chosen is None:
            return StatusItem("follow-ups", True, f"offline ({why})")
        return StatusItem("follow-ups", True, f"{chosen} ({why})")
    return StatusItem("follow-ups", True, f"LLM {model}")


@dataclass(frozen=True)
class SessionRow:
    """One recorded round, as the sessions list shows it."""

    id: str
    dir: Path
    when: str
    status: str
    bank: str
    questions: int
    turns: int
    coverage: float
    length_s: float
    unjudged_s: float = 0.0
    """Seconds of an answer the round recorded but never judged (it was interrupted)."""


def session_when(session_id: str, manifest: dict[str, Any]) -> str:
    """The local time the round was recorded, from the id's stamp (or the manifest)."""
    try:
        return datetime.strptime(session_id[:15], "%Y%m%d-%H%M%S").strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(manifest.get("created", "?"))[:16].replace("T", " ")


def list_sessions(root: Path) -> tuple[list[SessionRow], list[str]]:
    """Every session under ``root``, newest first, and a note for each one that could
    not be read (which, and why): one bad session hides no other."""
    from simulator.sessions.store import read_sessions
    from simulator.sessions.summary import round_document

    sessions, notes = read_sessions(root)
    rows = []
    for s in sessions:
        doc = round_document(s.events, s.dir)
        qs = doc["questions"]
        cov = sum(q["coverage"] for q in qs) / len(qs) if qs else 0.0
        status, unjudged_s = session_state(s)
        rows.append(SessionRow(
            s.id, s.dir, session_when(s.id, s.manifest), status,
            str(s.manifest.get("bank") or doc.get("bank") or "?"), len(qs), len(doc["turns"]),
            cov, s.events[-1].t if s.events else 0.0, unjudged_s))
    return rows[::-1], notes


def session_state(session: StoredSession) -> tuple[str, float]:
    """How a session stands, as listings show it, and the seconds of answer audio it holds
    unjudged: 'recording' while a round writes it, 'interrupted' when it stopped before
    its last answer was judged or before it said how it ended."""
    from simulator.sessions.recover import needs_recovery, unjudged
    from simulator.sessions.store import is_recording

    if is_recording(session.dir):
        return "recording", 0.0
    cut = unjudged(session)
    if needs_recovery(session):
        return "interrupted", cut.audio_s if cut else 0.0
    return str(session.manifest.get("status", "?")), 0.0


def recovery_parts(settings: Settings, session: StoredSession) -> RoundParts:
    """What recovering ``session`` hears and judges with: the questions of its bank, and
    the transcriber, judge, glossary and vocabulary a round with these settings has."""
    from simulator.assess.choose import make_judge
    from simulator.engine.parts import RoundParts
    from simulator.personas import load_persona
    from simulator.rounds import delivery_config, expected_terms, round_glossary
    from simulator.sessions.recover import NoAnswers
    from simulator.speech.stt import WhisperTranscriber
    from simulator.speech.tts import Pyttsx3Synthesizer

    label = str(session.manifest.get("bank") or "all")
    catalog = load_catalog(None if label == "all" else label)
    extra = [b for b in catalog.banks if b.topic == catalog.chosen_topic]
    questions = list(catalog.questions_by_id().values())
    try:
        persona = load_persona(str(session.manifest.get("persona") or
                                   settings.interview.persona))
    except UserError:  # a persona file since moved: the judge words follow-ups as ours
        persona = load_persona(settings.interview.persona)
    policy, _ = make_judge(settings, persona.name, persona.description)
    return RoundParts(
        session_id=session.id, session_dir=session.dir, bank_label=label,
        questions=questions, persona=persona, synthesizer=Pyttsx3Synthesizer(),
        transcriber=WhisperTranscriber(settings.stt), policy=policy, answers=NoAnswers(),
        glossary=round_glossary(settings, extra), delivery=delivery_config(settings),
        vocabulary=settings.stt.vocabulary,
        expected_terms=expected_terms(settings, questions, extra),
        low_confidence=settings.stt.low_confidence)


def recover_session(settings: Settings, session_dir: Path) -> str:
    """Recover one session (judge the answer it was cut off in, and close it); one line
    saying what was done, or that there was nothing to do. Slow: run it in a worker."""
    from simulator.sessions.recover import RECOVERED, needs_recovery, recover
    from simulator.sessions.store import is_recording, read_session

    if is_recording(session_dir):
        raise UserError("is being recorded by a round that is still running; recover it "
                        "once that round has ended", path=session_dir)
    session = read_session(session_dir)
    status = session.manifest.get("status", "?")
    done = (recover(session, recovery_parts(settings, session))
            if needs_recovery(session) else None)
    if done is None:
        return (f"{session.id}: nothing to recover; it was recovered already"
                if status == RECOVERED else
                f"{session.id}: nothing to recover; it ended {status} with every answer "
                "judged")
    if done.turn is None:
        return f"{session.id}: closed as {done.status}; no answer was left unjudged"
    heard = " ".join(done.transcript.split()[:_QUOTED_WORDS])
    more = " ..." if len(done.transcript.split()) > _QUOTED_WORDS else ""
    covered = f", {done.coverage:.0%} of the question covered" if done.coverage is not None \
        else ""
    return (f"{session.id}: turn {done.turn} recovered, {done.audio_s:.1f} s of audio "
            f"transcribed and judged{covered}: \"{heard}{more}\"")


#: Words of a recovered answer quoted back: enough to recognise it, one line.
_QUOTED_WORDS = 12


def delete_session(root: Path, session_dir: Path) -> None:
    """Remove one session folder, only when it is a session inside ``root``."""
    session_dir = session_dir.resolve()
    if session_dir.parent != root.resolve() or not (session_dir / "events.jsonl").exists():
        raise UserError("is not a session folder of this app; not deleted", path=session_dir)
    shutil.rmtree(session_dir)


def fmt_duration(seconds: float) -> str:
    m, s = divmod(int(round(max(0.0, seconds))), 60)
    return f"{m}:{s:02d}"
