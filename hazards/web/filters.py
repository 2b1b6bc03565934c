"""Jinja filters and globals that print ledger values the way users read them."""

from __future__ import annotations

from flask import Flask

from geo.stakes import format_stake_range
from hazards.domain.money import format_wan
from hazards.queries.timeline import field_label


def stakes_of(hazard) -> str:
    return format_stake_range(hazard.start_m, hazard.end_m) if hazard.start_m is not None else ""


def register(app: Flask) -> None:
    app.jinja_env.filters["wan"] = format_wan
    app.jinja_env.filters["stakes"] = stakes_of
    app.jinja_env.globals["field_label"] = field_label
