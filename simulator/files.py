"""Reading a file the user gave us as data: bounded in size, UTF-8 checked.

Banks, glossaries, configs and personas come from anywhere (a shared folder, a
download), so a file that is too big, binary or in another encoding must end in a
one-line error naming it, never a traceback or a hang.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from simulator.errors import UserError


def read_bytes(path: Path, max_bytes: int, field: str | None = None) -> bytes:
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


def decode(data: bytes, path: Path, field: str | None = None) -> str:
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
