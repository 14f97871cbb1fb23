"""Reading a YAML file the user gave us as data: bounded in size and depth, UTF-8 checked.

Banks and the user's glossary come from anywhere (a shared folder, a download),
so a file that is too big, too deep, binary or in another encoding must end in
a one-line error naming it, never a traceback, a hang or a segfault.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simulator.errors import UserError
from simulator.files import decode, read_bytes

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
