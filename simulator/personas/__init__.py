"""Interviewer personas (voices/*.toml): how the interviewer sounds and talks."""

from __future__ import annotations

import random
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator import locations
from simulator.errors import UserError
from simulator.speech.tts import VoiceSettings


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
    opening: str = "Let's begin. There are {count} questions."
    """Said before the first question; {count} is the number of questions."""
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


class Persona(_M):
    id: str = ""
    """The file name without .toml."""
    name: str
    """Shown on screen."""
    description: str = ""
    """One line on the interviewing style."""
    voice: VoiceSection = VoiceSection()
    style: StyleSection = StyleSection()

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
    if not path.is_file():
        names = ", ".join(sorted(p.stem for p in locations.voices_dir().glob("*.toml")))
        raise UserError(f"no persona {name_or_path!r}; use one of: {names}, or a .toml path",
                        field="interview.persona")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return Persona.model_validate({"id": path.stem, **raw})
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"not valid TOML ({exc})", path=path) from None
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise UserError(err["msg"], path=path, field=key) from None


def list_personas() -> list[Persona]:
    return [load_persona(str(p)) for p in sorted(locations.voices_dir().glob("*.toml"))]
