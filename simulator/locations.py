"""Where the project's data folders and the user's own files live."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "interview-simulator"

#: The repository (or installed tree) root holding bank/, voices/ and configs/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def bank_dir() -> Path:
    """The shipped question banks."""
    return PROJECT_ROOT / "bank"


def voices_dir() -> Path:
    """The shipped interviewer personas."""
    return PROJECT_ROOT / "voices"


def default_config_file() -> Path:
    """The shipped defaults every other config layer overrides."""
    return PROJECT_ROOT / "configs" / "default.toml"


def user_config_file() -> Path:
    """The user's own config file, in the platform's config folder."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def user_data_dir() -> Path:
    """Where sessions and history go unless configured otherwise."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_sessions_dir() -> Path:
    return user_data_dir() / "sessions"


def user_glossary_file() -> Path:
    """Terms the user taught the transcriber (from their corrections), in the bank format."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "glossary.yaml"
