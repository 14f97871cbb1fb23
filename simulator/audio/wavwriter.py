"""A WAV writer that keeps its file valid while it grows.

The header's sizes are rewritten and the file synced every ``sync_every_s``
of audio, so a crash or a pulled plug loses at most that much of a recording.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

#: Header rewritten and file synced after this much audio: a crash loses at most half
#: a second, and two syncs a second cost nothing next to the recording.
SYNC_EVERY_S = 0.5
#: 16-bit PCM: two bytes a sample, full scale 32767.
SAMPLE_BYTES = 2
PCM_FULL_SCALE = 32767.0
#: The size of the header before the data chunk's bytes: RIFF size counts from here.
_RIFF_HEADER_REST = 36


class IncrementalWavWriter:
    """16-bit PCM mono WAV, readable at any moment."""

    def __init__(self, path: Path, sample_rate: int, sync_every_s: float = SYNC_EVERY_S):
        self.path = path
        self.sample_rate = sample_rate
        self._fh = path.open("wb")
        self._frames = 0
        self._since_sync = 0
        self._sync_every = int(sync_every_s * sample_rate)
        self._write_header()

    def _write_header(self) -> None:
        data_bytes = self._frames * SAMPLE_BYTES
        self._fh.seek(0)
        self._fh.write(
            b"RIFF" + struct.pack("<I", _RIFF_HEADER_REST + data_bytes) + b"WAVE"
            # fmt chunk: its size (16), PCM (1), mono (1), rate, bytes a second, bytes a
            # frame, bits a sample.
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, self.sample_rate,
                                    self.sample_rate * SAMPLE_BYTES, SAMPLE_BYTES,
                                    8 * SAMPLE_BYTES)
            + b"data" + struct.pack("<I", data_bytes)
        )
        self._fh.seek(0, os.SEEK_END)

    def write(self, samples: np.ndarray) -> None:
        pcm = (np.clip(samples, -1.0, 1.0) * PCM_FULL_SCALE).astype("<i2")
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
