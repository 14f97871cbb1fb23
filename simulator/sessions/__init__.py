"""Recorded sessions: the on-disk store, the round summary and replay."""
