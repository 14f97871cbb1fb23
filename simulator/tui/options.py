"""What the app starts with, and what a round is set up to be. No textual here."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.engine import LIVE_TRANSCRIPT_S

if TYPE_CHECKING:
    from simulator.banks.model import Question

MODES = ("practice", "realistic")
"""practice: the verdict after each answer; realistic: nothing until the report."""


@dataclass(frozen=True)
class Choices:
    """The set-up screen's choices: from the command line, a saved selection or the user."""

    topics: tuple[str, ...] = ()
    """Topic ids to draw from; empty for every topic."""
    levels: tuple[str, ...] = ()
    """intro, core or senior; empty for any."""
    roles: tuple[str, ...] = ()
    """Role tags; empty for any."""
    sources: tuple[str, ...] = ()
    """Seed document names or prefixes; empty for any."""
    question_ids: tuple[str, ...] = ()
    """Exact questions, in order (then the filters do not apply)."""
    count: int | None = None
    """How many questions; None for the configured default."""
    persona: str | None = None
    """Interviewer persona id; None for the configured one."""
    mode: str = "practice"
    """'practice' or 'realistic'."""
    push_to_talk: bool = False
    """Answers start and stop with the space bar instead of ending on silence."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Choices:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        for k in ("topics", "levels", "roles", "sources", "question_ids"):
            if k in known:
                known[k] = tuple(str(x) for x in known[k] or ())
        if known.get("mode") not in MODES:
            known.pop("mode", None)
        count = known.get("count")
        if count is not None and not (type(count) is int and count >= 1):  # a file is data
            known.pop("count")
        return cls(**known)


@dataclass(frozen=True)
class AppOptions:
    """How the app was launched (``interview [--answers DIR] [selection flags]``)."""

    choices: Choices = field(default_factory=Choices)
    bank: str | None = None
    """A bank name or the path of a bank file (--bank): its topic is preselected."""
    answers_dir: Path | None = None
    """Answer with these files, fed in real time through the microphone path."""
    speak: bool = True
    """Play the interviewer's voice (when there is a speaker)."""
    seed: int | None = None
    """Makes the interviewer's wording repeatable."""
    config_file: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    """Settings from command-line flags."""
    theme: str = "auto"
    """'auto' (follow the terminal), 'dark' or 'light'."""
    live_transcript_s: float = LIVE_TRANSCRIPT_S
    """While the candidate speaks, transcribe this often for the live transcript."""


@dataclass(frozen=True)
class RoundPlan:
    """A round, as the set-up screen hands it to the interview screen."""

    label: str
    """Names the session folder: the topic, or 'all'."""
    questions: list[Question]
    persona: str
    mode: str
    push_to_talk: bool
    answers_dir: Path | None
    speak: bool
    seed: int | None
    choices: Choices
    continues: Path | None = None
    """The session folder the round is recorded into (a retry); None: a new session."""

    @property
    def practice(self) -> bool:
        return self.mode == "practice"


class SavedSelections:
    """Named set-up choices kept in a JSON file; 'last round' is kept automatically."""

    LAST = "last round"

    def __init__(self, path: Path):
        self.path = path

    def load(self) -> dict[str, Choices]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict):
            return {}
        out = {}
        for name, d in raw.items():
            if isinstance(d, dict):
                try:
                    out[str(name)] = Choices.from_dict(d)
                except (TypeError, ValueError):
                    continue
        return out

    def save(self, name: str, choices: Choices) -> None:
        data = {k: v.to_dict() for k, v in self.load().items()}
        data[name] = choices.to_dict()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)
