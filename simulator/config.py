"""Configuration: shipped defaults < user file < --config file < environment < flags.

Each layer is a TOML file (or INTERVIEW_* environment variables, ``__`` for
nesting, such as ``INTERVIEW_STT__DEVICE=cpu``). Unknown keys and bad values
are errors that name the file and the key.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from simulator import locations
from simulator.errors import UserError
from simulator.files import decode, read_bytes

ENV_PREFIX = "INTERVIEW_"
#: The shipped config is 2.8 KB and a persona under 1 KB; 256 KB is room for any
#: hand-written one, and reading stops there, so /dev/zero ends at once.
MAX_TOML_BYTES = 256 * 1024
#: Settings nest 3 deep (section, key, list); tomllib recurses once per level, so a
#: file nested thousands deep is refused before anything reads it further.
MAX_TOML_DEPTH = 8
#: An environment variable that points at one more config file (like --config).
CONFIG_ENV = "INTERVIEW_CONFIG"

# The delivery coach's default phrases live here, below the coach, so that the
# settings need not import it (simulator.delivery reads them from here).
#: Filler phrases counted besides um, uh, er and hmm ('like' only as a filler).
FILLER_PHRASES = ("you know", "i mean", "sort of", "kind of", "basically", "actually",
                  "anyway", "like", "so")
#: Phrases that soften a claim.
HEDGE_PHRASES = ("i think maybe", "i guess", "i'm not sure", "i am not sure", "probably",
                 "i suppose", "kind of maybe", "i don't know", "i do not know", "perhaps")


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("an entry is empty; remove it or write the phrase")
    return value


#: A list entry or key that must say something: an empty filler phrase, for one,
#: would match between every two words and fail the round at its first answer.
NonBlank = Annotated[str, AfterValidator(_non_blank)]


def _within_cores(threads: int) -> int:
    cores = os.cpu_count() or 1
    if threads > cores:
        raise ValueError(f"is more than this machine's {cores} cores; use 0 (automatic) or at "
                         f"most {cores}")
    return threads


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SttConfig(_Section):
    """Speech to text (faster-whisper)."""

    model: str = "tiny.en"
    """'tiny.en' (bundled, no download), a faster-whisper size name, or a CTranslate2 folder."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the model runs; 'cuda' falls back to the CPU with a notice when there is no GPU."""
    compute_type: str = "auto"
    """CTranslate2 compute type; 'auto' is int8 on the CPU and float16 on CUDA."""
    beam_size: int = Field(5, ge=1, le=10)
    """Beam width for decoding the final transcript."""
    cpu_threads: Annotated[int, AfterValidator(_within_cores)] = Field(0, ge=0)
    """CPU threads for each reading of an answer; 0 gives each half the cores (the two
    readings run side by side)."""
    language: str = "en"
    """Spoken language of the answers."""
    verbatim: bool = True
    """Keep filler words (um, uh) with their times for the delivery coach; the judge
    never sees them."""
    allow_download: bool = False
    """Let faster-whisper download a model named by size; off, so no network unless asked."""
    model_folders: list[NonBlank] = []
    """Extra CTranslate2 model folders for `interview models` to list."""
    vocabulary: bool = True
    """Bias the decoder toward the question's words and correct near-misses on its terms."""
    cross_check: bool = True
    """Read each final answer a second time without the bias, and take a term of the
    question that only this reading heard over words the biased one was unsure of."""
    low_confidence: float = Field(0.5, ge=0.0, le=1.0)
    """A word heard with less probability than this is marked for the candidate to check,
    unless it is one of the question's terms or a correction put it there; a word the
    cross-check's second reading heard otherwise is marked up to 0.98 (speech/unsure.py)."""


class AudioConfig(_Section):
    """Microphone, speaker and end-of-answer detection."""

    input_device: str = ""
    """Input device name or index; empty for the system default."""
    output_device: str = ""
    """Output device name or index; empty for the system default."""
    frame_ms: int = Field(30, ge=10, le=100)
    """Length of one audio frame flowing through the engine."""
    silence_s: float = Field(1.0, ge=0.3, le=30)
    """Silence after speech that ends an answer that sounds finished. Short, so the
    interviewer answers within a breath: a candidate who was only thinking takes the turn
    back by speaking again within resume_s."""
    pre_roll_s: float = Field(0.3, ge=0, le=2)
    """Audio kept from before speech starts, so the first word is not clipped."""
    no_speech_timeout_s: float = Field(15.0, ge=1, le=120)
    """An answer with no speech at all ends (as silent) after this long."""
    max_answer_factor: float = Field(1.5, ge=1.0, le=5.0)
    """Hard time limit per answer, as a multiple of the question's budget."""
    speech_threshold_db: float = Field(-45.0, ge=-90, le=0)
    """Level (dBFS) below which a frame never counts as speech, however quiet the room."""
    speculate: bool = True
    """Transcribe during the end-of-answer silence, so the text is ready when it ends."""
    streaming: bool = True
    """Transcribe the answer while it is spoken, a stretch at a time, so only its last
    stretch is left when it ends; off: the whole answer is read at its end (or pause)."""
    thinking_s: float = Field(5.0, ge=0.3, le=60)
    """Silence that ends an answer left mid-thought: a trailing 'and', 'so' or 'um', or a
    voice the turn model hears as unfinished. Never shorter than silence_s."""
    finished_s: float = Field(0.6, ge=0.4, le=30)
    """Silence that ends an answer whose reading ends on a finished sentence, once it
    covers what was asked (a third of its rubric, or the point a follow-up probes). Never
    longer than silence_s; not used when resume_s is 0 (an end could not be taken back)."""
    resume_s: float = Field(2.5, ge=0, le=10)
    """After an answer is ended by its silence, speech within this long takes the turn
    back: the interviewer stops and the answer goes on. 0: an end is final."""
    turn_model: bool = False
    """At each pause, also hear whether the answer sounds finished (Smart Turn, on the CPU).
    Off by default: on synthetic voices it hears many finished sentences as unfinished."""


class TtsConfig(_Section):
    """Speech out (pyttsx3)."""

    speak: bool = True
    """Play the interviewer's voice when an output device exists."""
    rate_scale: float = Field(1.0, ge=0.5, le=2.0)
    """Multiplies the persona's speaking rate."""


class InterviewConfig(_Section):
    """How a round runs."""

    persona: str = "coach"
    """Interviewer persona: a file name in voices/ (without .toml) or a path."""
    questions: int = Field(3, ge=1, le=50)
    """Questions per round."""
    max_follow_ups: int = Field(2, ge=0, le=5)
    """Follow-ups per question at most."""
    move_on_coverage: float = Field(0.8, ge=0, le=1)
    """Weighted rubric coverage at which the interviewer moves to the next question."""
    timing: Literal["countdown", "warning", "cut_in"] = "countdown"
    """The answer's time budget: 'countdown' only shows it; 'warning' also says how long is
    left near the end; 'cut_in' also stops the answer at the budget and moves on."""
    warning_at: float = Field(0.8, gt=0, lt=1)
    """Share of the budget after which the spoken warning comes."""


class LlmConfig(_Section):
    """An LLM that judges answers and words follow-ups (through litellm)."""

    model: str = ""
    """Empty: the offline policy. 'auto': a local Ollama or a provider whose API key is set.
    Or any litellm model string: 'openai/gpt-4o-mini', 'anthropic/...', 'ollama/llama3.1'."""
    api_base: str = ""
    """The provider's URL, when not its default (a local server, a proxy)."""
    timeout_s: float = Field(8.0, gt=0, le=120)
    """Longest a judgement may take before the turn is judged offline."""
    retries: int = Field(1, ge=0, le=5)
    """Retries after a rate limit or server error, within the timeout."""
    temperature: float = Field(0.2, ge=0, le=2)
    """Sampling temperature."""
    max_tokens: int = Field(900, ge=100, le=8000)
    """Longest reply."""


class SessionsConfig(_Section):
    """Where rounds are recorded."""

    dir: str = ""
    """Folder holding one folder per session; empty for the platform's data folder."""


class DeliverySettings(_Section):
    """What the delivery coach counts, and its reference points."""

    pause_s: float = Field(1.0, ge=0.2, le=10)
    """A silence at least this long inside an answer is reported as a pause."""
    fillers: list[NonBlank] = list(FILLER_PHRASES)
    """Filler phrases counted besides um, uh, er and hmm ('like', 'so' and 'actually' only
    where they are fillers)."""
    hedges: list[NonBlank] = list(HEDGE_PHRASES)
    """Phrases that soften a claim."""
    fillers_ok_per_min: float = Field(5.0, ge=0)
    """Up to this many fillers a minute cost a speaker little."""
    fillers_bad_per_min: float = Field(12.0, ge=0)
    """Around this many a minute clearly hurts."""


class Settings(BaseSettings):
    """Every setting, in sections."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", frozen=True
    )

    stt: SttConfig = SttConfig()
    audio: AudioConfig = AudioConfig()
    tts: TtsConfig = TtsConfig()
    interview: InterviewConfig = InterviewConfig()
    llm: LlmConfig = LlmConfig()
    delivery: DeliverySettings = DeliverySettings()
    glossary: dict[NonBlank, list[NonBlank]] = {}
    """Your own terms and how they get misheard: [glossary] "LoRA" = ["laura"]."""
    sessions: SessionsConfig = SessionsConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Files are merged by load_settings and arrive as init values; the
        # environment is applied on top of them there too.
        return (init_settings,)

    def sessions_dir(self) -> Path:
        return Path(self.sessions.dir).expanduser() if self.sessions.dir else (
            locations.default_sessions_dir()
        )


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _deep_key(data: dict[str, Any]) -> str | None:
    """The first key nested past MAX_TOML_DEPTH, or None (walked without recursion)."""
    stack: list[tuple[str, Any, int]] = [(k, v, 1) for k, v in data.items()]
    while stack:
        key, value, depth = stack.pop()
        if depth > MAX_TOML_DEPTH:
            return key
        if isinstance(value, dict):
            stack += [(f"{key}.{k}", v, depth + 1) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(f"{key}[{i}]", v, depth + 1) for i, v in enumerate(value)]
    return None


def _too_deep(path: Path, key: str | None) -> UserError:
    return UserError(f"nests more than {MAX_TOML_DEPTH} levels deep; no setting needs that "
                     "many", path=path, field=key)


def read_toml(path: Path) -> dict[str, Any]:
    """A config or persona file, bounded in size and depth; every problem a UserError."""
    text = decode(read_bytes(path, MAX_TOML_BYTES), path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"not valid TOML ({exc}); fix the syntax", path=path) from None
    except RecursionError:  # tomllib recurses once per nested array or table
        raise _too_deep(path, None) from None
    deep = _deep_key(data)
    if deep is not None:
        raise _too_deep(path, deep.split("[")[0])
    return data


def _env_layer(environ: dict[str, str]) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key == CONFIG_ENV:
            continue
        parts = key[len(ENV_PREFIX):].lower().split("__")
        node = layer
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return layer


def _check(data: dict[str, Any], origin: str) -> None:
    try:
        Settings(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _key(err["loc"])
        if err["type"] == "extra_forbidden":
            raise UserError(
                "unknown setting; check the spelling against configs/default.toml",
                path=origin, field=key,
            ) from None
        msg = err["msg"].removeprefix("Value error, ")
        raise UserError(f"{msg} (got {_shown(err.get('input'))})", path=origin,
                        field=key) from None


def _key(loc: tuple[int | str, ...]) -> str:
    """A setting's name as written in TOML: stt.model_folders[0], glossary['']."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}" if out else part
        elif part != "[key]":  # pydantic's marker for a dict's key, which is named already
            out += f"[{part!r}]"
    return out


def _shown(value: Any) -> str:
    """A bad value as the error shows it: whole when short, its start when long."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def load_settings(
    config_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    environ: dict[str, str] | None = None,
    include_user_file: bool = True,
) -> Settings:
    """Build the settings from every layer, later layers winning."""
    environ = dict(os.environ if environ is None else environ)
    files: list[Path] = [locations.default_config_file()]
    user_file = locations.user_config_file()
    if include_user_file and user_file.is_file():
        files.append(user_file)
    if environ.get(CONFIG_ENV):
        files.append(Path(environ[CONFIG_ENV]).expanduser())
    if config_file is not None:
        files.append(config_file)

    merged: dict[str, Any] = {}
    for path in files:
        merged = _deep_merge(merged, read_toml(path))
        _check(merged, str(path))
    merged = _deep_merge(merged, _env_layer(environ))
    _check(merged, "environment")
    merged = _deep_merge(merged, overrides or {})
    _check(merged, "command line")
    return Settings(**merged)
