"""Hearing an answer: from the transcriber's reading to the words the judge and the screen get.

One call, ``hear``, does all of it in one place and in one order, for the final
transcript and for the live drafts alike:

1. the interviewer's own voice is taken out (a time warning the microphone heard);
2. the glossary's fixes (the banks' and the user's own);
3. near-misses on the question's terms (see ``vocabulary``); a glossary fix can
   complete a term, so this comes second;
4. terms only the unbiased reading heard (see ``cross_check``), on final readings;
5. the text is rebuilt from the words, fillers left out of it.

What was heard is kept beside what was corrected: the delivery coach counts the
words as said, the session keeps both, and the candidate may correct it further.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from simulator.speech import cross_check
from simulator.speech.echo import remove_echo
from simulator.speech.glossary import Glossary
from simulator.speech.transcript import Correction, Transcript, Word
from simulator.speech.unsure import marked
from simulator.speech.vocabulary import UNSURE, Vocabulary, correct


@dataclass(frozen=True)
class Echo:
    """Words the interviewer said while the candidate answered, and when (seconds into the
    answer), so the microphone's copy of them can be taken out."""

    said: str
    start_s: float
    end_s: float

    @classmethod
    def of_warning(cls, said: str, at_s: float) -> Echo:
        """A time warning spoken at ``at_s``: heard from a little before it starts (timings
        are loose) until it has surely ended (about two words a second, and a margin)."""
        return cls(said, at_s - _ECHO_LEAD_S, at_s + _ECHO_BASE_S + _ECHO_PER_WORD_S * len(
            said.split()))


#: The echo may be timed this much before the warning was started.
_ECHO_LEAD_S = 0.5
#: A spoken warning lasts at most this long plus...
_ECHO_BASE_S = 2.0
#: ...this much per word (the interviewer's slowest pace, with room for playback delay).
_ECHO_PER_WORD_S = 0.5


@dataclass(frozen=True)
class Listening:
    """What hearing an answer knows beyond its audio: what the question leads one to
    expect, how the user's field's words are misheard, and what the interviewer said over it."""

    glossary: Glossary = field(default_factory=Glossary)
    vocabulary: Vocabulary = field(default_factory=Vocabulary.empty)
    echoes: tuple[Echo, ...] = ()
    low_confidence: float = 0.5
    """A word heard less surely than this is marked for the candidate to check, unless it
    belongs to the question's terms (``unsure`` marks a disputed word up to 0.98 too)."""

    def with_echo(self, echo: Echo) -> Listening:
        return replace(self, echoes=(*self.echoes, echo))


@dataclass(frozen=True)
class HeardAnswer:
    """An answer as heard: each stage's result kept, nothing edited in place."""

    raw: Transcript
    """The transcriber's reading as it came (fillers kept, nothing corrected)."""
    said: Transcript
    """The reading without the interviewer's echo: the words as the candidate said them,
    fillers included, which the delivery coach measures."""
    transcript: Transcript
    """The corrected transcript: what the judge reads and the screen shows."""
    corrections: tuple[Correction, ...] = ()
    """Every change from ``said`` to ``transcript``, in the order made."""
    unsure: tuple[str, ...] = ()
    """Words of ``transcript`` likely misheard (``Word.unsure``), in order."""
    draft: bool = False
    """A live view of an answer still going on (no cross-check)."""

    @property
    def text(self) -> str:
        return self.transcript.text

    @property
    def verbatim(self) -> str:
        """What the candidate said, fillers included, before any correction."""
        return self.said.verbatim

    @property
    def silent(self) -> bool:
        return self.transcript.silent

    @property
    def unbiased(self) -> list[Word]:
        """The second reading, made without the vocabulary bias, when one was made."""
        return self.said.unbiased

    @classmethod
    def nothing(cls) -> HeardAnswer:
        """An answer in which no speech was heard."""
        t = Transcript.nothing()
        return cls(t, t, t)

    def corrected_by(self, fixes: list[tuple[str, str]]
                     ) -> tuple[HeardAnswer, list[str], list[str]]:
        """The candidate's own corrections, (heard, meant) pairs, applied to the transcript:
        the new answer, the corrections made and those whose words were not found, each
        as 'heard -> meant'."""
        t, done, missing, made = fixed_by_candidate(self.transcript, fixes)
        unsure = tuple(w.word for w in t.words if w.unsure)
        return (replace(self, transcript=t, corrections=(*self.corrections, *made),
                        unsure=unsure), done, missing)


def hear(reading: Transcript, listening: Listening, draft: bool = False) -> HeardAnswer:
    """``reading`` heard right: echo out, glossary, near-misses, and (unless ``draft``) the
    cross-check, in that order; then the words likely misheard are marked."""
    said = reading
    for echo in listening.echoes:
        said = remove_echo(said, echo.said, echo.start_s, echo.end_s)
    t, fixes = listening.glossary.correct(said)
    t, near = correct(t, listening.vocabulary)
    fixes += near
    other: list[Word] = []
    if not draft:
        other = other_reading(t, listening)
        t, checked = _cross_checked(t, other, listening)
        fixes += checked
    t = replace(t, words=marked(t.words, said.words, other, listening.low_confidence,
                                listening.vocabulary.terms))
    unsure = tuple(w.word for w in t.words if w.unsure)
    return HeardAnswer(reading, said, t, tuple(fixes), unsure, draft)


def other_reading(t: Transcript, listening: Listening) -> list[Word]:
    """The unbiased reading, corrected as the biased one was: what counts is whether it
    heard a word, not how it spelled it. Empty when none was made."""
    if not t.unbiased or t.silent:
        return []
    other, _ = listening.glossary.correct(Transcript("").with_words(t.unbiased))
    other, _ = correct(other, listening.vocabulary)
    return other.words


def _cross_checked(t: Transcript, other: list[Word],
                   listening: Listening) -> tuple[Transcript, list[Correction]]:
    """The terms only the unbiased reading heard, put in (see ``cross_check``)."""
    vocabulary, glossary = listening.vocabulary, listening.glossary
    if not other or not vocabulary.terms:
        return t, []
    words, checked = cross_check.corroborated(
        t.words, other, [*vocabulary.terms, *glossary.terms], UNSURE)
    return (t.with_words(words), checked) if checked else (t, [])


def parse_correction(text: str) -> tuple[str, str]:
    """A correction as recorded, 'heard -> meant', as its two sides."""
    heard, _, meant = text.partition(" -> ")
    return heard, meant


def fixed_by_candidate(t: Transcript, fixes: list[tuple[str, str]]
                       ) -> tuple[Transcript, list[str], list[str], list[Correction]]:
    """The candidate's own corrections, (heard, meant) pairs, applied to ``t``: the new
    transcript, the corrections made and those whose words were not found (each as
    'heard -> meant'), and what changed. A word the candidate wrote is no longer unsure.
    The round applies them, and every reader rebuilds the corrected words with this."""
    done: list[str] = []
    missing: list[str] = []
    made: list[Correction] = []
    for heard, meant in fixes:
        before = set(t.words)
        t, applied = Glossary({meant: [heard]}).correct(t)
        made += applied
        (done if applied else missing).append(f"{heard} -> {meant}")
        t = replace(t, words=[w if w in before else replace(w, unsure=False) for w in t.words])
    return t, done, missing, made
