"""The Textual app: set up a round, the live interview, the report, sessions and replay.

This is the only package that imports textual (an import-linter contract checks
it). The engine runs in thread workers and reaches the screen only through the
messages in ``messages.py``.
"""
