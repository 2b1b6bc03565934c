"""The ledger's one clock: today's date and the time now, in the ledger's zone (HAZARDS_TIMEZONE).

The host's own zone plays no part. Beat fires the reminder job at 07:30 in the ledger's zone; on a
host kept in UTC that is 23:30 the evening before, and a job that asked the host for "today" would
date every reminder and tally a day early. So every "today" (jobs, report defaults, overdue
judgements, dashboards, the demo ledger) comes from here, and tests/test_layout.py refuses a
`date.today()` or a zone-less `datetime.now()` anywhere else.

Timestamps are still stored in UTC (`hazards.models.base.utcnow`); `local()` turns a stored one into
the ledger's zone for people to read, and Flask-Babel and Celery are given the same zone.

The zone is the app's `TIMEZONE` setting inside an app context; outside one (a script, a pure test)
it is the HAZARDS_TIMEZONE environment variable, else Asia/Shanghai.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_name() -> str:
    if has_app_context():
        configured = current_app.config.get("TIMEZONE")
        if configured:
            return configured
    return os.environ.get("HAZARDS_TIMEZONE") or DEFAULT_TIMEZONE


def zone() -> ZoneInfo:
    return _zone(zone_name())


def now() -> datetime:
    """The time now in the ledger's zone, as an aware datetime."""
    return datetime.now(zone())


def today() -> date:
    """Today's date in the ledger's zone, whatever the host's zone is."""
    return now().date()


def local(stored: datetime) -> datetime:
    """A stored timestamp (naive UTC, or aware) in the ledger's zone, for people to read."""
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=timezone.utc)
    return stored.astimezone(zone())


def as_stored(wall: datetime) -> datetime:
    """A wall-clock time in the ledger's zone (naive) as the database keeps timestamps: naive UTC."""
    return wall.replace(tzinfo=zone()).astimezone(timezone.utc).replace(tzinfo=None)


def init_app(app: Flask) -> None:
    """Refuse an unknown zone when the app starts, not at the first job run; hand the zone to
    Flask-Babel; give templates `local_time` for stored timestamps. Call before Babel is set up."""
    name = app.config.get("TIMEZONE") or DEFAULT_TIMEZONE
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"HAZARDS_TIMEZONE: '{name}' is not a time zone name (e.g. Asia/Shanghai)") from None
    app.config["TIMEZONE"] = name
    app.config["BABEL_DEFAULT_TIMEZONE"] = name
    # {{ note.created_at | local_time }} -> "2026-04-01 07:30"; a format may be given.
    app.jinja_env.filters["local_time"] = lambda stored, fmt="%Y-%m-%d %H:%M": (
        local(stored).strftime(fmt) if stored else "")
