"""The interviewer loop, UI-agnostic: a generator of small dataclass events."""

#: How often a spoken answer is read again for the live transcript, in seconds, by default
#: (`interview run` and the app): the view then trails the speaker by about this plus one
#: reading (engine/reading.py paces drafts by what they cost, on a slow machine too).
LIVE_TRANSCRIPT_S = 1.0
