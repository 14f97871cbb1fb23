"""Reading a YAML file the user gave us as data: bounded in size and depth, UTF-8 checked.

Banks and the user's glossary come from anywhere (a shared folder, a download),
so a file that is too big, too deep, binary or in another encoding must end in
a one-line error naming it, never a traceback, a hang or a segfault.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path
from typing import Any

import yaml

from simulator.errors import UserError

#: The largest shipped bank is 119 KB; 2 MB is room for any hand-written bank, and
#: reading stops there, so /dev/zero or a video named .yaml ends quickly.
MAX_YAML_BYTES = 2 * 1024 * 1024
#: The bank format nests 6 deep (questions, rubric, terms); libyaml's composer
#: recurses once per level and overflows the C stack near 50,000, so we stop far below.
MAX_YAML_DEPTH = 32

_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
# libyaml's loader when present: ten times faster, the same safe subset.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_bytes(path: Path, max_bytes: int, field: str = "(file)") -> bytes:
    """The file's bytes, at most ``max_bytes``; a folder, a device or a bigger file is an error."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise UserError("is a folder, not a file; name a file inside it", path=path,
                            field=field)
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise UserError("is a device, not a file; name a text file", path=path, field=field)
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # never more, whatever the file claims
    except FileNotFoundError:
        raise UserError("not found; check the path", path=path, field=field) from None
    except OSError as exc:
        raise UserError(f"cannot be read ({exc.strerror or exc}); check its permissions",
                        path=path, field=field) from None
    if len(data) > max_bytes:
        raise UserError(f"is larger than {_size(max_bytes)}, far more than such a file "
                        "needs; is it the right file?", path=path, field=field)
    return data


def _size(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n / 2**10:g} KB"


def decode(data: bytes, path: Path, field: str = "(file)") -> str:
    """UTF-8 text (a UTF-8 byte-order mark is allowed); anything else names the file."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UserError("is UTF-16; save it as UTF-8", path=path, field=field)
    if b"\0" in data:
        raise UserError("contains NUL bytes, so it is binary or UTF-16, not UTF-8 text; "
                        "save it as UTF-8", path=path, field=field)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                        f"{exc.start}); save it as UTF-8", path=path, field=field) from None


def _too_deep(text: str) -> int | None:
    """The line where nesting first passes MAX_YAML_DEPTH, or None; the parser's events
    come one at a time, so this never recurses however deep the file goes."""
    loader = _LOADER(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, _OPEN):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return int(event.start_mark.line) + 1
            elif isinstance(event, _CLOSE):
                depth -= 1
    finally:
        loader.dispose()
    return None


def load_yaml(path: Path, field: str = "(file)") -> Any:
    """The file's YAML, read safely; yaml.YAMLError for a syntax error, UserError otherwise."""
    text = decode(read_bytes(path, MAX_YAML_BYTES, field), path, field)
    line = _too_deep(text)
    if line is not None:
        raise UserError(f"nests more than {MAX_YAML_DEPTH} levels deep (at line {line}); "
                        "no bank or glossary needs that many", path=path, field=field)
    return yaml.load(text, Loader=_LOADER)
