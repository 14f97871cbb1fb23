"""Drawing the questions of a round from the banks."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from simulator.banks.model import Bank, Question
from simulator.errors import UserError


@dataclass(frozen=True)
class Selection:
    """Which questions a round may draw from."""

    question_ids: list[str] = field(default_factory=list)
    """Exact questions, asked in this order (overrides the filters)."""
    topics: list[str] = field(default_factory=list)
    """Topic ids; empty for any."""
    levels: list[str] = field(default_factory=list)
    """intro, core or senior; empty for any."""
    roles: list[str] = field(default_factory=list)
    """Role tags; a question matches if it has any of them."""
    sources: list[str] = field(default_factory=list)
    """Seed file names (or their prefixes, such as '002')."""
    count: int = 3
    """How many questions."""
    shuffle: bool = True
    """Draw at random rather than in bank order."""
    seed: int | None = None
    """Makes a shuffled draw repeatable."""


def draw(banks: list[Bank], sel: Selection) -> list[tuple[Bank, Question]]:
    pool = [(b, q) for b in banks for q in b.questions]
    if sel.question_ids:
        by_id = {q.id: (b, q) for b, q in pool}
        missing = [i for i in sel.question_ids if i not in by_id]
        if missing:
            raise UserError(
                f"no question with id {missing[0]!r} in the chosen bank(s); "
                "`interview bank list --json` shows every id",
                field="--question",
            )
        return [by_id[i] for i in sel.question_ids]

    def keep(b: Bank, q: Question) -> bool:
        if sel.topics and b.topic not in sel.topics:
            return False
        if sel.levels and q.level not in sel.levels:
            return False
        if sel.roles and not set(sel.roles) & set(q.roles):
            return False
        if sel.sources and not (
            q.source and any(q.source.seed.startswith(s) for s in sel.sources)
        ):
            return False
        return True

    pool = [(b, q) for b, q in pool if keep(b, q)]
    if not pool:
        raise UserError(
            "no question matches the chosen topic, level, role and source; "
            "`interview bank list` shows what there is",
            field="selection",
        )
    if sel.shuffle:
        random.Random(sel.seed).shuffle(pool)
    return pool[: sel.count]
