"""A WAV writer that keeps its file valid while it grows.

The header's sizes are rewritten and the file synced every ``sync_every_s``
of audio, so a crash or a pulled plug loses at most that much of a recording.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np


class IncrementalWavWriter:
    """16-bit PCM mono WAV, readable at any moment."""

    def __init__(self, path: Path, sample_rate: int, sync_every_s: float = 0.5):
        self.path = path
        self.sample_rate = sample_rate
        self._fh = path.open("wb")
        self._frames = 0
        self._since_sync = 0
        self._sync_every = int(sync_every_s * sample_rate)
        self._write_header()

    def _write_header(self) -> None:
        data_bytes = self._frames * 2
        self._fh.seek(0)
        self._fh.write(
            b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, self.sample_rate,
                                    self.sample_rate * 2, 2, 16)
            + b"data" + struct.pack("<I", data_bytes)
        )
        self._fh.seek(0, os.SEEK_END)

    def write(self, samples: np.ndarray) -> None:
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
        self._fh.write(pcm.tobytes())
        self._frames += len(pcm)
        self._since_sync += len(pcm)
        if self._since_sync >= self._sync_every:
            self.sync()

    def sync(self) -> None:
        self._write_header()
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._since_sync = 0

    @property
    def duration_s(self) -> float:
        return self._frames / self.sample_rate

    def close(self) -> None:
        if not self._fh.closed:
            self.sync()
            self._fh.close()

    def __enter__(self) -> IncrementalWavWriter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
