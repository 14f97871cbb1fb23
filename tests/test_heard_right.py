"""Heard right: near-miss correction toward the question's terms, checking transcripts before
they are judged (--review), the learned glossary, and `interview models`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simulator.assess.coverage import word_rarity
from simulator.banks.loader import load_bank
from simulator.config import load_settings
from simulator.rounds import expected_terms, round_glossary
from simulator.speech import learned, vocabulary
from simulator.speech.models import record_result
from simulator.speech.term_match import term_heard
from simulator.speech.transcript import Transcript, Word
from tests.conftest import render_answers, run_cli

TERMS = ["GPU memory", "cross encoder", "permutation invariant", "permutation equivariant",
         "rerank", "paged attention", "bigger batch"]


def _words(*pairs: tuple[str, float]) -> list[Word]:
    return [Word(w, i * 0.4, i * 0.4 + 0.3, p) for i, (w, p) in enumerate(pairs)]


def _fix(*pairs: tuple[str, float], terms: list[str] = TERMS) -> str:
    t = Transcript(" ".join(w for w, _ in pairs), _words(*pairs))
    fixed, _ = vocabulary.correct(t, vocabulary.Vocabulary("", tuple(terms), word_rarity))
    return fixed.text


def test_an_unsure_near_miss_on_a_question_term_becomes_the_term():
    assert _fix(("cheaper", 0.99), ("in", 0.95), ("dpu", 0.18), ("memory,", 0.97)) == \
        "cheaper in GPU memory,"
    assert _fix(("page", 0.3), ("attention", 0.9)) == "paged attention"
    # A short word ran into the term.
    assert _fix(("then", 0.5), ("across", 0.85), ("encoder", 0.75)) == "then cross encoder"
    assert _fix(("errors,", 0.42), ("incancer", 0.5), ("screening", 0.92),
                terms=["cancer screening"]) == "errors, cancer screening"


def test_what_was_heard_clearly_or_could_be_another_term_is_left_alone():
    # The decoder was sure: no change.
    assert _fix(("dpu", 0.97), ("memory", 0.97)) == "dpu memory"
    # "equivariant" is itself one of the question's terms: never turned into "invariant".
    assert _fix(("permutation", 0.9), ("equivariant", 0.2)) == "permutation equivariant"
    # "rank" is a word of its own, not a mishearing of "rerank".
    assert _fix(("a", 0.9), ("rank", 0.2), ("step", 0.9)) == "a rank step"
    # Function words are never rewritten, however unsure the decoder was.
    assert _fix(("only", 0.9), ("from", 0.9), ("that", 0.1), ("context", 0.9),
                terms=["only from the context"]) == "only from that context"
    # A plural the candidate said stays as they said it.
    assert _fix(("bigger", 0.9), ("batches", 0.3)) == "bigger batches"


def test_a_term_split_or_merged_by_the_decoder_is_found_by_sound_next_to_an_anchor():
    terms = ["unseen data", "KV cache", "eval loss", "a b test"]
    assert _fix(("early", 0.8), ("on,", 0.99), ("scene", 0.11), ("data,", 0.98),
                terms=terms) == "early unseen data,"
    assert _fix(("Okay,", 0.2), ("V", 0.05), ("cache.", 0.04), terms=terms) == "KV cache."
    assert _fix(("and", 0.98), ("i'd", 0.54), ("be", 0.28), ("test", 0.57), terms=terms) == \
        "and a b test"


def test_sound_keys_come_from_espeak_ng_and_ignore_spelling():
    from simulator.speech import phonetic

    keys = phonetic.keys(["on scene", "unseen", "a well", "eval", "rather", "retrieval"])
    assert keys is not None
    assert keys[0] == keys[1] and phonetic.alike(keys[2], keys[3]) >= 0.75
    assert phonetic.alike(keys[4], keys[5]) < 0.6


def test_sound_alike_words_heard_with_confidence_or_without_an_anchor_stay():
    terms = ["shared keys and values", "grows with", "router", "eval loss"]
    # A fairly sure word is replaced only when the rest of the term sounds the same.
    assert _fix(("where", 0.9), ("group,", 0.62), ("some", 0.7), ("query", 0.95),
                ("heads", 0.9), terms=["groups of query heads"]) == "where groups of query heads"
    # "stored" was heard fairly surely: a content word the decoder believed stays.
    assert _fix(("stored", 0.69), ("keys", 0.95), ("and", 0.9), ("value", 0.01),
                terms=terms) == "stored keys and value"
    # "with" is no anchor, and a one-word term is never matched by sound alone.
    assert _fix(("throws", 0.31), ("with", 0.92), terms=terms) == "throws with"
    assert _fix(("rather", 0.11), ("than", 0.9), terms=terms) == "rather than"
    # The term was heard already: nothing else is turned into it.
    assert _fix(("eval", 0.9), ("loss", 0.9), ("and", 0.9), ("a", 0.2), ("well", 0.3),
                ("loss", 0.6), terms=terms) == "eval loss and a well loss"


def test_a_term_counts_as_heard_with_other_spacing_or_endings():
    assert term_heard("DeepSeek", "and deep seek went further")
    assert term_heard("paragraphs", "split on headings and paragraph")
    assert not term_heard("rerank", "adding a rank step")


def test_the_bias_puts_the_rubric_first_and_each_term_once():
    v = vocabulary.for_question("How does LoRA work?", ["low rank", "LoRA", "low rank"],
                                ["QLoRA", "lora"], rarity=word_rarity)
    assert v.terms == ("low rank", "LoRA", "QLoRA")
    assert v.bias.startswith("How does LoRA work?") and v.bias.count("low rank") == 1


RAG = ("I would split the documents into chunks with some overlap, embed every chunk, and "
       "store the vectors in a vector database.")


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory, synth) -> dict:
    tmp = tmp_path_factory.mktemp("review")
    answers = render_answers(synth, tmp / "answers", [RAG])
    fixes = tmp / "fixes.txt"
    fixes.write_text("overlap => stride; zebra crossing => nothing\n")
    home = tmp / "home"
    env = {"XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    out = run_cli("run", "--bank", "starter", "--question", "starter-rag-design",
                  "--answers", str(answers), "--no-speak", "--json", "--review", str(fixes),
                  env=env)
    assert out.returncode == 0, out.stderr
    return {"doc": json.loads(out.stdout), "env": env, "home": home, "stderr": out.stderr}


def test_corrections_are_applied_before_judging_and_recorded(reviewed):
    answer = reviewed["doc"]["turns"][0]["answer"]
    assert "stride" in answer["transcript"] and "overlap" not in answer["transcript"]
    assert "overlap" in answer["heard"]  # what the transcriber heard is kept
    assert answer["candidate_corrections"] == ["overlap -> stride"]
    assert "corrections from" in reviewed["stderr"]
    events = [json.loads(x) for x in (Path(reviewed["doc"]["turns"][0]["answer"]["audio"])
                                      .parent.parent / "events.jsonl").read_text().splitlines()]
    kinds = [e["type"] for e in events]
    corrected = kinds.index("transcript_corrected")
    assert kinds.index("awaiting_corrections") < corrected < kinds.index("assessed")
    assert events[corrected]["not_found"] == ["zebra crossing -> nothing"]


def test_kept_corrections_teach_later_rounds(reviewed, tmp_path):
    out = run_cli("glossary", "learn", "last", env=reviewed["env"])
    assert out.returncode == 0, out.stderr
    saved = yaml.safe_load((reviewed["home"] / "config" / "interview-simulator" /
                            "glossary.yaml").read_text())
    assert saved == {"stride": ["overlap"]}
    listed = run_cli("glossary", "list", env=reviewed["env"])
    assert "stride: overlap" in listed.stdout


def test_the_learned_glossary_is_validated_with_a_clear_error(tmp_path):
    bad = tmp_path / "glossary.yaml"
    bad.write_text("LoRA: 12\n")
    with pytest.raises(Exception) as info:
        learned.load(bad)
    assert str(bad) in str(info.value) and "glossary.LoRA" in str(info.value)
    path, new = learned.add([("laura", "LoRA"), ("Laura", "LoRA")], tmp_path / "g.yaml")
    assert new == 1 and yaml.safe_load(path.read_text()) == {"LoRA": ["laura"]}


def test_a_malformed_corrections_file_stops_before_the_round(tmp_path):
    fixes = tmp_path / "fixes.txt"
    fixes.write_text("\nlaura LoRA\n")
    out = run_cli("run", "--bank", "starter", "--answers", str(tmp_path), "--review",
                  str(fixes), "--no-speak")
    assert out.returncode == 2
    assert f"{fixes}:2" in out.stderr and "heard => meant" in out.stderr
    assert "Traceback" not in out.stderr


def test_models_lists_the_bundled_model_with_figures_measured_here():
    out = run_cli("models")
    assert out.returncode == 0, out.stderr
    assert "tiny.en" in out.stdout and "bundled" in out.stdout
    assert "not measured here" in out.stdout
    record_result("tiny.en", {"wer": 0.125, "key_term_recall": 0.93, "rtf": 0.09,
                              "device": "cpu", "answers": 64})
    rows = json.loads(run_cli("models", "--json").stdout)
    tiny = next(r for r in rows if r["name"] == "tiny.en")
    assert tiny["selected"] and tiny["usable"] and tiny["figures"]["key_term_recall"] == 0.93
    assert "WER 12.5%, key terms 0.93" in run_cli("models").stdout


def test_a_correction_line_that_cannot_be_read_never_ends_the_round():
    import io

    from simulator.review import ReviewInput

    err = io.StringIO()
    piped = ReviewInput(None, stdin=io.StringIO("laura LoRA\nlaura => LoRA\n"), err=err)
    assert piped.next([]) == []  # skipped, with the reason said
    assert "heard => meant" in err.getvalue()
    assert piped.next([]) == [("laura", "LoRA")]
    assert piped.next([]) == []  # the end of the input accepts the rest as heard


def test_a_kept_correction_is_applied_by_every_later_round():
    learned.add([("zebra net", "ZeRO-3")])  # the user's own, in the isolated config folder
    settings = load_settings(include_user_file=False)
    fixed, fixes = round_glossary(settings).correct_text("we shard it with zebra net")
    assert fixed == "we shard it with ZeRO-3" and fixes
    # ...and the decoder is told to expect it.
    q = load_bank("starter").questions[0]
    assert "ZeRO-3" in expected_terms(settings, [q])[q.id]
