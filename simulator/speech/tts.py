"""Text to speech: pyttsx3 (espeak-ng on Linux) rendered to a WAV file.

Rendering to a file, rather than speaking directly, means the session keeps
exactly the audio the candidate heard, and replay plays the same file.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from simulator.errors import UserError


@dataclass(frozen=True)
class VoiceSettings:
    """How a voice sounds."""

    voice: str = ""
    """A voice id or name (or part of one) from the TTS engine; empty for its default."""
    rate: int = 165
    """Words per minute."""
    volume: float = 1.0
    """0.0 to 1.0."""


#: Longest a sentence may take to render before it counts as failed.
RENDER_TIMEOUT_S = 20.0
#: espeak says it is still playing for a moment after its last callback; never this long.
_IDLE_WAIT_S = 2.0
#: How often to look whether it has stopped: a few milliseconds is a render's whole margin.
_IDLE_POLL_S = 0.005
#: A WAV file no bigger than its header holds no sound: the render failed.
_WAV_HEADER_BYTES = 44


class Synthesizer(Protocol):
    def render(self, text: str, path: Path, voice: VoiceSettings) -> Path: ...


class Pyttsx3Synthesizer:
    """One pyttsx3 engine, used by one thread at a time."""

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()
        self._voice_ids: dict[str, str] = {}
        self._finished = threading.Event()

    def _get_engine(self) -> Any:
        if self._engine is None:
            try:
                import pyttsx3

                self._engine = pyttsx3.init()
                self._engine.connect("finished-utterance", lambda **_: self._finished.set())
            except Exception as exc:  # pyttsx3 raises bare errors when espeak-ng is absent
                raise UserError(
                    f"text to speech is unavailable ({exc}); install espeak-ng "
                    "(`apt-get install espeak-ng`, or run scripts/setup)"
                ) from None
        return self._engine

    def _resolve_voice(self, engine: Any, wanted: str) -> str | None:
        if not wanted:
            return None
        if wanted not in self._voice_ids:
            wanted_l = wanted.lower()
            match = None
            for v in engine.getProperty("voices"):
                if wanted_l in (v.id.lower(), v.id.lower().split("/")[-1], v.name.lower()):
                    match = v.id
                    break
                if match is None and (wanted_l in v.id.lower() or wanted_l in v.name.lower()):
                    match = v.id
            self._voice_ids[wanted] = match or ""
        return self._voice_ids[wanted] or None

    def _wait_idle(self) -> None:
        """Wait until espeak has really finished the previous utterance.

        pyttsx3's run loop cancels whatever espeak is still playing when it
        starts, and espeak reports "playing" for a moment after the last
        callback, so a render started too soon is cancelled half-way.
        """
        try:
            from pyttsx3.drivers import _espeak
        except Exception:  # another platform's driver: nothing to wait for
            return
        deadline = time.monotonic() + _IDLE_WAIT_S
        while _espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(_IDLE_POLL_S)

    def _render_once(self, engine: Any, text: str, path: Path) -> bool:
        self._wait_idle()
        self._finished.clear()
        path.unlink(missing_ok=True)
        with contextlib.redirect_stdout(io.StringIO()):
            engine.save_to_file(text, str(path))
            engine.runAndWait()
            # The espeak driver synthesises on espeak's own thread; the
            # finished-utterance notification comes after the file is written.
            self._finished.wait(RENDER_TIMEOUT_S)
        return path.exists() and path.stat().st_size > _WAV_HEADER_BYTES

    def render(self, text: str, path: Path, voice: VoiceSettings) -> Path:
        with self._lock:
            engine = self._get_engine()
            voice_id = self._resolve_voice(engine, voice.voice)
            if voice_id:
                engine.setProperty("voice", voice_id)
            engine.setProperty("rate", voice.rate)
            engine.setProperty("volume", voice.volume)
            path.parent.mkdir(parents=True, exist_ok=True)
            ok = any(self._render_once(engine, text, path) for _ in range(3))
        if not ok:
            raise UserError(f"text to speech wrote no audio to {path}; run `interview doctor`")
        return path
