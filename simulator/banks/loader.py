"""Reading bank files, with problems named by file, question and field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from simulator import locations
from simulator.banks.files import load_yaml
from simulator.banks.model import Bank, Question
from simulator.errors import UserError


@dataclass(frozen=True)
class BankProblem:
    """One thing wrong in a bank file."""

    file: str
    question: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: question {self.question}" if self.question else self.file
        return f"{where}: {self.field}: {self.message}"


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problems_from(exc: ValidationError, raw: Any, file: str) -> list[BankProblem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        qid = None
        if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
            try:
                qid = str(raw["questions"][loc[1]].get("id")) or f"#{loc[1] + 1}"
            except (KeyError, IndexError, TypeError, AttributeError):
                qid = f"#{loc[1] + 1}"
            loc = loc[2:]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field; check the spelling against the bank format in the README"
        elif err["type"] == "missing":
            msg = "required field is missing"
        problems.append(BankProblem(file, qid, _field_path(loc) or "(question)", msg))
    return problems


def validate_bank_file(path: Path) -> tuple[Bank | None, list[BankProblem]]:
    """Parse and check one bank file; returns the bank (when valid) and every problem."""
    file = str(path)
    try:
        raw = load_yaml(path)
    except UserError as exc:
        return None, [BankProblem(file, None, exc.field or "(file)", exc.detail)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        return None, [BankProblem(file, None, "(file)", f"not valid YAML{line}; fix the syntax")]
    if not isinstance(raw, dict):
        return None, [BankProblem(file, None, "(file)",
                                  "must be a mapping with topic and questions")]
    try:
        bank = Bank.model_validate(raw)
    except ValidationError as exc:
        return None, _problems_from(exc, raw, file)
    problems = []
    seen: set[str] = set()
    for q in bank.questions:
        if q.id in seen:
            problems.append(BankProblem(file, q.id, "id", "repeats another question's id"))
        seen.add(q.id)
    return (bank if not problems else None), problems


def resolve_bank_path(name_or_path: str) -> Path:
    """A bank name from bank/ ('rag') or the path of any bank file."""
    p = Path(name_or_path).expanduser()
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    candidate = locations.bank_dir() / f"{name_or_path}.yaml"
    if candidate.exists():
        return candidate
    names = ", ".join(sorted(b.stem for b in locations.bank_dir().glob("*.yaml")))
    raise UserError(
        f"no bank named {name_or_path!r}; use one of: {names}, or the path of a bank file",
        field="--bank",
    )


def load_bank(name_or_path: str | Path) -> Bank:
    """Load one bank, raising a one-line UserError for the first problem."""
    path = resolve_bank_path(str(name_or_path))
    bank, problems = validate_bank_file(path)
    if problems:
        more = f" (and {len(problems) - 1} more; run `interview bank validate {path}`)" if len(
            problems) > 1 else ""
        raise UserError(str(problems[0]) + more)
    assert bank is not None
    return bank


#: Banks already read, by folder, with the files' sizes and times when they were read:
#: a round reads the shipped banks for its questions, its glossary and the judge's
#: word statistics, and each of those should not parse 190 questions again.
_READ: dict[Path, tuple[tuple[tuple[str, int, int], ...], list[Bank]]] = {}


def load_banks(directory: Path | None = None) -> list[Bank]:
    """Every bank in a folder (the shipped bank/ by default), ids checked across files."""
    directory = (directory or locations.bank_dir()).resolve()
    files = sorted(directory.glob("*.yaml"))
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    cached = _READ.get(directory)
    if cached is not None and cached[0] == stamp:
        return list(cached[1])
    banks = [load_bank(p) for p in files]
    owner: dict[str, str] = {}
    for bank in banks:
        for q in bank.questions:
            if q.id in owner:
                raise UserError(
                    f"question id {q.id!r} is used in both {owner[q.id]} and {bank.topic}; "
                    "ids must be unique across banks"
                )
            owner[q.id] = bank.topic
    _READ[directory] = (stamp, banks)
    return list(banks)


def questions_for(label: str | None) -> dict[str, Question]:
    """The questions a recorded round may name, by id: the shipped banks, and the bank
    file it was drawn from when that was the user's own. Never raises: a bank since
    moved or broken leaves its questions out, and a report names them by id."""
    try:
        banks = load_banks()
    except UserError:
        banks = []
    if label and label not in {b.topic for b in banks} and label != "all":
        try:
            own = load_bank(label)
            banks = [b for b in banks if b.topic != own.topic] + [own]
        except (UserError, OSError):
            pass  # moved since: the shipped banks are what is left
    return {q.id: q for b in banks for q in b.questions}
