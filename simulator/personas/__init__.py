"""Interviewer personas (voices/*.toml): how the interviewer sounds and talks."""

from __future__ import annotations

import random
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from simulator import locations
from simulator.banks.model import spoken_length_problem
from simulator.config import read_toml
from simulator.errors import UserError
from simulator.speech.tts import VoiceSettings

#: A named field in a persona's text: {count}. Anything else in braces is the user's
#: text, never code: it is filled by plain replacement, never str.format.
_FIELD = re.compile(r"\{([^{}]*)\}")
#: The fields each text may use; a text not named here has none. {questions} is the
#: count with its noun ("1 question", "3 questions"), so a persona need not guess it.
FIELDS = {"opening": ("count", "questions"), "time_warning": ("seconds",)}
#: "{count} questions" written in a persona before {questions} existed, said for one.
_ONE_PLURAL = re.compile(r"\b1 questions\b")


def fill(template: str, **values: object) -> str:
    """The template with each {name} given in ``values`` replaced; other text, braces
    included, stays as written."""
    return _FIELD.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], template)


def _text_problem(text: str, known: tuple[str, ...]) -> str | None:
    """Why a persona's text cannot be said, or None."""
    if not text.strip():
        return "is empty; write what the interviewer says"
    for m in _FIELD.finditer(text):
        if m[1] not in known:
            fields = " or ".join(f"{{{k}}}" for k in known)
            return (f"uses {m[0]}, which is not a field here; " + (
                f"use {fields}" if known else "this text has no fields") + ", or drop the braces")
    return spoken_length_problem(text)


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VoiceSection(_M):
    voice: str = ""
    """TTS voice id or name, or part of one (espeak-ng: 'en-us', 'en-gb', ...)."""
    rate: int = Field(165, ge=80, le=400)
    """Words per minute."""
    volume: float = Field(1.0, ge=0.0, le=1.0)
    """0.0 to 1.0."""


class StyleSection(_M):
    opening: str = "Let's begin. We'll go through {questions}."
    """Said before the first question; {questions} is "1 question" or "3 questions",
    {count} the number alone."""
    transitions: list[str] = Field(default_factory=lambda: ["Let me follow up on that."])
    """Said before a follow-up, one at random, so turns do not sound canned."""
    next_question: list[str] = Field(default_factory=lambda: ["Next question."])
    """Said before moving to the next question."""
    closing: str = "That's the end of the round. Thank you."
    """Said when the round ends."""
    time_warning: str = "About {seconds} seconds left."
    """Said over the answer near its time limit (timing 'warning' or 'cut_in')."""
    cut_in: str = "Let me stop you there; we're at time."
    """Said when the time limit ends an answer (timing 'cut_in'); the round moves on."""

    @field_validator("*")
    @classmethod
    def _sayable(cls, value: str | list[str], info: ValidationInfo) -> str | list[str]:
        known = FIELDS.get(info.field_name or "", ())
        for text in [value] if isinstance(value, str) else value:
            problem = _text_problem(text, known)
            if problem:
                raise ValueError(problem)
        return value

    def opening_for(self, count: int) -> str:
        said = fill(self.opening, count=count,
                    questions=f"{count} question{'' if count == 1 else 's'}")
        return _ONE_PLURAL.sub("1 question", said) if count == 1 else said

    def time_warning_for(self, seconds: int) -> str:
        return fill(self.time_warning, seconds=seconds)


class Persona(_M):
    id: str = ""
    """The file name without .toml."""
    name: str
    """Shown on screen."""
    description: str = ""
    """One line on the interviewing style."""
    voice: VoiceSection = VoiceSection()
    style: StyleSection = StyleSection()

    @field_validator("name", "description")
    @classmethod
    def _bounded(cls, value: str) -> str:
        # Shown on screen and sent to the LLM with every judgement.
        problem = spoken_length_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    def voice_settings(self, rate_scale: float = 1.0) -> VoiceSettings:
        return VoiceSettings(self.voice.voice, int(self.voice.rate * rate_scale),
                             self.voice.volume)

    def transition(self, rng: random.Random, avoid: str = "") -> str:
        return _pick(self.style.transitions, rng, avoid)

    def next_question(self, rng: random.Random, avoid: str = "") -> str:
        return _pick(self.style.next_question, rng, avoid)


def _pick(options: list[str], rng: random.Random, avoid: str) -> str:
    """One phrase at random, never the one just said, so turns do not sound canned."""
    fresh = [o for o in options if o != avoid] or options
    return rng.choice(fresh) if fresh else ""


def load_persona(name_or_path: str) -> Persona:
    path = Path(name_or_path).expanduser()
    if path.suffix != ".toml":
        path = locations.voices_dir() / f"{name_or_path}.toml"
    if not path.exists():
        names = ", ".join(sorted(p.stem for p in locations.voices_dir().glob("*.toml")))
        raise UserError(f"no persona {name_or_path!r}; use one of: {names}, or a .toml path",
                        field="interview.persona")
    raw = read_toml(path)
    try:
        return Persona.model_validate({"id": path.stem, **raw})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise UserError(err["msg"].removeprefix("Value error, "), path=path,
                        field=key) from None


def list_personas() -> list[Persona]:
    return [load_persona(str(p)) for p in sorted(locations.voices_dir().glob("*.toml"))]
