"""Speech out (text to speech) and speech in (transcription) behind small interfaces."""
