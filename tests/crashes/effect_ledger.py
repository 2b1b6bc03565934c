"""Closed hazards with crashes planted around their works, whose effect numbers are known exactly."""

from __future__ import annotations

from datetime import date, datetime

from hazards.domain.crash_rules import EffectRule
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import StatusChange
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests import factories

RULE = EffectRule(months=12, buffer_m=100)
TODAY = date(2026, 11, 30)


def closed(session, title, *, completed_on, closed_on, started_at=None, planned_start=None, listed_on=None,
           section=False, **extra):
    """A closed hazard; `started_at` (a UTC moment) records the move into 整改中 in its status history."""
    make = factories.section_draft if section else factories.draft
    extra.setdefault("found_on", date(2022, 1, 5))
    extra.setdefault("batch_year", closed_on.year)
    hazard = report_hazard(session, make(
        title=title, status=Status.CLOSED, level=SupervisionLevel.COUNTY, listed_on=listed_on,
        deadline=date(2030, 1, 1), planned_start=planned_start, completed_on=completed_on, closed_on=closed_on,
        **extra), actor=SYSTEM)
    if started_at is not None:
        session.add(StatusChange(hazard_id=hazard.id, action="start_works", from_status=Status.PLAN_APPROVED,
                                 to_status=Status.IN_REMEDIATION, changed_at=started_at))
        session.flush()
    return hazard


def planted(session):
    """甲: a point (G208 K1052+300) whose works ran 2023-04-01 .. 2023-06-30: 5 crashes in the year before
    (2 deaths, 6 injuries), 2 during the works, 2 in the year after (0 deaths, 1 injury), and crashes just
    outside each window and just too far away."""
    # 2023-03-31 17:00 UTC is 2023-04-01 01:00 in Beijing: the works started on 1 April.
    hazard = closed(session, "甲", started_at=datetime(2023, 3, 31, 17), listed_on=date(2023, 1, 10),
                    completed_on=date(2023, 6, 30), closed_on=date(2023, 7, 10))
    near = (112.7340, 38.4178)  # 89 m from the point
    for source_id, day, deaths, injuries, where in [
        ("too-early", date(2022, 3, 31), 1, 0, near),
        ("before-first-day", date(2022, 4, 1), 1, 2, near),
        ("before-2", date(2022, 8, 15), 0, 1, near),
        ("before-3", date(2022, 12, 1), 1, 0, near),
        ("before-4", date(2023, 2, 2), 0, 2, near),
        ("before-last-day", date(2023, 3, 31), 0, 1, near),
        ("before-too-far", date(2022, 9, 1), 3, 3, (112.7340, 38.4180)),  # 111 m away
        ("works-first-day", date(2023, 4, 1), 0, 1, near),
        ("works-last-day", date(2023, 6, 30), 1, 0, near),
        ("after-first-day", date(2023, 7, 1), 0, 1, near),
        ("after-last-day", date(2024, 6, 30), 0, 0, near),
        ("too-late", date(2024, 7, 1), 2, 2, near),
    ]:
        factories.crash(session, source_id, day, lonlat=where, deaths=deaths, injuries=injuries)
    return hazard


def planted_section(session):
    """乙: the X012 section K3+200~K4+100, works 2023-05-10 .. 2023-08-20, closed 2023-08-25: 3 crashes in the
    year before (1 death, 2 injuries), 1 in the year after, by point and by stake."""
    hazard = closed(session, "乙", section=True, started_at=datetime(2023, 5, 10, 2), listed_on=date(2023, 3, 1),
                    completed_on=date(2023, 8, 20), closed_on=date(2023, 8, 25))
    on_line = (112.7051, 38.4031)
    factories.crash(session, "乙-before-1", date(2022, 6, 1), lonlat=on_line, deaths=1)
    factories.crash(session, "乙-before-2", date(2022, 11, 11), route_code="X012", stake_m=3500, injuries=2)
    factories.crash(session, "乙-before-3", date(2023, 5, 9), route_code="X012", stake_m=4150)
    factories.crash(session, "乙-after-1", date(2024, 1, 20), lonlat=on_line)
    factories.crash(session, "乙-too-far", date(2024, 1, 20), lonlat=(112.7051, 38.4050), deaths=2)
    return hazard
