"""A WAV writer that keeps its file valid while it grows.

The header's sizes are rewritten and the file synced every ``sync_every_s``
of audio, so a crash or a pulled plug loses at most that much of a recording.
"""

from __future__ import annotations

import errno
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
#: The whole header this writer puts before the samples.
HEADER_BYTES = 44
#: A recording is the user's alone, from its first byte.
PRIVATE_FILE = 0o600


class IncrementalWavWriter:
    """16-bit PCM mono WAV, readable at any moment."""

    def __init__(self, path: Path, sample_rate: int, sync_every_s: float = SYNC_EVERY_S):
        self.path = path
        self.sample_rate = sample_rate
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        self._fh = os.fdopen(fd, "wb")
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
        try:
            self._fh.write(pcm.tobytes())
        except OSError as exc:
            raise self._named(exc) from None
        self._frames += len(pcm)
        self._since_sync += len(pcm)
        if self._since_sync >= self._sync_every:
            self.sync()

    def sync(self) -> None:
        try:
            self._write_header()
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise self._named(exc) from None
        self._since_sync = 0

    def _named(self, exc: OSError) -> OSError:
        """The error with this file's name: a full disk is told as the file it stopped."""
        return OSError(exc.errno or errno.EIO, exc.strerror or str(exc), str(self.path))

    @property
    def duration_s(self) -> float:
        return self._frames / self.sample_rate

    def close(self) -> None:
        if self._fh.closed:
            return
        try:
            self.sync()
        finally:  # a disk that refused the last sync must not leave the file open
            try:
                self._fh.close()
            except OSError:
                pass  # the unwritten tail is what the sync above already reported

    def __enter__(self) -> IncrementalWavWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_exc: object) -> None:
        if exc_type is None:
            self.close()
            return
        try:  # the error already on its way says what went wrong; a second would hide it
            self.close()
        except OSError:
            pass


def samples_on_disk(path: Path) -> tuple[int, int] | None:
    """(whole samples in the file, sample rate) of a WAV this writer made, counted from
    the file's size: after a crash the header lags by up to ``SYNC_EVERY_S``. None for a
    file of another layout, or one that cannot be read."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEADER_BYTES)
            size = os.fstat(fh.fileno()).st_size
    except OSError:
        return None
    if (len(head) < HEADER_BYTES or head[:4] != b"RIFF" or head[8:16] != b"WAVEfmt "
            or head[36:40] != b"data"
            or struct.unpack("<HH", head[20:24]) != (1, 1)
            or struct.unpack("<H", head[34:36])[0] != 8 * SAMPLE_BYTES):
        return None
    rate = struct.unpack("<I", head[24:28])[0]
    return (size - HEADER_BYTES) // SAMPLE_BYTES, rate


def repair_header(path: Path) -> float | None:
    """A recording left unclosed (a kill, a power cut) made whole: its header's sizes set
    to every whole sample on disk, so the last half second the header did not count yet
    is heard too. Its length in seconds; None (the file left as it is) when it is not
    this writer's layout."""
    found = samples_on_disk(path)
    if found is None or found[1] <= 0:
        return None
    frames, rate = found
    data_bytes = frames * SAMPLE_BYTES
    with path.open("r+b") as fh:
        fh.seek(4)
        fh.write(struct.pack("<I", _RIFF_HEADER_REST + data_bytes))
        fh.seek(40)
        fh.write(struct.pack("<I", data_bytes))
        fh.truncate(HEADER_BYTES + data_bytes)  # half a sample torn off by the crash
        fh.flush()
        os.fsync(fh.fileno())
    return frames / rate
