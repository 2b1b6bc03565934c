"""Jinja filters and globals that print ledger values the way users read them."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from geo.stakes import format_stake_range
from hazards import clock
from hazards.domain.money import format_wan
from hazards.queries.timeline import field_label


def stakes_of(hazard) -> str:
    return format_stake_range(hazard.start_m, hazard.end_m) if hazard.start_m is not None else ""


# Zone names that are Beijing time, which people call by that name rather than by its identifier.
BEIJING_TIME = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"})


def time_zone_name() -> str:
    """The ledger's time zone as people name it: 北京时间, or the zone's identifier for any other."""
    name = clock.zone_name()
    return _("Beijing time") if name in BEIJING_TIME else name


def register(app: Flask) -> None:
    app.jinja_env.globals["time_zone_name"] = time_zone_name
    app.jinja_env.filters["wan"] = format_wan
    app.jinja_env.filters["stakes"] = stakes_of
    app.jinja_env.globals["field_label"] = field_label
