"""Audio: answer sources, end-of-answer detection, playback and crash-safe WAV files."""

#: Every frame flowing through the engine is 16 kHz mono float32: the rate Whisper
#: reads, so nothing is resampled between the microphone and the transcriber.
SAMPLE_RATE = 16_000
