"""Hearing an answer in one call: what each stage keeps, in the order a round needs."""

from __future__ import annotations

from dataclasses import replace

from simulator.assess.coverage import word_rarity
from simulator.speech import vocabulary
from simulator.speech.glossary import Glossary
from simulator.speech.hearing import Echo, HeardAnswer, Listening, hear
from simulator.speech.transcript import Transcript, Word


def _said(text: str, start: float = 0.0, p: float = 0.9, step: float = 0.4) -> list[Word]:
    return [Word(w, round(start + step * i, 2), round(start + step * i + 0.3, 2), p)
            for i, w in enumerate(text.split())]


def _reading(words: list[Word]) -> Transcript:
    return Transcript("").with_words(words)


ROBOTS = vocabulary.for_question("What limits robots?", ["control frequency"],
                                 rarity=word_rarity)


def test_the_interviewers_echo_goes_before_anything_is_corrected_or_measured():
    said = "About 20 seconds left."
    words = _said("we use laura um adapters about 20 seconds left on the weights")
    words[3] = replace(words[3], filler=True)
    heard = hear(_reading(words), Listening(Glossary({"LoRA": ["laura"]}), ROBOTS,
                                            (Echo.of_warning(said, 1.6),)))
    # The delivery coach gets the candidate's own words as said, fillers and all...
    assert heard.verbatim == "we use laura um adapters on the weights"
    assert "about" not in [w.word for w in heard.said.words]
    # ...the judge the corrected text without fillers, and the change is listed.
    assert heard.text == "we use LoRA adapters on the weights"
    assert [(c.heard, c.term) for c in heard.corrections] == [("laura", "LoRA")]
    # What the transcriber read stays as it came.
    assert "seconds" in heard.raw.verbatim


def test_a_live_draft_does_not_consult_the_unbiased_reading():
    biased = _said("safety and control") + _said("People frequency", start=1.2, p=0.2)
    t = replace(_reading(biased),
                unbiased=_said("safety and control") + [Word("frequency", 1.2, 1.95, 0.6)])
    final = hear(t, Listening(Glossary(), ROBOTS))
    draft = hear(t, Listening(Glossary(), ROBOTS), draft=True)
    assert final.text == "safety and control frequency"
    assert draft.text == "safety and control People frequency" and draft.draft


def test_unsure_words_are_offered_for_checking_and_the_candidates_fixes_are_kept():
    words = _said("we use laura adapters")
    words[2] = replace(words[2], probability=0.2)
    heard = hear(_reading(words), Listening(low_confidence=0.5))
    assert heard.unsure == ("laura",)
    fixed, done, missing = heard.corrected_by([("laura", "LoRA"), ("qlora", "QLoRA")])
    assert fixed.text == "we use LoRA adapters" and heard.text == "we use laura adapters"
    assert done == ["laura -> LoRA"] and missing == ["qlora -> QLoRA"]
    assert [(c.heard, c.term) for c in fixed.corrections] == [("laura", "LoRA")]


def test_silence_is_heard_as_silence():
    heard = hear(Transcript.nothing(), Listening(Glossary({"LoRA": ["laura"]}), ROBOTS))
    assert heard.silent and heard.text == "" and heard == HeardAnswer(
        Transcript.nothing(), Transcript.nothing(), Transcript.nothing(), draft=False)
