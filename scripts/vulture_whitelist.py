"""Names that vulture would call unused but that something outside our code uses.

Vulture (run by scripts/test with the settings in pyproject.toml [tool.vulture])
only parses this file: each line marks a name as used wherever it is defined, so
keep it to names a library or a reader we do not scan really uses, with the
reason. Patterns (Textual's on_*, action_*, watch_* hooks) and decorators
(Textual's @on, pydantic's validators) are in pyproject.toml instead.
"""
# ruff: noqa: B018  (every line is an attribute read that only vulture looks at)

from typing import Any

_: Any = None

# Textual: class variables and overrides the framework reads or calls.
_.compose  # builds a screen's or a widget's children
_.BINDINGS  # the keys of a screen or a widget
_.CSS_PATH  # the app's stylesheet
_.DEFAULT_CSS  # a widget's own styles
_.TITLE  # the app's title in the header
_.AUTO_FOCUS  # the widget a screen focuses when shown
_.get_default_screen  # the app's first screen
_.get_content_width  # a widget's width when sized 'auto'
_.container  # an argument of get_content_width, named by Textual
_.viewport  # an argument of get_content_width, named by Textual
_.check_action  # whether a binding is shown and runs now
_.parameters  # an argument of check_action, named by Textual
_.can_replace  # lets a newer message replace a queued one
_.border_title  # a property: setting it draws the title on the border
_.border_subtitle  # a property: setting it draws the subtitle on the border
_.display  # a property: setting it shows or hides a widget

# pydantic and pydantic-settings.
_.model_config  # a model's settings, read by pydantic
_.settings_customise_sources  # the order of the config layers, called by pydantic-settings
_.settings_cls  # an argument of settings_customise_sources, passed by keyword
_.env_settings  # an argument of settings_customise_sources, passed by keyword
_.dotenv_settings  # an argument of settings_customise_sources, passed by keyword
_.file_secret_settings  # an argument of settings_customise_sources, passed by keyword

# litellm: module switches set in simulator/assess/llm.py.
_.telemetry  # keeps litellm from sending usage data
_.suppress_debug_info  # keeps litellm's debug banner off the screen

# onnxruntime: session options it reads when the session is built.
_.intra_op_num_threads  # simulator/speech/turn_model.py: threads inside one operator
_.inter_op_num_threads  # simulator/speech/turn_model.py: threads across operators

# Fields read through dataclasses.asdict (the session files), not by attribute.
_.articulation_wpm  # DeliveryMetrics: in the delivery summary and the exports
_.answer_source  # SessionStarted: recorded in events.jsonl
_.fillers_per_min  # LivePace: recorded in events.jsonl and the round's live figures

# Used only by code vulture does not scan (benchmarks/, tests/).
_.record_result  # simulator/speech/models.py: benchmarks/transcription.py records a model's figures
_.waiting_in  # simulator/engine/controls.py: tests wait until the engine holds in a stage
_.MIN_CONTRAST  # simulator/tui/theme.py: tests/test_contrast.py holds every text colour to it
_.theme_variables  # simulator/tui/theme.py: tests/test_contrast.py reads the themes' colours
_.contrast  # simulator/tui/theme.py: tests/test_contrast.py computes WCAG ratios with it
