"""`interview bank list|show|validate`."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from simulator import locations
from simulator.banks.loader import load_banks, validate_bank_file
from simulator.banks.model import Question
from simulator.errors import UserError


def run(args: argparse.Namespace) -> int:
    if args.bank_command == "validate":
        return validate(args.paths)
    banks = load_banks()
    if args.bank_command == "list":
        if args.json:
            rows = [{"topic": b.topic, **q.model_dump(mode="json")}
                    for b in banks for q in b.questions]
            print(json.dumps(rows, indent=2))
            return 0
        levels = ("intro", "core", "senior")
        print(f"{'topic':<26} {'questions':>9} " + " ".join(f"{lv:>6}" for lv in levels)
              + "  title")
        total: Counter[str] = Counter()
        for b in banks:
            c: Counter[str] = Counter(q.level for q in b.questions)
            total.update(c)
            print(f"{b.topic:<26} {len(b.questions):>9} "
                  + " ".join(f"{c[lv]:>6}" for lv in levels) + f"  {b.title}")
        print(f"{'all':<26} {sum(total.values()):>9} "
              + " ".join(f"{total[lv]:>6}" for lv in levels))
        return 0
    if args.bank_command == "show":
        for b in banks:
            for q in b.questions:
                if q.id == args.id:
                    _show(b.topic, q)
                    return 0
        raise UserError(f"no question with id {args.id!r}; `interview bank list --json` "
                        "shows every id")
    return 2


def _show(topic: str, q: Question) -> None:
    print(f"{q.id}  ({topic}, {q.level}, {q.budget_s} s; roles: {', '.join(q.roles) or '-'})")
    if q.source:
        print(f"source: {q.source.seed} item {q.source.item}"
              + (f" ({q.source.section})" if q.source.section else ""))
    print(f"\n{q.prompt}\n\nRubric:")
    for p in q.rubric:
        print(f"  [{p.weight}] {p.id}: {p.covers}\n      terms: {', '.join(p.terms)}")
    if q.mistakes:
        print("\nCommon mistakes:")
        for m in q.mistakes:
            print(f"  - {m}")
    if q.follow_ups:
        print("\nFollow-ups:")
        for f in q.follow_ups:
            print(f"  -> {f.target}: {f.prompt}\n     answer: {f.answer}")


def validate(paths: list[Path]) -> int:
    files = paths or sorted(locations.bank_dir().glob("*.yaml"))
    problems = []
    owner: dict[str, Path] = {}
    count = 0
    for path in files:
        bank, found = validate_bank_file(path)
        problems += [str(p) for p in found]
        if bank:
            count += len(bank.questions)
            for q in bank.questions:
                if q.id in owner and owner[q.id] != path:
                    problems.append(f"{path}: question {q.id}: id: also used in {owner[q.id]}")
                owner.setdefault(q.id, path)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s) in {len(files)} file(s)")
        return 2
    print(f"ok: {len(files)} file(s), {count} questions")
    return 0
