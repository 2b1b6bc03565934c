"""The rules crash records are read by, as data from settings (no place's rule is built in).

`IdentificationRule`: what makes a place crash-prone (事故多发点段). `EffectRule`: how a closed hazard's
crashes before and after its works are counted (治理成效). Both are read from the app's settings
(CRASH_* in hazards/config.py, documented in the README and docs/crashes.md) or built directly in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class IdentificationRule:
    period_months: int = 36
    window_m: int = 500  # sliding stake window along one road
    radius_m: int = 150  # crashes placed by a point only: within this distance of one another
    min_crashes: int = 5
    min_deaths: int = 3
    min_fatal: int = 3
    cover_m: int = 200  # a hazard this close to a crash of the place (or overlapping its stakes) covers it

    def __post_init__(self):
        for name in ("period_months", "window_m", "radius_m", "min_crashes", "min_deaths", "min_fatal"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.cover_m < 0:
            raise ValueError("cover_m must not be negative")

    def qualifies(self, crashes: int, deaths: int, fatal: int) -> bool:
        """A place is crash-prone on any one threshold reached."""
        return crashes >= self.min_crashes or deaths >= self.min_deaths or fatal >= self.min_fatal

    @classmethod
    def from_config(cls, config: Mapping) -> IdentificationRule:
        return cls(
            period_months=int(config["CRASH_PERIOD_MONTHS"]),
            window_m=int(config["CRASH_WINDOW_M"]),
            radius_m=int(config["CRASH_RADIUS_M"]),
            min_crashes=int(config["CRASH_MIN_CRASHES"]),
            min_deaths=int(config["CRASH_MIN_DEATHS"]),
            min_fatal=int(config["CRASH_MIN_FATAL"]),
            cover_m=int(config["CRASH_COVER_M"]),
        )


@dataclass(frozen=True)
class EffectRule:
    months: int = 12  # the same length before works started and after they ended
    buffer_m: int = 100  # around a point hazard, or either side of a section's line

    def __post_init__(self):
        if self.months < 1 or self.buffer_m < 0:
            raise ValueError("months must be at least 1 and buffer_m not negative")

    @classmethod
    def from_config(cls, config: Mapping) -> EffectRule:
        return cls(months=int(config["CRASH_EFFECT_MONTHS"]), buffer_m=int(config["CRASH_EFFECT_BUFFER_M"]))
