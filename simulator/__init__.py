"""A voice-driven interview simulator for AI and LLM engineering roles."""

__version__ = "0.1.0"
