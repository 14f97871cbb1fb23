"""When an answer's voice stops: the detector's idea of the room's level must follow a hum,
and must never follow the voice itself, however long the candidate speaks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndpointConfig, EndpointDetector, EndReason

FRAME = 480
RNG = np.random.default_rng(7)
FIXTURE = Path(__file__).parent / "fixtures" / "audio" / "long-answer-levels.npy"


def level(db: float, seconds: float) -> np.ndarray:
    """Noise at ``db`` dBFS (RMS) for ``seconds``."""
    n = int(seconds * SAMPLE_RATE)
    return (RNG.standard_normal(n) * 10 ** (db / 20)).astype(np.float32)


def speech(seconds: float, breath_every_s: float = 4.0) -> np.ndarray:
    """A voice going on and on: syllables between -28 and -16 dB with dips to -33 dB
    between them, a quieter gap between words now and then (-50 dB, a stop consonant or a
    word's end), and a breath every few seconds that a gated microphone (or a null sink)
    gives as digital silence, so no frame of the room's own level comes between."""
    parts, t = [], 0.0
    while t < seconds:
        for i in range(int(breath_every_s / 0.25)):
            gap = level(-50, 0.06) if i % 4 == 3 else level(-33, 0.07)
            parts += [level(float(RNG.uniform(-28, -16)), 0.18), gap]
        parts.append(np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32))
        t += breath_every_s + 0.3
    return np.concatenate(parts)


def run(audio: np.ndarray, silence_s: float = 1.0) -> tuple[EndReason | None, float]:
    det = EndpointDetector(EndpointConfig(silence_s=silence_s, max_answer_s=3600.0),
                           FRAME / SAMPLE_RATE)
    for i in range(len(audio) // FRAME):
        ended = det.update(audio[i * FRAME:(i + 1) * FRAME])
        if ended is not None:
            return ended, det.elapsed_s
    return None, det.elapsed_s


def test_three_minutes_of_speech_never_becomes_the_room():
    voice = speech(180.0)
    ended, at = run(np.concatenate([voice, level(-60, 2.0)]))
    assert ended is EndReason.SILENCE and at > len(voice) / SAMPLE_RATE


def test_a_hum_becomes_the_room_and_the_answer_still_ends():
    hum = level(-40, 6.0)  # louder than the fixed threshold (-45): only the floor tells
    voice = speech(20.0) + level(-40, len(speech(20.0)) / SAMPLE_RATE)[:len(speech(20.0))]
    ended, at = run(np.concatenate([hum, voice, level(-40, 4.0)]))
    assert ended is EndReason.SILENCE
    assert at < (len(hum) + len(voice)) / SAMPLE_RATE + 2.0


def test_a_real_long_answer_is_not_ended_by_its_own_voice():
    """The level of each 30 ms frame of a 143 s answer as the microphone path recorded it
    (an espeak voice through a PulseAudio null sink, tests/fixtures/audio/): it was still
    speaking at the end, where the old floor, a running average, had climbed to -26 dB
    and taken the voice for silence."""
    levels = np.load(FIXTURE)
    frames = [(RNG.standard_normal(FRAME) * 10 ** (db / 20)).astype(np.float32)
              if db > -170 else np.zeros(FRAME, dtype=np.float32) for db in levels]
    ended, at = run(np.concatenate(frames))
    assert ended is None, f"ended at {at:.1f} s of {len(levels) * FRAME / SAMPLE_RATE:.1f}"
