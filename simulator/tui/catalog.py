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
    from simulator.personas import Persona
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
    """The seconds the candidate spoke (``session_length``)."""
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
    from simulator.sessions.recover import session_state
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
            cov, session_length(doc), unjudged_s))
    return rows[::-1], notes


def session_length(doc: dict[str, Any]) -> float:
    """A round's length as the candidate lived it: the seconds they spoke. The last
    event's time is not it: a round answered from files runs faster than real time, and
    one left open runs on after the last answer."""
    return float((doc.get("delivery") or {}).get("speaking_s") or 0.0)


def delete_session(root: Path, session_dir: Path) -> None:
    """Remove one session folder, only when it is a session inside ``root``."""
    session_dir = session_dir.resolve()
    if session_dir.parent != root.resolve() or not (session_dir / "events.jsonl").exists():
        raise UserError("is not a session folder of this app; not deleted", path=session_dir)
    shutil.rmtree(session_dir)


def fmt_duration(seconds: float) -> str:
    m, s = divmod(int(round(max(0.0, seconds))), 60)
    return f"{m}:{s:02d}"
