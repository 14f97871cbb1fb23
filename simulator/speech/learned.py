"""The user's own glossary file: misheard words they corrected, kept for every later round.

It has the banks' glossary format (``term: [how it was misheard, ...]``), so a
person can read and edit it; it is validated when read, and written whole
through a temporary file so an interrupted write leaves the old one intact.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import yaml

from simulator.banks.files import load_yaml
from simulator.errors import UserError
from simulator.locations import user_glossary_file


def load(path: Path | None = None) -> dict[str, list[str]]:
    path = path or user_glossary_file()
    if not path.exists():
        return {}
    try:
        data = load_yaml(path, field="glossary")
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0]
        raise UserError(f"cannot be read as YAML ({problem}); fix or delete it", path=path,
                        field="glossary") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError("must map each term to a list of ways it is misheard, like "
                        "'LoRA: [laura]'", path=path, field="glossary")
    out: dict[str, list[str]] = {}
    for term, variants in data.items():
        if isinstance(variants, str):
            variants = [variants]
        if not isinstance(term, str) or not term.strip() or not isinstance(variants, list) or \
                not all(isinstance(v, str) and v.strip() for v in variants):
            raise UserError(f"entry {term!r} must be a term with a list of non-empty strings, "
                            "like 'LoRA: [laura]'", path=path, field=f"glossary.{term}")
        out[term.strip()] = [v.strip() for v in variants]
    return out


def add(pairs: Iterable[tuple[str, str]], path: Path | None = None) -> tuple[Path, int]:
    """Add (heard, meant) pairs; returns the file and how many were new."""
    path = path or user_glossary_file()
    entries = load(path)
    new = 0
    for heard, meant in pairs:
        heard, meant = " ".join(heard.lower().split()), " ".join(meant.split())
        if not heard or not meant or heard == meant.lower():
            continue
        known = entries.setdefault(meant, [])
        if heard not in (v.lower() for v in known):
            known.append(heard)
            new += 1
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".glossary-", suffix=".yaml")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("# Words the transcriber misheard and what you meant; used in every round.\n")
            yaml.safe_dump(entries, f, allow_unicode=True, sort_keys=True)
        os.replace(tmp, path)
    return path, new
