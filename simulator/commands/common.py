"""What every command needs from its flags: the settings, a recorded session, the
questions that can be asked, a review's input, and one-line notes and errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.errors import UserError
from simulator.text import printable

if TYPE_CHECKING:
    from simulator.config import Settings
    from simulator.review import ReviewInput
    from simulator.sessions.store import StoredSession


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the flags override, shaped as a config file's tables."""
    o: dict[str, Any] = {}
    if getattr(args, "sessions_dir", None):
        o.setdefault("sessions", {})["dir"] = str(args.sessions_dir)
    if getattr(args, "model", None):
        o.setdefault("stt", {})["model"] = args.model
    if getattr(args, "device", None):
        o.setdefault("stt", {})["device"] = args.device
    if getattr(args, "persona", None):
        o.setdefault("interview", {})["persona"] = args.persona
    if getattr(args, "llm", None):
        o.setdefault("llm", {})["model"] = "" if args.llm == "off" else args.llm
    if getattr(args, "questions", None):
        o.setdefault("interview", {})["questions"] = args.questions
    if getattr(args, "timing", None):
        o.setdefault("interview", {})["timing"] = args.timing
    return o


def settings(args: argparse.Namespace) -> Settings:
    from simulator.config import load_settings

    return load_settings(getattr(args, "config", None), overrides(args))


def recorded(settings: Settings, ref: str) -> StoredSession:
    """The session a command names (id, id prefix, folder or 'last'), read whole."""
    from simulator.sessions.store import find_session, read_session

    return read_session(find_session(settings.sessions_dir(), ref))


def bank_questions(bank: str | None) -> dict[str, Any]:
    """The questions that can be asked, by id: one bank's, or every shipped bank's."""
    from simulator.banks.loader import load_bank, load_banks

    banks = [load_bank(bank)] if bank else load_banks()
    return {q.id: q for b in banks for q in b.questions}


def review_input(args: argparse.Namespace) -> ReviewInput | None:
    """`--review [FILE]`: where the corrections come from, or None."""
    if args.review is None:
        return None
    from simulator.review import ReviewInput

    return ReviewInput(None if args.review == "-" else Path(args.review))


def noted(notes: list[str]) -> None:
    """Sessions that could not be read, one line each, on stderr."""
    for note in notes:
        print(f"note: {printable(note, newlines=False)}", file=sys.stderr)


def print_error(exc: UserError) -> None:
    """A command's failure as one line on stderr; its text may quote a file, so it is
    printed without control characters."""
    print(f"interview: error: {printable(str(exc), newlines=False)}", file=sys.stderr)
