"""The shipped banks: valid, unique, complete against the seed documents, and speakable."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from simulator import locations
from simulator.banks.loader import load_banks, validate_bank_file
from simulator.banks.model import speakability_problem
from tests.conftest import run_cli

SEEDS = locations.PROJECT_ROOT.parent / "shared" / "seeds"
BANKS = sorted(locations.bank_dir().glob("*.yaml"))


def seed_question_count(path: Path) -> int:
    """Count the questions a seed document holds, by its own structure."""
    text = path.read_text(encoding="utf-8")
    name = path.name
    if name.startswith("000"):
        # Numbered questions under '### N. Section' headings.
        return len(re.findall(r"^\s*\d+\.\s+\S", text, flags=re.M))
    if name.startswith("001"):
        # One hint line per question; each level opens with 'N questions'.
        levels = [int(n) for n in re.findall(r"^(\d+) questions", text, flags=re.M)]
        lines = [ln for ln in text.splitlines()
                 if ln.startswith(("Should", "Strong", "A great", "Look for"))
                 or re.match(r"^\d+ questions", ln)]
        assert sum(levels) == len(lines)
        return len(lines)
    if name.startswith("002"):
        return len(re.findall(r"^Question \d+ ", text, flags=re.M))
    # 003 and 004 number their questions; 004 skips the text of question 6, so the
    # highest number is the count.
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", text, flags=re.M)]
    return max(numbers)


@pytest.fixture(scope="module")
def questions():
    return [(b, q) for b in load_banks() for q in b.questions]


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.name)
def test_every_bank_file_validates(path):
    bank, problems = validate_bank_file(path)
    assert not problems, "\n".join(map(str, problems))
    assert bank is not None and bank.topic == path.stem


def test_ids_are_unique_across_banks(questions):
    counts = Counter(q.id for _, q in questions)
    assert [i for i, c in counts.items() if c > 1] == []


def test_every_follow_up_targets_a_point_of_its_own_question(questions):
    for _, q in questions:
        points = {p.id for p in q.rubric}
        assert all(f.target in points for f in q.follow_ups), q.id


def test_full_questions_have_full_rubrics(questions):
    for _, q in questions:
        if q.source is None:
            continue
        assert 3 <= len(q.rubric) <= 6, q.id
        assert 2 <= len(q.follow_ups) <= 3, q.id
        assert q.mistakes, q.id
        assert all(f.answer for f in q.follow_ups), q.id
        assert any(p.weight == 3 for p in q.rubric), q.id


def test_the_seed_documents_are_covered_exactly_once(questions):
    expected = {p.name: seed_question_count(p) for p in sorted(SEEDS.glob("*.txt"))}
    assert [expected[k] for k in sorted(expected)] == [92, 50, 10, 20, 15]
    seen = Counter((q.source.seed, q.source.item) for _, q in questions if q.source)
    assert [k for k, c in seen.items() if c > 1] == []
    for seed, count in expected.items():
        items = sorted(i for s, i in seen if s == seed)
        assert items == list(range(1, count + 1)), seed
    assert sum(expected.values()) == 187


def test_spoken_prompts_are_speakable(questions):
    for _, q in questions:
        for text in [q.prompt, *(f.prompt for f in q.follow_ups)]:
            assert speakability_problem(text) is None, (q.id, text)
            assert "\n" not in text and not text.startswith(("-", "*"))


@pytest.mark.parametrize("text", [
    "Compare BPE vs. WordPiece.", "Explain RAG (retrieval).", "Use **bold**.",
    "List tools, e.g. search.", "Cost per 1k tokens in %?", "Say it \u2014 now.",
    "Use a and/or b.",
])
def test_the_speakability_check_catches_what_tts_reads_badly(text):
    assert speakability_problem(text) is not None


def test_bank_list_counts_per_topic_and_level():
    out = run_cli("bank", "list")
    assert out.returncode == 0, out.stderr
    assert re.search(r"^rag\s+18\s+\d+\s+\d+\s+\d+", out.stdout, flags=re.M)
    rows = json.loads(run_cli("bank", "list", "--json").stdout)
    assert len(rows) >= 187 and all("source" in r and "rubric" in r for r in rows)


def test_bank_show_prints_the_rubric():
    out = run_cli("bank", "show", "rag-dense-sparse-hybrid-retrieval")
    assert out.returncode == 0 and "Rubric:" in out.stdout and "Follow-ups:" in out.stdout


def test_a_round_can_be_drawn_by_topic_level_and_source():
    from simulator.banks.select import Selection, draw

    banks = load_banks()
    picked = draw(banks, Selection(topics=["rag"], levels=["senior"], count=5, seed=1))
    assert len(picked) == 5 and all(b.topic == "rag" and q.level == "senior" for b, q in picked)
    picked = draw(banks, Selection(sources=["002"], count=20))
    assert len(picked) == 10
