"""Evidence that proves the verdict: each covered point quotes the clause of the spoken
answer that holds the point's words, from the turn where it was said, and every surface
shows that same quote. Follow-ups build on what the candidate said of their point."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from simulator.assess.coverage import QUOTE_WORDS, assess, concept, point_words
from simulator.assess.llm import SYSTEM
from simulator.assess.policy import Exchange, OfflinePolicy, thread_text
from simulator.audio.endpoint import EndReason
from simulator.audio.sources import read_audio
from simulator.banks.loader import load_bank
from simulator.config import load_settings
from simulator.console import ConsolePrinter
from simulator.demo import load_script
from simulator.engine.events import (
    AnswerFinished,
    Assessed,
    PointResult,
    QuestionAsked,
    TurnKind,
)
from simulator.rounds import round_glossary
from simulator.sessions.summary import round_document
from simulator.speech.hearing import Listening, hear
from simulator.speech.stt import WhisperTranscriber
from simulator.text import stem, tokens
from simulator.tui.widgets.verdict_view import verdict_lines
from tests.conftest import CANDIDATE, round_vocabulary

STARTER = {q.id: q for q in load_bank("starter").questions}
RAG = STARTER["starter-rag-design"]
KV = STARTER["starter-kv-cache"]
SCRIPT = {q.id: q for q in load_script().questions}


@pytest.fixture(scope="module")
def stt() -> WhisperTranscriber:
    return WhisperTranscriber(load_settings(include_user_file=False).stt)


def _spoken(stt: WhisperTranscriber, synth, folder: Path, question_id: str, text: str) -> str:
    """``text`` said by the synthetic candidate and heard as a round hears it."""
    path = folder / f"{abs(hash(text))}.wav"
    synth.render(text, path, CANDIDATE)
    vocab = round_vocabulary(question_id)
    glossary = round_glossary(load_settings(include_user_file=False))
    return hear(stt.transcribe(read_audio(path), vocab.bias), Listening(glossary, vocab)).text


def _holds(quote: str, *words: str) -> bool:
    said = {stem(t) for t in tokens(quote)}
    return any(stem(w) in said for w in words)


def test_a_point_said_in_the_next_sentence_is_quoted_from_that_sentence(stt, synth, tmp_path):
    # Before, each quote was the first 30 words of the clause the point was first found
    # in: "first i would parse the documents..." for embeddings, and "when the model
    # generates text..." for what the cache keeps.
    rag = _spoken(stt, synth, tmp_path, RAG.id, SCRIPT[RAG.id].answer)
    quote = assess(RAG, rag).verdict("embeddings-index")
    assert quote.covered and _holds(quote.evidence, "embed", "vector")
    assert not _holds(quote.evidence, "parse")
    kv = _spoken(stt, synth, tmp_path, KV.id, SCRIPT[KV.id].answer)
    cached = assess(KV, kv).verdict("what-is-cached")
    assert cached.covered and _holds(cached.evidence, "keys", "values")
    for v in (quote, cached):
        assert len(tokens(v.evidence)) <= QUOTE_WORDS


def test_a_quote_comes_from_the_turn_where_the_point_was_said(stt, synth, tmp_path):
    first = _spoken(stt, synth, tmp_path, RAG.id, SCRIPT[RAG.id].answer)
    second = _spoken(stt, synth, tmp_path, RAG.id, SCRIPT[RAG.id].follow_ups["rerank"])
    thread = [Exchange(RAG.prompt, first), Exchange("How do you pick five?", second)]
    rerank = assess(RAG, thread_text(thread)).verdict("rerank")
    assert rerank.covered and _holds(rerank.evidence, "rerank", "reranker", "cross", "encoder")
    inner = rerank.evidence.strip("…")
    assert _in(inner, second) and not _in(inner, first)


def _in(quote: str, text: str) -> bool:
    return " ".join(tokens(quote)) in " ".join(tokens(text))


def test_every_surface_shows_the_judges_quote(stt, synth, tmp_path):
    text = _spoken(stt, synth, tmp_path, KV.id, SCRIPT[KV.id].answer)
    verdicts = assess(KV, text).points
    quote = next(v.evidence for v in verdicts if v.covered)
    points = [PointResult(v.id, v.covered, v.evidence, v.contradicted, v.support)
              for v in verdicts]
    events = [QuestionAsked(1.0, 1, TurnKind.QUESTION, KV.id, KV.prompt, None,
                            "audio/01-prompt.wav", 90),
              AnswerFinished(20.0, 1, "audio/01-answer.wav", 18.0, EndReason.SILENCE, text),
              Assessed(20.1, 1, KV.id, points, 0.4)]
    doc = round_document(events, tmp_path)
    assert quote in doc["questions"][0]["evidence"].values()
    assert quote in [p["evidence"] for p in doc["turns"][0]["assessment"]["points"]]
    out = io.StringIO()
    ConsolePrinter(out).handle(events[-1])
    assert quote in " ".join(out.getvalue().split())
    shown = " ".join(str(line) for line in verdict_lines(events[-1], KV))
    assert quote in shown


def test_the_follow_up_builds_on_the_candidates_own_words():
    lora = STARTER["starter-lora"]
    answer = ("LoRA freezes the pretrained weights and trains a low rank update, so it "
              "needs much less GPU memory and optimizer state. At inference I keep my "
              "adapter as it is.")
    judged = OfflinePolicy().judge(lora, [Exchange(lora.prompt, answer)], [])
    assert judged.follow_up is not None and judged.follow_up.target == "merge-adapters"
    bank = judged.follow_up.prompt
    assert judged.wording == f"You said at inference you keep your adapter as it is. {bank}"
    # Nothing said of the point: the bank's question as it is.
    bare = "LoRA freezes the pretrained weights and trains a low rank update, so it " \
           "needs much less GPU memory and optimizer state."
    assert OfflinePolicy().judge(lora, [Exchange(lora.prompt, bare)], []).wording == bank


def test_a_word_shared_by_chance_is_not_built_on():
    # "first" is one of the reranking point's words; the demo's opening says it of parsing.
    answer = SCRIPT[RAG.id].answer
    v = assess(RAG, answer).verdict("rerank")
    assert not v.covered and v.support < 0.7
    judged = OfflinePolicy().judge(RAG, [Exchange(RAG.prompt, answer)], [])
    assert judged.wording == judged.follow_up.prompt  # type: ignore[union-attr]
    assert {concept(stem("first"))} & point_words(RAG, "rerank").keys()


def test_the_llm_is_asked_to_build_on_the_candidates_words_and_quote_the_clause():
    prompt = " ".join(SYSTEM.split())
    assert "build the follow-up on their own words" in prompt
    assert "the clause of their answer that holds the point's words" in prompt


@pytest.fixture(scope="module")
def demo_threads(stt, synth, tmp_path_factory) -> dict[str, str]:
    """Each demo question's thread (its answer, then every follow-up answer) said by the
    synthetic candidate and heard as a round hears it."""
    folder = tmp_path_factory.mktemp("demo-threads")
    out = {}
    for s in load_script().questions:
        heard = [_spoken(stt, synth, folder, s.id, text)
                 for text in (s.answer, *s.follow_ups.values())]
        out[s.id] = thread_text([Exchange(STARTER[s.id].prompt, h) for h in heard])
    return out


def _term_words(question_id: str, point_id: str) -> set[str]:
    """The words of the point's own terms that tell it from the rest of the question."""
    q = STARTER[question_id]
    said = {concept(stem(t)) for term in q.point(point_id).terms for t in tokens(term)}
    return said & point_words(q, point_id).keys()


def test_every_quote_from_the_spoken_demo_holds_its_points_terms(demo_threads):
    # The judgement benchmark's evidence-on-point share, on real transcripts: before,
    # "embeddings-index" was quoted as "first i would parse the documents..." and
    # "grounding" as "now i would embed each chunk...", neither with a word of the point.
    covered = 0
    for qid, thread in demo_threads.items():
        for v in assess(STARTER[qid], thread).points:
            if v.covered:
                covered += 1
                quoted = {concept(stem(t)) for t in tokens(v.evidence)}
                assert quoted & _term_words(qid, v.id), (qid, v.id, v.evidence)
    assert covered >= 10  # most of the demo's points are said, so most are checked
