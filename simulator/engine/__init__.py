"""The interviewer loop, UI-agnostic: a generator of small dataclass events."""
