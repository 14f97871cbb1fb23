"""The phrases the delivery coach counts by default (config can replace them).

They are defined in simulator.config, which sits below the coach in the layering
(see pyproject.toml), so the settings can offer them as defaults without
importing the coach.
"""

from simulator.config import FILLER_PHRASES, HEDGE_PHRASES

__all__ = ["FILLER_PHRASES", "HEDGE_PHRASES"]
