"""`hazards crashes identify`: the crash-prone places (事故多发点段) of a division, ranked, on the terminal.

    hazards crashes identify --jurisdiction 140902
    hazards crashes identify --jurisdiction 140900 --from 2024-01-01 --to 2026-06-30 --json

`identify_command` belongs to the `crashes` group (hazards/io/crash_commands.py) with `hazards crashes import`.
"""

from __future__ import annotations

import json

import click

from hazards import permissions
from hazards.db import get_session
from hazards.reports.commands import iso_day


@click.command("identify")
@click.option("--jurisdiction", "jurisdiction_code", required=True, help="6-digit division code, e.g. 140902")
@click.option("--from", "start", callback=iso_day, help="First day of the period (YYYY-MM-DD); default: "
                                                     "CRASH_PERIOD_MONTHS months before --to.")
@click.option("--to", "end", callback=iso_day, help="Last day of the period (YYYY-MM-DD), inclusive; default: today.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of the table.")
def identify_command(jurisdiction_code, start, end, as_json):
    """List the crash-prone places of a division over a period, most deaths first, then fatal crashes,
    then crashes (the rule is the CRASH_* settings)."""
    from hazards.domain.errors import ServiceError
    from hazards.services.crash_places import identify, period_for, rule_from_settings

    session = get_session()
    rule = rule_from_settings()
    try:
        period = period_for(rule, start, end)
        places = identify(session, permissions.SYSTEM, jurisdiction_code, start=period.start, end=period.end,
                          rule=rule)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        click.echo(json.dumps({"jurisdiction": jurisdiction_code, "from": period.start.isoformat(),
                               "to": period.end.isoformat(), "rule": _rule_json(rule),
                               "places": [place_json(p) for p in places]}, ensure_ascii=False, indent=2))
        return
    click.echo(f"{jurisdiction_code} {period.start}~{period.end}: {len(places)} crash-prone places "
               f"({rule_text_en(rule)}); ranked by deaths, then fatal crashes, then crashes")
    if not places:
        return
    click.echo(f"{'rank':>4}  {'place':<34} {'division':<8} {'crashes':>7} {'deaths':>6} {'injured':>7} {'fatal':>5}"
               f"  period")
    for p in places:
        click.echo(f"{p.rank:>4}  {where(p):<34} {p.division_code:<8} {p.crashes:>7} {p.deaths:>6} {p.injuries:>7} "
                   f"{p.fatal:>5}  {p.first_on}~{p.last_on}"
                   + (f"  closed hazard {p.closed_hazard.code} was here" if p.closed_hazard else "")
                   + (f"  nearest open hazard {p.offer.code} ({p.offer.distance_m} m)" if p.offer else ""))


def where(place) -> str:
    if place.kind == "road":
        return f"{place.route_code} {place.stakes}"
    return f"{place.lon:.5f},{place.lat:.5f} r={place.radius_m} m"


def rule_text_en(rule) -> str:
    return (f"{rule.min_crashes} crashes, {rule.min_deaths} deaths or {rule.min_fatal} fatal crashes within "
            f"{rule.window_m} m of road or {rule.radius_m} m of one another")


def _rule_json(rule) -> dict:
    return {"period_months": rule.period_months, "window_m": rule.window_m, "radius_m": rule.radius_m,
            "min_crashes": rule.min_crashes, "min_deaths": rule.min_deaths, "min_fatal": rule.min_fatal,
            "cover_m": rule.cover_m}


def _hazard_json(found) -> dict | None:
    return found and {"id": found.id, "code": found.code, "title": found.title, "status": found.status.value,
                      "distance_m": found.distance_m}


def place_json(p) -> dict:
    return {"rank": p.rank, "key": p.key, "kind": p.kind, "division": p.division_code, "route_code": p.route_code,
            "start_m": p.start_m, "end_m": p.end_m, "stakes": p.stakes, "lon": p.lon, "lat": p.lat,
            "radius_m": p.radius_m, "crashes": p.crashes, "deaths": p.deaths, "injuries": p.injuries,
            "fatal": p.fatal, "first_on": p.first_on.isoformat(), "last_on": p.last_on.isoformat(),
            "crash_ids": list(p.crash_ids), "closed_hazard": _hazard_json(p.closed_hazard),
            "offer": _hazard_json(p.offer)}

