"""Jinja filters that print ledger values the way users read them."""

from __future__ import annotations

from flask import Flask

from geo.stakes import format_stake_range
from hazards.labels import label
from hazards.money import format_wan


def register(app: Flask) -> None:
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["wan"] = format_wan
    app.jinja_env.filters["stakes"] = lambda h: format_stake_range(h.start_m, h.end_m) if h.start_m is not None else ""
