"""The bank format (see README, 'Writing your own bank')."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Level = Literal["intro", "core", "senior"]

# Characters and abbreviations a TTS voice reads badly or literally.
_UNSPEAKABLE = re.compile(
    r"[*`#_\[\]{}()<>|~\\&%@^=+\u2022]|\be\.g\.|\bi\.e\.|\betc\b\.?|\bvs\b\.?|\bw/|\s-\s|\.\.\."
)


#: A title names a question in a list or a heading: the longest shipped one is 33
#: characters, and 40 still fits beside a coverage bar at 80 columns.
MAX_TITLE_CHARS = 40
#: Characters a one-line title cannot hold: line breaks and Markdown that would change a
#: report's layout.
_TITLE_BREAKERS = re.compile(r"[\n\r\t*`#\[\]<>|]")

#: The longest shipped prompt is 48 words; 250 is about two minutes aloud, which espeak
#: renders in 0.2 s (its time grows faster than the text: 20,000 words took over 300 s).
MAX_SPOKEN_WORDS = 250
#: The longest shipped prompt is 278 characters; this also bounds one endless 'word'.
MAX_SPOKEN_CHARS = 2000


def spoken_length_problem(text: str) -> str | None:
    """Why ``text`` is too long to be said in one breath of the interview, or None."""
    words = len(text.split())
    if words > MAX_SPOKEN_WORDS:
        return (f"is {words} words long; a spoken text may have at most {MAX_SPOKEN_WORDS} "
                "(about two minutes aloud); shorten it")
    if len(text) > MAX_SPOKEN_CHARS:
        return (f"is {len(text)} characters long; a spoken text may have at most "
                f"{MAX_SPOKEN_CHARS}; shorten it")
    return None


def speakability_problem(text: str) -> str | None:
    """Why ``text`` would sound wrong read aloud by TTS, or None."""
    too_long = spoken_length_problem(text)
    if too_long:
        return too_long
    if not text.isascii():
        return "contains a non-ASCII character; spell it out"
    m = _UNSPEAKABLE.search(text)
    if m:
        return f"contains {m.group(0).strip()!r}, which text-to-speech reads badly; reword it"
    if "/" in text:
        return "contains '/'; say 'or' or 'per' instead"
    return None


def title_problem(text: str) -> str | None:
    """Why ``text`` cannot be a question's title, or None."""
    if not text.strip():
        return "is empty; write a few words, or leave the title out"
    if len(text) > MAX_TITLE_CHARS:
        return (f"is {len(text)} characters long; a title may have at most "
                f"{MAX_TITLE_CHARS}, like 'RAG design'")
    m = _TITLE_BREAKERS.search(text)
    if m:
        return f"contains {m.group(0)!r}; a title is one line of plain words"
    return None


def title_from_id(question_id: str) -> str:
    """A readable stand-in for a question with no title: its id as words."""
    words = question_id.replace("-", " ")
    return words[:1].upper() + words[1:]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricPoint(_Model):
    """One thing a strong answer claims."""

    id: str = Field(pattern=ID_PATTERN)
    """Short id, unique within the question."""
    weight: int = Field(ge=1, le=3)
    """Importance: 1 nice to have, 2 expected, 3 essential."""
    covers: str = Field(min_length=3)
    """What a strong answer claims, as one sentence."""
    terms: list[str] = Field(min_length=1)
    """Words and everyday phrasings that show the point."""


class FollowUp(_Model):
    """A probe aimed at one rubric point."""

    target: str
    """The rubric point id this follow-up probes."""
    prompt: str = Field(min_length=3)
    """What the interviewer says."""
    answer: str = ""
    """A short reference answer."""


class Source(_Model):
    """Where a question comes from."""

    seed: str
    """The source document's file name."""
    item: int = Field(ge=1)
    """The question's position in that document."""
    section: str | None = None
    """The section or level it sits under, when the document has them."""


class Question(_Model):
    """One interview question with its rubric and follow-ups."""

    id: str = Field(pattern=ID_PATTERN)
    """Unique across all banks."""
    title: str | None = None
    """A few plain words naming the question on screens and in reports ('RAG design');
    optional, the id stands in when it is missing."""
    level: Level = "core"
    """intro, core or senior."""
    roles: list[str] = []
    """Role tags, such as ai-engineer."""
    prompt: str = Field(min_length=3)
    """Exactly what the interviewer says aloud."""
    budget_s: int = Field(120, ge=10, le=900)
    """Time budget for the answer, in seconds."""
    source: Source | None = None
    """Where it comes from (optional for user banks)."""
    rubric: list[RubricPoint] = Field(min_length=1)
    """What a strong answer covers."""
    mistakes: list[str] = []
    """Common weak or wrong answers."""
    follow_ups: list[FollowUp] = []
    """Probes, each aimed at one rubric point."""

    @field_validator("prompt")
    @classmethod
    def _speakable(cls, v: str) -> str:
        v = " ".join(v.split())
        problem = speakability_problem(v)
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("title")
    @classmethod
    def _one_line(cls, v: str | None) -> str | None:
        if v is None:
            return None
        problem = title_problem(v)  # before spaces are evened out, so a line break shows
        if problem:
            raise ValueError(problem)
        return " ".join(v.split())

    @property
    def label(self) -> str:
        """What people read for this question: its title, or its id as words."""
        return self.title or title_from_id(self.id)

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        ids = [p.id for p in self.rubric]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"rubric point ids repeat: {', '.join(sorted(dupes))}")
        for n, f in enumerate(self.follow_ups):
            if f.target not in ids:
                raise ValueError(
                    f"follow_ups[{n}].target {f.target!r} is not a rubric point of this question "
                    f"(points: {', '.join(ids)})"
                )
            problem = speakability_problem(" ".join(f.prompt.split()))
            if problem:
                raise ValueError(f"follow_ups[{n}].prompt {problem}")
        return self

    def terms(self) -> list[str]:
        """Every rubric term, most important points first, each once."""
        out: list[str] = []
        for p in sorted(self.rubric, key=lambda p: -p.weight):
            out += [t for t in p.terms if t not in out]
        return out

    def point(self, point_id: str) -> RubricPoint:
        return next(p for p in self.rubric if p.id == point_id)

    @property
    def total_weight(self) -> int:
        return sum(p.weight for p in self.rubric)


class Bank(_Model):
    """One bank file: one topic."""

    topic: str = Field(pattern=ID_PATTERN)
    """This file's topic id."""
    title: str = ""
    """A human title for the topic."""
    glossary: dict[str, list[str]] = {}
    """Canonical terms and the ways speech recognition commonly mishears them."""
    questions: list[Question] = Field(min_length=1)
    """The topic's questions."""
