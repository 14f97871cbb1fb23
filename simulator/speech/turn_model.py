"""Whether the candidate has finished their turn, judged from how the answer sounds.

Smart Turn v3.2 (a small Whisper-encoder classifier, BSD-2, from the pipecat-ai
wheel; scripts/setup puts it in the virtual environment) hears the last seconds
of an answer, words and intonation together, and gives the probability that the
speaker has finished: a sentence brought to its end scores high, one that trails
off on "and, um, so" low. It is meant to be asked when the voice stops, with the
short pause so far at the end of the audio, not after seconds of silence.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import UserError
from simulator.locations import APP_NAME

#: The model file's name, as the pipecat-ai wheel ships it.
MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
#: The rate the model was trained at; answers are read at this rate already.
SAMPLE_RATE = 16_000
#: The model hears the last 8 s of an answer (its input is 800 frames of 10 ms).
WINDOW_S = 8
#: Keeps the waveform's normalisation finite on silence (the value Whisper's extractor uses).
_NORM_EPS = 1e-7
#: One thread: a call takes tens of milliseconds, and the transcriber wants the cores.
_THREADS = 1


def model_path() -> Path:
    """Where scripts/setup puts the model file: inside the virtual environment."""
    return Path(sys.prefix) / "share" / APP_NAME / MODEL_FILE


class TurnModel:
    """One ONNX session of Smart Turn, loaded once and shared by every thread."""

    def __init__(self, path: Path | None = None):
        self.path = path or model_path()
        self._session: Any = None
        self._features: Any = None
        self._loading = threading.Lock()

    def load(self) -> None:
        with self._loading:
            if self._session is not None:
                return
            if not self.path.is_file():
                raise UserError("the Smart Turn model file is missing; run scripts/setup",
                                path=self.path)
            import onnxruntime as ort
            from faster_whisper.feature_extractor import FeatureExtractor

            options = ort.SessionOptions()
            options.intra_op_num_threads = _THREADS
            options.inter_op_num_threads = _THREADS
            try:
                session = ort.InferenceSession(str(self.path), sess_options=options,
                                               providers=["CPUExecutionProvider"])
            except Exception as exc:  # onnxruntime raises its own kinds for a bad file
                raise UserError(f"cannot load the Smart Turn model ({exc}); run scripts/setup",
                                path=self.path) from None
            # Whisper's log-mel features over an 8 s window: 80 mel bands by 800 frames.
            self._features = FeatureExtractor(chunk_length=WINDOW_S)
            self._session = session

    def finished(self, audio: np.ndarray) -> float:
        """The probability (0..1) that the speaker has finished, given the answer so far
        (16 kHz mono). Only the last WINDOW_S seconds count; a shorter answer is heard
        after silence, as the model was trained."""
        self.load()
        window = _window(np.asarray(audio, dtype=np.float32))
        # Zero mean and unit variance over the whole window, padding included, before
        # the spectrogram; no padding after it (faster-whisper adds 10 ms unless told).
        window = (window - window.mean()) / np.sqrt(window.var() + _NORM_EPS)
        features = self._features(window, padding=0)
        # The output is named "logits" but the graph ends in a sigmoid: a probability.
        out = self._session.run(None, {"input_features": features[np.newaxis]})[0]
        return float(np.clip(out.item(), 0.0, 1.0))


def _window(audio: np.ndarray) -> np.ndarray:
    """The last WINDOW_S seconds of ``audio``, zero-padded in front when shorter."""
    if audio.ndim != 1:
        raise ValueError(f"expected mono audio, got shape {audio.shape}")
    n = WINDOW_S * SAMPLE_RATE
    tail = audio[-n:]
    return np.concatenate([np.zeros(n - len(tail), dtype=np.float32), tail])
