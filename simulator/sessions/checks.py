"""A session folder is data from elsewhere (a shared folder, a copied backup), so what
is read from it is checked before anything is built from it: names that become file
names, paths that are opened, and the type of every field of every event.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from pathlib import Path
from typing import Any, Union

# Letters (any script, as a round's label may be), digits, '.', '_' and '-', starting
# with a letter or digit: one plain file name, never '..', a separator, a space or a
# control character. Ids we make are under 50 long.
_NAME_RE = re.compile(r"[^\W_][\w.-]{0,127}")


def is_safe_name(name: object) -> bool:
    """Can ``name`` (a session id) be used in a file name inside a folder as it is?"""
    return isinstance(name, str) and _NAME_RE.fullmatch(name) is not None


def inside(folder: Path, relative: object) -> Path | None:
    """``folder / relative`` when it is a relative path that stays inside ``folder``
    (links followed); None otherwise."""
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        return None
    rel = Path(relative)
    if rel.is_absolute() or ".." in rel.parts:
        return None
    path = folder / rel
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return None
    return path


def kind_of(value: object) -> str:
    return "null" if value is None else type(value).__name__


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:  # resolving string annotations is slow; a session has thousands
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def bad_field(obj: Any) -> str | None:
    """The first field of a decoded dataclass whose value is not its declared type, as
    'name: expected ..., got ...'; None when every field is right."""
    hints = _hints(type(obj))
    for f in dataclasses.fields(obj):
        problem = bad_value(getattr(obj, f.name), hints[f.name], f.name)
        if problem:
            return problem
    return None


def bad_value(value: object, hint: Any, where: str) -> str | None:
    """``value`` against a type hint (the few kinds events use); a message or None."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        problems = [bad_value(value, h, where) for h in typing.get_args(hint)]
        if None in problems:
            return None
        # The alternative that got furthest (a field inside it) says most.
        return next((p for p in problems if p and not p.startswith(f"{where}: ")),
                    f"{where}: expected {_hint_name(hint)}, got {kind_of(value)}")
    if origin is list:
        if not isinstance(value, list):
            return f"{where}: expected a list, got {kind_of(value)}"
        (item,) = typing.get_args(hint) or (Any,)
        return next((p for i, v in enumerate(value)
                     if (p := bad_value(v, item, f"{where}[{i}]"))), None)
    if origin is dict and not isinstance(value, dict):
        return f"{where}: expected an object, got {kind_of(value)}"
    if origin is dict:
        return None
    if not _scalar_ok(value, hint):
        return f"{where}: expected {_hint_name(hint)}, got {kind_of(value)}"
    if dataclasses.is_dataclass(hint):
        problem = bad_field(value)
        return f"{where}.{problem}" if problem else None
    return None


def _scalar_ok(value: object, hint: Any) -> bool:
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:  # JSON writes 5.0 as 5; NaN and infinity are no time or score
        return (isinstance(value, int | float) and not isinstance(value, bool)
                and math.isfinite(value))
    return not isinstance(hint, type) or isinstance(value, hint)


def _hint_name(hint: Any) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
             type(None): "null"}
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(_hint_name(h) for h in typing.get_args(hint))
    if origin in (list, dict):
        return "a list" if origin is list else "an object"
    return names.get(hint, getattr(hint, "__name__", str(hint)))
