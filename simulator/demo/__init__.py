"""`interview demo`: a whole round with a synthetic candidate who answers out loud."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from simulator.audio.sources import AnswerSource, FileAnswer
from simulator.engine.answers import TurnInfo
from simulator.engine.events import TurnKind
from simulator.speech.tts import Synthesizer, VoiceSettings

SCRIPT = Path(__file__).with_name("script.yaml")


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScriptedQuestion(_M):
    id: str
    answer: str
    follow_ups: dict[str, str] = {}


class DemoScript(_M):
    bank: str
    voice: str
    rate: int
    fallback: str
    questions: list[ScriptedQuestion]


def load_script() -> DemoScript:
    return DemoScript.model_validate(yaml.safe_load(SCRIPT.read_text(encoding="utf-8")))


class ScriptedCandidate:
    """Answers each turn with TTS of a scripted answer, spoken aloud when a player is given."""

    def __init__(self, script: DemoScript, synthesizer: Synthesizer, frame_len: int,
                 player: Callable[[Path, threading.Event], None] | None = None):
        self.script = script
        self.synth = synthesizer
        self.frame_len = frame_len
        self.player = player
        self.label = "demo candidate (scripted text to speech)"
        self._dir = Path(tempfile.mkdtemp(prefix="interview-demo-"))
        self._by_id = {q.id: q for q in script.questions}
        self._cancel = threading.Event()

    def text_for(self, turn: TurnInfo) -> str:
        q = self._by_id.get(turn.question_id)
        if q is None:
            return self.script.fallback
        if turn.kind == TurnKind.QUESTION:
            return q.answer
        return q.follow_ups.get(turn.target_point or "", self.script.fallback)

    def next_answer(self, turn: TurnInfo) -> AnswerSource | None:
        path = self._dir / f"{turn.turn:02d}.wav"
        self.synth.render(self.text_for(turn), path,
                          VoiceSettings(self.script.voice, self.script.rate, 1.0))
        if self.player is not None:
            self.player(path, self._cancel)
        return FileAnswer(path, self.frame_len, realtime=False)

    def close(self) -> None:
        pass
