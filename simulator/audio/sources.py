"""Where the candidate's answer audio comes from: files or a microphone.

Both yield 16 kHz mono float32 frames of the same length, so the engine
handles them by one code path; ``realtime`` file sources pace themselves like
a microphone.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.clock import SYSTEM_CLOCK, Clock
from simulator.errors import UserError

AUDIO_SUFFIXES = (".wav", ".flac")


class AnswerSource(Protocol):
    """A stream of frames for one answer."""

    #: True when frames arrive at the speed of speech (microphone, paced files).
    realtime: bool
    #: Where the audio came from, for the session record.
    label: str
    @property
    def status_flags(self) -> list[str]:
        """Input problems (overflows) seen while recording; empty when there were none."""
        ...

    def frames(self, cancel: threading.Event) -> Iterator[np.ndarray]: ...


def read_audio(path: Path) -> np.ndarray:
    """Any WAV/FLAC file as 16 kHz mono float32."""
    import soundfile as sf
    import soxr

    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise UserError(f"cannot read audio ({exc}); use WAV or FLAC", path=path) from None
    mono = data.mean(axis=1)
    if rate != SAMPLE_RATE:
        mono = soxr.resample(mono, rate, SAMPLE_RATE).astype(np.float32)
    return np.ascontiguousarray(mono, dtype=np.float32)


class FileAnswer:
    """One audio file as an answer; paced in real time on ``clock`` when ``realtime``."""

    def __init__(self, path: Path, frame_len: int, realtime: bool = False,
                 clock: Clock = SYSTEM_CLOCK):
        self.path = path
        self.frame_len = frame_len
        self.realtime = realtime
        self.clock = clock
        self.label = str(path)
        #: A file reports no input problems.
        self.status_flags: list[str] = []

    def frames(self, cancel: threading.Event) -> Iterator[np.ndarray]:
        """The file's frames; when paced, frame n is yielded n frames after the first."""
        audio = read_audio(self.path)
        start = self.clock.now()
        frame_s = self.frame_len / SAMPLE_RATE
        for n, i in enumerate(range(0, len(audio), self.frame_len)):
            if cancel.is_set():
                return
            frame = audio[i : i + self.frame_len]
            if len(frame) < self.frame_len:
                frame = np.pad(frame, (0, self.frame_len - len(frame)))
            if self.realtime:
                delay = start + n * frame_s - self.clock.now()
                if delay > 0:
                    self.clock.sleep(delay)
            yield frame


def answer_files(directory: Path) -> list[Path]:
    """The WAV/FLAC files of a folder in sorted order: one per turn."""
    if not directory.is_dir():
        raise UserError("not a folder of answer files", path=directory, field="--answers")
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        raise UserError("holds no .wav or .flac files", path=directory, field="--answers")
    return files


def parse_device(spec: str) -> int | str | None:
    if not spec:
        return None
    return int(spec) if spec.isdigit() else spec


#: Blocks kept while no answer is being recorded: a few seconds, so the memory stays
#: bounded between answers however long the interviewer talks.
IDLE_BLOCKS = 100


class Microphone:
    """One input stream for the whole round, opened at the first answer and kept open, so
    each later answer starts with the stream already running: a candidate who starts at
    once loses no word to a stream starting up (tens to hundreds of ms)."""

    def __init__(self, frame_len: int, device: str = ""):
        self.frame_len = frame_len
        self.device = parse_device(device)
        self._blocks: queue.Queue[np.ndarray] = queue.Queue()
        self._stream: Any = None
        self._lock = threading.Lock()
        self._listening = False
        #: Input problems (overflows) seen since the stream opened.
        self.status_flags: list[str] = []

    def _callback(self, indata: np.ndarray, frames: int, t: object, status: object) -> None:
        if status:
            self.status_flags.append(str(status))
        if not self._listening and self._blocks.qsize() >= IDLE_BLOCKS:
            try:  # nobody is listening: the oldest block goes
                self._blocks.get_nowait()
            except queue.Empty:
                pass
        # While an answer is recorded nothing is dropped, however far behind the reader is.
        self._blocks.put(indata[:, 0].copy())

    def _open(self) -> None:
        import sounddevice as sd

        with self._lock:
            if self._stream is not None:
                return
            try:
                self._stream = sd.InputStream(
                    device=self.device, samplerate=SAMPLE_RATE, channels=1, dtype="float32",
                    blocksize=self.frame_len, callback=self._callback,
                )
                self._stream.start()
            except (sd.PortAudioError, ValueError) as exc:
                self._stream = None
                raise UserError(
                    f"cannot open the microphone ({exc}); run `interview devices` and set "
                    "audio.input_device", field="audio.input_device",
                ) from None

    def frames(self, cancel: threading.Event) -> Iterator[np.ndarray]:
        """The blocks heard from now on (what was heard before this call is dropped: it
        belongs to no answer), until ``cancel``."""
        self._open()
        while True:
            try:
                self._blocks.get_nowait()
            except queue.Empty:
                break
        self._listening = True
        try:
            while not cancel.is_set():
                try:
                    block = self._blocks.get(timeout=0.5)
                except queue.Empty:
                    continue
                yield block
        finally:
            self._listening = False

    def close(self) -> None:
        with self._lock:
            if self._stream is not None:
                self._stream.close()
                self._stream = None


class MicrophoneAnswer:
    """One answer from the round's microphone."""

    realtime = True

    def __init__(self, microphone: Microphone, device: str = ""):
        self.microphone = microphone
        self.label = f"microphone:{device or 'default'}"
        self._flags_before = len(microphone.status_flags)

    @property
    def status_flags(self) -> list[str]:
        """Input problems (overflows) seen while this answer was recorded."""
        return self.microphone.status_flags[self._flags_before:]

    def frames(self, cancel: threading.Event) -> Iterator[np.ndarray]:
        self._flags_before = len(self.microphone.status_flags)
        yield from self.microphone.frames(cancel)
