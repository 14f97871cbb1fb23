"""The cross-check: a reading made without the vocabulary bias vouches for a term the biased
reading garbled, and for nothing else."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from simulator.assess.coverage import word_rarity
from simulator.audio.sources import read_audio
from simulator.config import load_settings
from simulator.rounds import round_glossary
from simulator.speech import cross_check, vocabulary
from simulator.speech.echo import remove_echo
from simulator.speech.glossary import Glossary
from simulator.speech.hearing import Listening, hear
from simulator.speech.stt import WhisperTranscriber
from simulator.speech.term_match import term_heard
from simulator.speech.transcript import Transcript, Word
from tests.conftest import round_vocabulary

SEAM = Path(__file__).parent / "fixtures" / "audio" / "window-seam.flac"


def _said(text: str, start: float = 0.0, each: float = 0.4, p: float = 0.9) -> list[Word]:
    return [Word(w, round(start + i * each, 3), round(start + i * each + each - 0.05, 3), p)
            for i, w in enumerate(text.split())]


def _words(ws: list[Word]) -> str:
    return " ".join(w.word for w in ws)


def test_a_term_only_the_unbiased_reading_heard_replaces_what_the_biased_one_was_unsure_of():
    biased = (_said("and keeps a") + _said("sake v cache,", start=1.2, p=0.3)
              + _said("whose memory grows", start=2.4))
    unbiased = (_said("and keeps a") + [Word("KV", 1.2, 1.95, 0.5), Word("cache,", 2.0, 2.35, 0.7)]
                + _said("whose memory grows", start=2.4))
    words, fixes = cross_check.corroborated(biased, unbiased, ["KV cache"], 0.5)
    assert _words(words) == "and keeps a KV cache, whose memory grows"
    assert [(f.heard, f.term) for f in fixes] == [("sake v cache", "KV cache,")]


def test_words_the_biased_reading_was_sure_of_are_left_as_they_were():
    # The candidate may well have said "Llama" where a plain reading wrote a term.
    biased = _said("models like Llama use rotary embeddings")
    unbiased = _said("models like RoPE use rotary embeddings")
    words, fixes = cross_check.corroborated(biased, unbiased, ["RoPE"], 0.5)
    assert words == biased and fixes == []


def test_another_term_the_biased_reading_heard_is_never_written_over():
    biased = _said("with") + _said("grouped query", start=0.4, p=0.4) + _said("attention",
                                                                            start=1.2)
    unbiased = _said("with GQA attention", each=0.53)
    words, fixes = cross_check.corroborated(biased, unbiased, ["GQA", "grouped query"], 0.5)
    assert words == biased and fixes == []


def test_a_term_the_biased_reading_also_heard_changes_nothing():
    biased = _said("we use LoRA adapters", p=0.3)
    unbiased = _said("we use Laura adapters")
    words, fixes = cross_check.corroborated(biased, unbiased, ["LoRA"], 0.5)
    assert words == biased and fixes == []


def test_a_filler_stays_unless_the_unbiased_reading_says_a_word_over_it():
    biased = (_said("report to") + [Word("um,", 0.9, 1.1, 0.4, filler=True)]
              + _said("end DB.", start=1.2, p=0.1))
    unbiased = _said("report to") + _said("wandb.", start=1.2, each=0.75)
    words, _ = cross_check.corroborated(biased, unbiased, ["wandb"], 0.5)
    assert _words(words) == "report to um, wandb."
    unbiased = _said("report to") + _said("wandb.", start=0.8, each=1.15)
    words, _ = cross_check.corroborated(biased, unbiased, ["wandb"], 0.5)
    assert _words(words) == "report to wandb."


def test_the_judge_gets_the_corroborated_term_and_the_fix_is_listed():
    biased = _said("safety and control") + _said("People frequency", start=1.2, p=0.2)
    t = Transcript("").with_words(biased)
    t = replace(t, unbiased=_said("safety and control") + [Word("frequency", 1.2, 1.95, 0.6)])
    vocab = vocabulary.for_question("What limits robots?", ["control frequency"],
                                   rarity=word_rarity)
    heard = hear(t, Listening(Glossary(), vocab))
    fixes = heard.corrections
    assert heard.text == "safety and control frequency"
    assert ("control People frequency", "control frequency") in [(f.heard, f.term)
                                                                 for f in fixes]


def test_the_interviewers_voice_is_taken_out_of_the_unbiased_reading_too():
    said = "one minute left"
    t = Transcript("").with_words(_said("so the cache one minute left grows"))
    t = replace(t, unbiased=_said("so the cache one minute left grows"))
    out = remove_echo(t, said, 0.5, 3.0)
    assert _words(out.words) == _words(out.unbiased) == "so the cache grows"


def test_a_term_garbled_at_a_window_seam_is_heard_through_the_unbiased_reading():
    # A real recording (espeak-ng at the benchmark's settings, 34 s): the biased reading's
    # first 30 s window ends inside "control frequency", which comes out as "control
    # People frequency"; the unbiased reading's windows fall elsewhere.
    vocab = round_vocabulary("outlook-embodied-ai-llm-robots")
    settings = load_settings(include_user_file=False)
    glossary = round_glossary(settings)
    audio = read_audio(SEAM)
    stt = WhisperTranscriber(settings.stt)
    heard = stt.transcribe(audio, vocab.bias)
    assert heard.unbiased
    unbiased = " ".join(w.word for w in heard.unbiased)
    if not term_heard("control frequency", unbiased):
        # tiny.en's int8 arithmetic differs between CPUs: on some (an AMD EPYC here) the
        # unbiased reading of this recording drops the seconds that hold the term, so
        # there is nothing to vouch for it. What the check does with a term it is given is
        # tested above on fixed readings.
        pytest.skip("on this CPU the unbiased reading of the fixture misses the term too")
    text = hear(heard, Listening(glossary, vocab)).text.lower()
    assert "safety and control frequency" in text
    # Without the unbiased reading the term is lost: the check is what finds it.
    alone = hear(replace(heard, unbiased=[]), Listening(glossary, vocab))
    assert "control frequency" not in alone.text.lower()
    # A live view of an answer still going on is wanted soon: no second reading.
    assert stt.transcribe(audio, vocab.bias, draft=True).unbiased == []
