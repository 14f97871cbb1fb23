"""A session is a folder written while the round happens.

    manifest.json   what the round is and how it ended (rewritten atomically)
    events.jsonl    one event per line, appended and synced as it happens
    audio/          every prompt the interviewer spoke and every answer

Nothing here holds secrets: events carry no config values beyond the model,
device and policy names.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import shutil
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from simulator import __version__
from simulator.engine.events import (
    EVENT_TYPES,
    Event,
    QuestionAsked,
    SessionEnded,
    SessionStarted,
    event_from_dict,
)
from simulator.errors import UserError
from simulator.sessions.checks import bad_field, bad_value, inside, is_safe_name, kind_of
from simulator.text import printable

MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
FORMAT_VERSION = 1


def new_session_id(label: str = "") -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    slug = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")[:24]
    return "-".join(p for p in (stamp, slug, secrets.token_hex(2)) if p)


#: A round is personal: its folder and files are for the user alone.
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def _write_atomic(path: Path, text: str) -> None:
    """``text`` as the whole of ``path``, all or nothing; a refused write (a full disk)
    leaves neither a half file nor its ``.tmp`` behind."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)  # a .tmp left by a crash keeps its old mode otherwise
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


#: The smallest block a filesystem allocates: a manifest rewritten within it needs no more.
_BLOCK = 4096


def _write_in_place(path: Path, text: str) -> bool:
    """``text`` over the manifest's own bytes, padded with spaces (JSON allows them) so
    the file keeps its blocks: on a full disk, where a new copy cannot be made, the old
    one can still be overwritten. True when it was."""
    data = text.encode("utf-8")
    try:
        old = path.stat().st_size
        if len(data) > max(old, _BLOCK):
            return False  # would need a block the full disk does not have
        fd = os.open(path, os.O_WRONLY)
    except OSError:
        return False
    with os.fdopen(fd, "wb") as fh:
        try:
            fh.write(data.ljust(old, b" "))
            fh.flush()
        except OSError:
            return False
        # Blocks already allocated are rewritten in the page cache; a full disk's
        # fsync may still complain, and there is nothing better left to do.
        with contextlib.suppress(OSError):
            os.fsync(fh.fileno())
    return True


def save_manifest(folder: Path, manifest: dict[str, Any], *, last_resort: bool = False
                  ) -> None:
    """Write a session's manifest atomically; with ``last_resort`` (closing after the
    disk refused), over the old one in place when no new copy can be made."""
    text = json.dumps(manifest, indent=2) + "\n"
    try:
        _write_atomic(folder / MANIFEST, text)
    except OSError:
        if not (last_resort and _write_in_place(folder / MANIFEST, text)):
            raise


def _open_to_append(folder: Path) -> int:
    """The events file of a recorded session, open to add to and locked as a round locks
    it; a last line torn by a crash (no newline: half an event, never readable) is cut off
    first, so the new lines do not glue onto it and damage the file. Refused while a
    round still records it."""
    fd = os.open(folder / EVENTS, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise UserError("is being recorded by a round that is still running; let it "
                        "end first", path=folder) from None
    try:
        data = os.pread(fd, MAX_EVENTS_BYTES + 1, 0)  # read_session refused larger ones
        whole = data.rfind(b"\n") + 1
        if whole < len(data):
            os.ftruncate(fd, whole)
    except OSError:
        os.close(fd)
        raise
    return fd


def append_events(folder: Path, events: list[Event]) -> None:
    """Add events to a recorded session's events file, synced (see _open_to_append)."""
    with os.fdopen(_open_to_append(folder), "r+b") as fh:
        fh.write(b"".join(json.dumps(e.to_dict()).encode("utf-8") + b"\n" for e in events))
        fh.flush()
        os.fsync(fh.fileno())


def is_recording(folder: Path) -> bool:
    """Is a round (in this process or another) recording this session right now?"""
    try:
        # Not blocking on a FIFO, not following a link: a session is anyone's data.
        fd = os.open(folder / EVENTS, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def make_private(path: Path) -> None:
    """Files the engine wrote into the session (its audio) made readable by the user
    alone; a file that is gone or not ours is left as it is."""
    with contextlib.suppress(OSError):
        os.chmod(path, PRIVATE_FILE)


class SessionWriter:
    """Creates a session folder and records events into it; a subscriber of the engine."""

    def __init__(self, root: Path, label: str = ""):
        self.id = new_session_id(label)
        self.dir = root / self.id
        self.manifest: dict[str, Any] = {
            "format": FORMAT_VERSION, "id": self.id, "app_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "status": "recording",
        }
        self._events = self._create(root)

    def _create(self, root: Path) -> TextIO:
        """The private folder, its events file and first manifest; when the disk refuses
        any of them, nothing is left behind (an empty session helps no one)."""
        try:
            if not root.exists():
                root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
            self.dir.mkdir(mode=PRIVATE_DIR)
        except OSError as exc:
            raise UserError(f"cannot create the session folder ({exc.strerror}); set "
                            "sessions.dir or --sessions-dir to a writable folder",
                            path=self.dir) from None
        events: TextIO | None = None
        try:
            (self.dir / "audio").mkdir(mode=PRIVATE_DIR)
            fd = os.open(self.dir / EVENTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                         PRIVATE_FILE)
            # Held while the round runs and let go by the system when the process dies
            # (kill -9 too): it tells a session being recorded from an interrupted one.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            events = os.fdopen(fd, "a", encoding="utf-8")
            self._save_manifest()
        except OSError as exc:
            if events is not None:
                events.close()
            shutil.rmtree(self.dir, ignore_errors=True)
            raise UserError(f"cannot write the session ({exc.strerror}); free some space "
                            "or set sessions.dir or --sessions-dir to another folder",
                            path=self.dir) from None
        return events

    @classmethod
    def reopen(cls, session: StoredSession) -> SessionWriter:
        """Record a new round into a session already recorded (a retry of one of its
        questions): its events are added after the old ones, which stay as they are. The
        caller checks first that the session is not interrupted (recover.py)."""
        self = cls.__new__(cls)
        self.id, self.dir = session.id, session.dir
        self.manifest = {**session.manifest, "status": "recording"}
        fd: int | None = None
        try:
            fd = _open_to_append(self.dir)
            events = os.fdopen(fd, "a", encoding="utf-8")
        except OSError as exc:
            if fd is not None:
                os.close(fd)
            raise UserError(f"cannot add to the session ({exc.strerror}); free some space "
                            "or make the folder writable", path=self.dir / EVENTS) from None
        self._events = events
        try:
            self._save_manifest()
        except OSError as exc:
            events.close()
            raise UserError(f"cannot write it ({exc.strerror}); free some space or make "
                            "the folder writable", path=self.dir / MANIFEST) from None
        return self

    def _save_manifest(self, last_resort: bool = False) -> None:
        save_manifest(self.dir, self.manifest, last_resort=last_resort)

    def handle(self, event: Event) -> None:
        """Record one event. When the disk refuses (full, read-only, gone), a UserError
        naming the file: what was written before it is kept, and ``close`` still marks
        the manifest where it can."""
        where = self.dir / EVENTS
        try:
            self._events.write(json.dumps(event.to_dict()) + "\n")
            self._events.flush()
            os.fsync(self._events.fileno())
            if isinstance(audio := getattr(event, "audio", None), str):
                make_private(self.dir / audio)
            where = self.dir / MANIFEST
            if isinstance(event, SessionStarted):
                # A retry's question joins the questions the session asked before it.
                asked = [*self.manifest.get("question_ids", []), *event.question_ids]
                self.manifest.update(bank=event.bank, persona=event.persona,
                                     policy=event.policy, stt=asdict(event.stt),
                                     question_ids=list(dict.fromkeys(asked)))
                self._save_manifest()
            elif isinstance(event, SessionEnded):
                self.manifest.update(status=event.status.value, turns=event.turns,
                                     ended=datetime.now(UTC).isoformat(timespec="seconds"))
                self._save_manifest()
        except OSError as exc:
            raise disk_refused(exc, where, self.dir) from None

    def close(self, status: str | None = None) -> None:
        """Close the events file and, if the round never said how it ended, mark the
        manifest with ``status``. Never raises: it runs while another error is told."""
        if status and self.manifest.get("status") == "recording":
            self.manifest["status"] = status
            with contextlib.suppress(OSError):
                self._save_manifest(last_resort=True)
        if not self._events.closed:
            with contextlib.suppress(OSError):  # the line the disk refused, told already
                self._events.close()
        with contextlib.suppress(OSError):
            for path in self.dir.rglob("*"):  # whatever else the round left, e.g. a cut answer
                if path.is_file() and not path.is_symlink():
                    make_private(path)


def disk_refused(exc: OSError, path: Path | str, session_dir: Path) -> UserError:
    """A write the disk refused mid-round, as the one line the user reads: which file,
    why, that what came before is kept, and what to do."""
    why = exc.strerror or str(exc)
    fix = ("free some space" if exc.errno in (errno.ENOSPC, errno.EDQUOT)
           else "make the sessions folder writable")
    return UserError(f"cannot write it ({why}); the round stopped. What was recorded "
                     f"before is kept in {session_dir}: {fix}, then run `interview sessions "
                     "--recover` to judge the answer it was recording", path=path)


@dataclass(frozen=True)
class StoredSession:
    dir: Path
    manifest: dict[str, Any]
    events: list[Event]

    @property
    def id(self) -> str:
        """A plain file name (checked on reading): exports are named after it."""
        return str(self.manifest.get("id", self.dir.name))


#: A long round's events are a few megabytes; a file past this is not one we wrote,
#: and reading it whole could exhaust memory.
MAX_EVENTS_BYTES = 64 * 1024 * 1024
#: The manifest holds a dozen short fields.
MAX_MANIFEST_BYTES = 1024 * 1024
#: The manifest's fields and their types, as SessionWriter writes them; others are kept.
_MANIFEST_TYPES: dict[str, Any] = {
    "format": int, "id": str, "app_version": str, "created": str, "ended": str,
    "status": str, "bank": str | None, "persona": str | None, "policy": str | None,
    "stt": dict[str, Any], "question_ids": list[str], "turns": int,
}
_DAMAGED = "the session is damaged: restore it from a backup, or delete its folder"


def read_session(path: Path) -> StoredSession:
    """Load a session folder; a torn last line (a crash mid-write) is skipped. Anything
    else wrong with it is a UserError naming the file and the field."""
    if not (path / EVENTS).exists() and not (path / EVENTS).is_symlink():
        raise UserError("is not a session folder (no events.jsonl)", path=path)
    manifest = _read_manifest(path)
    events = _read_events(path)
    if not events:
        raise UserError("nothing was recorded in this session (no events; the round "
                        "never started, perhaps for a full disk); delete its folder",
                        path=path / EVENTS)
    if manifest.get("status") == "recording" and not any(
            isinstance(e, SessionEnded) for e in last_round(events)):
        manifest["status"] = "interrupted"
    return StoredSession(path, manifest, events)


def last_round(events: list[Event]) -> list[Event]:
    """The events of the last round recorded in a session: a retry adds a round, from its
    own SessionStarted on, after the rounds before it."""
    starts = [i for i, e in enumerate(events) if isinstance(e, SessionStarted)]
    return events[starts[-1]:] if starts else events


def _read_text(path: Path, folder: Path, limit: int) -> str:
    """A file of the session as text, refused when it is not a plain file inside the
    folder, too large, or not UTF-8."""
    if inside(folder, path.name) is None or not path.is_file():
        raise UserError("is not a plain file inside the session folder; " + _DAMAGED,
                        path=path)
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UserError(f"cannot be read ({exc.strerror})", path=path) from None
    if len(data) > limit:
        raise UserError(f"is over {limit // (1024 * 1024)} MiB, larger than any session "
                        "this program writes; " + _DAMAGED, path=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"is not UTF-8 text (byte {exc.start}); " + _DAMAGED,
                        path=path) from None


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a number")  # NaN and Infinity are not JSON


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.exists() and not path.is_symlink():  # a crash before it was first written
        return {"id": folder.name if is_safe_name(folder.name) else "session",
                "status": "unknown"}
    try:
        manifest = json.loads(_read_text(path, folder, MAX_MANIFEST_BYTES),
                              parse_constant=_no_constants)
    except ValueError as exc:
        raise UserError(f"is not valid JSON ({exc}); " + _DAMAGED, path=path) from None
    if not isinstance(manifest, dict):
        raise UserError(f"holds {kind_of(manifest)}, not a JSON object; " + _DAMAGED,
                        path=path)
    for key, hint in _MANIFEST_TYPES.items():
        if key in manifest and (problem := bad_value(manifest[key], hint, key)):
            field, _, detail = problem.partition(": ")
            raise UserError(f"{detail}; " + _DAMAGED, path=path, field=field)
    manifest.setdefault("id", folder.name if is_safe_name(folder.name) else "session")
    if not is_safe_name(manifest["id"]):
        raise UserError("is not a session id (letters, digits, '.', '_' and '-' only); "
                        + _DAMAGED, path=path, field="id")
    return manifest


def _read_events(folder: Path) -> list[Event]:
    path = folder / EVENTS
    lines = _read_text(path, folder, MAX_EVENTS_BYTES).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    events = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line, parse_constant=_no_constants)
        except ValueError:
            if number == len(lines):  # torn by a crash mid-write: the rest is sound
                break
            raise UserError("is not valid JSON; " + _DAMAGED, path=path,
                            field=f"line {number}") from None
        event = _event(data, path, number)
        if event is not None:
            events.append(event)
    return events


def _event(data: Any, path: Path, number: int) -> Event | None:
    """One line's event, checked field by field; None for a kind of event this version
    does not know (written by a newer one)."""
    where = f"line {number}"
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise UserError("is not an event (a JSON object with a 'type'); " + _DAMAGED,
                        path=path, field=where)
    cls = EVENT_TYPES.get(data["type"])
    if cls is None:
        return None
    known = {f.name for f in fields(cls)} | {"type"}
    try:  # fields a newer version added are left out, as unknown events are
        event = event_from_dict({k: v for k, v in data.items() if k in known})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UserError(f"is not a valid {data['type']} event ({exc}); " + _DAMAGED,
                        path=path, field=where) from None
    problem = bad_field(event) or _bad_names(event, path.parent) or _bad_attempt(event)
    if problem:
        field, _, detail = problem.partition(": ")
        raise UserError(f"{detail}; " + _DAMAGED, path=path,
                        field=f"{where} ({data['type']}) {field}")
    return event


def _bad_names(event: Event, folder: Path) -> str | None:
    """A session id that is no plain name, or an audio path that leaves the folder."""
    if isinstance(event, SessionStarted) and not is_safe_name(event.session_id):
        return ("session_id: is not a session id (letters, digits, '.', '_' and '-' "
                "only)")
    audio = getattr(event, "audio", None)
    if audio is not None and inside(folder, audio) is None:
        return "audio: is not a path inside the session folder"
    return None


def _bad_attempt(event: Event) -> str | None:
    """An attempt number that counts nothing: the first attempt at a question is 1."""
    if isinstance(event, QuestionAsked) and event.attempt < 1:
        return f"attempt: expected 1 or more, got {event.attempt}"
    return None


def find_session(root: Path, ref: str) -> Path:
    """A session by folder path, id, or unique id prefix; 'last' for the newest."""
    if not ref.strip():
        raise UserError("is empty; give a session id, an id prefix, a folder or 'last' "
                        "(`interview sessions` lists them)", field="session")
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
    """The session folders in ``root``; a link to a folder elsewhere is not one of them,
    so nothing found through the sessions folder is read or written outside it."""
    if not root.is_dir():
        return []
    return sorted(d for d in root.iterdir() if not d.is_symlink() and (d / EVENTS).exists())


def read_sessions(root: Path) -> tuple[list[StoredSession], list[str]]:
    """Every readable session under ``root``, oldest first, and for each one that could
    not be read a one-line note saying which and why: one bad session hides no other."""
    sessions, notes = [], []
    if root.is_dir():
        notes += [f"skipped session {d.name}: is a link to a folder elsewhere; copy the "
                  "session into the sessions folder to list it"
                  for d in sorted(root.iterdir()) if d.is_symlink() and (d / EVENTS).exists()]
    for d in list_session_dirs(root):
        try:
            sessions.append(read_session(d))
        except UserError as exc:
            where = ": ".join(p for p in (Path(exc.path).name if exc.path else None,
                                          exc.field) if p)
            notes.append(f"skipped session {d.name}: {where}: {exc.detail}")
    # A folder's name is anyone's: the notes go to a terminal and the app as they are.
    return sessions, [printable(n, newlines=False) for n in notes]
