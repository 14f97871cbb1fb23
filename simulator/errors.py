"""Errors the user can fix: shown as one line, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A problem with the user's input, files or machine, with what to do about it."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None, field: str | None = None):
        self.path = str(path) if path is not None else None
        self.field = field
        self.detail = message
        where = ": ".join(p for p in (self.path, field) if p)
        super().__init__(f"{where}: {message}" if where else message)
