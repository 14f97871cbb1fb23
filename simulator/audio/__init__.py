"""Audio: answer sources, end-of-answer detection, playback and crash-safe WAV files."""

SAMPLE_RATE = 16_000
"""Every frame flowing through the engine is 16 kHz mono float32."""
