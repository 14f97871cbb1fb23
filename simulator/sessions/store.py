"""A session is a folder written while the round happens.

    manifest.json   what the round is and how it ended (rewritten atomically)
    events.jsonl    one event per line, appended and synced as it happens
    audio/          every prompt the interviewer spoke and every answer

Nothing here holds secrets: events carry no config values beyond the model,
device and policy names.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator import __version__
from simulator.engine.events import Event, SessionEnded, SessionStarted, event_from_dict
from simulator.errors import UserError

MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
FORMAT_VERSION = 1


def new_session_id(label: str = "") -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    slug = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")[:24]
    return "-".join(p for p in (stamp, slug, secrets.token_hex(2)) if p)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class SessionWriter:
    """Creates a session folder and records events into it; a subscriber of the engine."""

    def __init__(self, root: Path, label: str = ""):
        self.id = new_session_id(label)
        self.dir = root / self.id
        try:
            (self.dir / "audio").mkdir(parents=True, exist_ok=False)
        except OSError as exc:
            raise UserError(f"cannot create the session folder ({exc.strerror}); set "
                            "sessions.dir or --sessions-dir to a writable folder",
                            path=self.dir) from None
        self.manifest: dict[str, Any] = {
            "format": FORMAT_VERSION, "id": self.id, "app_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "status": "recording",
        }
        self._events = (self.dir / EVENTS).open("a", encoding="utf-8")
        self._save_manifest()

    def _save_manifest(self) -> None:
        _write_atomic(self.dir / MANIFEST, json.dumps(self.manifest, indent=2) + "\n")

    def handle(self, event: Event) -> None:
        self._events.write(json.dumps(event.to_dict()) + "\n")
        self._events.flush()
        os.fsync(self._events.fileno())
        if isinstance(event, SessionStarted):
            self.manifest.update(bank=event.bank, persona=event.persona, policy=event.policy,
                                 stt=asdict(event.stt), question_ids=event.question_ids)
            self._save_manifest()
        elif isinstance(event, SessionEnded):
            self.manifest.update(status=event.status.value, turns=event.turns,
                                 ended=datetime.now(UTC).isoformat(timespec="seconds"))
            self._save_manifest()

    def close(self, status: str | None = None) -> None:
        if status and self.manifest.get("status") == "recording":
            self.manifest["status"] = status
            self._save_manifest()
        if not self._events.closed:
            self._events.close()


@dataclass(frozen=True)
class StoredSession:
    dir: Path
    manifest: dict[str, Any]
    events: list[Event]

    @property
    def id(self) -> str:
        return str(self.manifest.get("id", self.dir.name))


def read_session(path: Path) -> StoredSession:
    """Load a session folder; a torn last line (a crash mid-write) is skipped."""
    if not (path / EVENTS).exists():
        raise UserError("is not a session folder (no events.jsonl)", path=path)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        manifest = {"id": path.name, "status": "unknown"}
    events = []
    for line in (path / EVENTS).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            events.append(event_from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError):  # ValueError: torn JSON, or an unknown value
            continue
    if manifest.get("status") == "recording" and not any(
            isinstance(e, SessionEnded) for e in events):
        manifest["status"] = "interrupted"
    return StoredSession(path, manifest, events)


def find_session(root: Path, ref: str) -> Path:
    """A session by folder path, id, or unique id prefix; 'last' for the newest."""
    p = Path(ref).expanduser()
    if (p / EVENTS).exists():
        return p
    if ref == "last":
        found = list_session_dirs(root)
        if not found:
            raise UserError("no sessions recorded yet", path=root)
        return found[-1]
    matches = [d for d in list_session_dirs(root) if d.name.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UserError(f"no session {ref!r}; `interview sessions` lists them", path=root)
    raise UserError(f"{ref!r} matches {len(matches)} sessions; give more of the id", path=root)


def list_session_dirs(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(d for d in root.iterdir() if (d / EVENTS).exists())
