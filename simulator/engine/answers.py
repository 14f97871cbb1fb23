"""Where each turn's answer comes from: a folder of files, or the microphone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from simulator.audio.sources import (
    AnswerSource,
    FileAnswer,
    Microphone,
    MicrophoneAnswer,
    answer_files,
)
from simulator.clock import SYSTEM_CLOCK, Clock
from simulator.engine.events import TurnKind


@dataclass(frozen=True)
class TurnInfo:
    """What the answer is to: lets a scripted candidate answer in kind."""

    turn: int
    kind: TurnKind
    question_id: str
    target_point: str | None


class AnswerProvider(Protocol):
    label: str

    def next_answer(self, turn: TurnInfo) -> AnswerSource | None:
        """The next answer, or None when there are no more (the round ends)."""
        ...

    def close(self) -> None:
        """The round is over: let go of any device."""
        ...


class FolderAnswers:
    """The WAV/FLAC files of a folder, in sorted order, one per turn.

    ``realtime`` files are paced on ``clock``; a test passes one it moves by hand.
    """

    def __init__(self, directory: Path, frame_len: int, realtime: bool,
                 clock: Clock = SYSTEM_CLOCK):
        self.files = answer_files(directory)
        self.frame_len = frame_len
        self.realtime = realtime
        self.clock = clock
        self.label = f"files:{directory}" + (" (real time)" if realtime else "")
        self._next = 0

    def next_answer(self, turn: TurnInfo) -> AnswerSource | None:
        if self._next >= len(self.files):
            return None
        path = self.files[self._next]
        self._next += 1
        return FileAnswer(path, self.frame_len, self.realtime, self.clock)

    def close(self) -> None:
        pass


class MicrophoneAnswers:
    """The live microphone for every turn: one stream, kept open from the first answer to
    the end of the round."""

    def __init__(self, frame_len: int, device: str = ""):
        self.frame_len = frame_len
        self.device = device
        self.label = f"microphone:{device or 'default'}"
        self.microphone = Microphone(frame_len, device)

    def next_answer(self, turn: TurnInfo) -> AnswerSource | None:
        return MicrophoneAnswer(self.microphone, self.device)

    def close(self) -> None:
        self.microphone.close()
