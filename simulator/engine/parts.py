"""What a round is made of: its backends and its settings, as the engine receives them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from simulator.assess.policy import Judge
from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndpointConfig
from simulator.banks.model import Question
from simulator.delivery.metrics import DeliveryConfig
from simulator.engine.answers import AnswerProvider
from simulator.personas import Persona
from simulator.speech.glossary import Glossary
from simulator.speech.stt import Transcriber
from simulator.speech.tts import Synthesizer
from simulator.speech.turn_model import TurnModel

Player = Callable[[Path, threading.Event], None]


@dataclass(frozen=True)
class ListenOptions:
    """How answers are heard."""

    frame_ms: int = 30
    """Length of each frame of the answer: fine enough to time speech to a few hundredths."""
    silence_s: float = 1.0
    """Silence after speech that ends an answer that sounds finished."""
    pre_roll_s: float = 0.3
    """Audio kept before the first speech, so the first syllable is not clipped."""
    no_speech_timeout_s: float = 15.0
    """An answer with no speech at all ends after this long."""
    max_answer_factor: float = 1.5
    """The hard limit on an answer, as a multiple of the question's budget."""
    speech_threshold_db: float = -45.0
    """A frame quieter than this is never speech, whatever the room's noise floor."""
    speculate: bool = True
    """Transcribe at each pause, so the transcript is ready if the pause is the end."""
    streaming: bool = True
    """Transcribe while the candidate speaks, a stretch at a time (engine/streaming.py)."""
    thinking_s: float = 5.0
    """Silence that ends an answer left mid-thought (engine/turn_end.py)."""
    partial_every_s: float = 0.0
    """While the candidate speaks, transcribe this often for a live view (0: only at pauses)."""
    resume_s: float = 2.5
    """Speech this soon after an end decided by silence takes the turn back (0: never)."""
    finished_s: float = 0.6
    """Silence that ends an answer whose last words end a sentence, once it covers what
    was asked (engine/turn_end.py)."""

    @property
    def frame_len(self) -> int:
        return SAMPLE_RATE * self.frame_ms // 1000

    def endpoint(self, budget_s: int) -> EndpointConfig:
        return EndpointConfig(self.silence_s, self.no_speech_timeout_s,
                              budget_s * self.max_answer_factor, self.speech_threshold_db)


@dataclass(frozen=True)
class SoFar:
    """What the session a round continues holds already (a retry asks a question again in
    the same session); the defaults are a new session's."""

    turns: int = 0
    """Its last turn's number: this round's turns go on from it."""
    elapsed_s: float = 0.0
    """Its last event's time: this round's times go on from it, so replay keeps the order."""
    attempts: dict[str, int] = field(default_factory=dict)
    """Per question id, the attempts at it recorded already."""
    audio_prefix: str = ""
    """Put before the names of the interviewer's audio, so a later round in the folder
    never writes over an earlier one's opening or closing."""


@dataclass
class RoundParts:
    """Everything a round is made of; each backend behind its small interface."""

    session_id: str
    session_dir: Path
    bank_label: str
    questions: list[Question]
    persona: Persona
    synthesizer: Synthesizer
    transcriber: Transcriber
    policy: Judge
    answers: AnswerProvider
    player: Player | None = None
    listen: ListenOptions = field(default_factory=ListenOptions)
    rate_scale: float = 1.0
    seed: int | None = None
    glossary: Glossary = field(default_factory=Glossary)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    vocabulary: bool = True
    """Bias transcription toward each question's words and correct near-misses on them."""
    expected_terms: dict[str, list[str]] = field(default_factory=dict)
    """Per question id, terms beyond its rubric to listen for (its bank's glossary)."""
    timing: str = "countdown"
    """'countdown', 'warning' (said near the limit) or 'cut_in' (stopped at it, moving on)."""
    warning_at: float = 0.8
    """Share of the budget after which the time warning is said."""
    low_confidence: float = 0.5
    """Words heard with less probability than this are offered for checking."""
    turn_model: TurnModel | None = None
    """Hears at each pause whether the answer sounds finished; None: silence and words alone."""
    so_far: SoFar = field(default_factory=SoFar)
    """The session this round continues; a new session by default."""
