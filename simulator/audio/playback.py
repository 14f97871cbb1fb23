"""Playing audio files through the speaker, when there is one."""

from __future__ import annotations

import threading
from pathlib import Path

from simulator.audio.sources import parse_device

#: How long past the file's length to wait before stopping: the device's buffer still
#: holds the last of it.
DRAIN_S = 0.5
#: How often a playing file checks for a cancel: often enough to stop at once to the ear.
POLL_S = 0.05


def output_available(device: str = "") -> bool:
    """True when PortAudio can open an output device."""
    try:
        import sounddevice as sd

        info = sd.query_devices(parse_device(device), kind="output")
        return bool(info and info["max_output_channels"] > 0)
    except Exception:  # PortAudio missing or no device: treated the same
        return False


def play_file(path: Path, device: str = "", cancel: threading.Event | None = None,
              speed: float = 1.0, start_s: float = 0.0) -> bool:
    """Play a WAV file to the end (or until cancelled); False when nothing could play.

    ``start_s`` starts that many seconds into the file (for seeking).
    """
    import sounddevice as sd
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="float32")
    if start_s > 0:
        data = data[int(start_s * rate):]
    try:
        sd.play(data, int(rate * speed), device=parse_device(device))
    except (sd.PortAudioError, ValueError):
        return False
    duration = len(data) / (rate * speed)
    done = threading.Event()
    waited = 0.0
    while waited < duration + DRAIN_S:
        if cancel is not None and cancel.is_set():
            sd.stop()
            return True
        done.wait(POLL_S)
        waited += POLL_S
    sd.stop()
    return True
