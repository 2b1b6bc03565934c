"""A hazard's crash history (behind its priority) is counted again the moment its place is edited or it is
reopened, not at the night's tally: the editing service and the workflow's one status-changing function
call the recount. Both backends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import HazardCrashHistory
from hazards.permissions import SYSTEM
from hazards.queries.priority import priorities
from hazards.services.editing import update_hazard
from hazards.services.registration import report_hazard
from hazards.services.requirements import ActionInput
from hazards.services.workflow import change_status
from tests import factories
from tests.factories import XINFU_POINT, draft

TODAY = clock.today()


def _history(session, hazard_id) -> tuple[int, int] | None:
    row = session.execute(select(HazardCrashHistory.crashes, HazardCrashHistory.deaths)
                          .where(HazardCrashHistory.hazard_id == hazard_id)).one_or_none()
    return None if row is None else tuple(row)


def _points(session, hazard) -> dict[str, int]:
    session.refresh(hazard)
    return {c.name: c.points for c in priorities(session, [hazard])[hazard.id].components}


def test_editing_the_stakes_or_route_counts_the_crashes_at_the_new_place_at_once(session, people):
    hazard = report_hazard(session, draft(title="桩号有误", status=Status.LISTED, level=SupervisionLevel.COUNTY,
                                          listed_on=TODAY - timedelta(days=5), deadline=TODAY + timedelta(days=60),
                                          found_on=TODAY - timedelta(days=10), batch_year=TODAY.year),
                           actor=SYSTEM)
    # Two crashes known by route and stake only, 8 km further along G208 than the hazard was logged.
    factories.crash(session, "K1060-1", TODAY - timedelta(days=20), route_code="G208", stake_m=1060050, deaths=1)
    factories.crash(session, "K1060-2", TODAY - timedelta(days=50), route_code="G208", stake_m=1060120)
    factories.crash(session, "S311-1", TODAY - timedelta(days=50), route_code="S311", stake_m=1060100)
    assert _history(session, hazard.id) == (0, 0)

    hazard = update_hazard(session, hazard.id, people["county"], {"start_m": 1060000, "end_m": 1060200},
                           expected_version=hazard.version)
    assert _history(session, hazard.id) == (2, 1)
    assert _points(session, hazard)["deaths"] == 8

    hazard = update_hazard(session, hazard.id, people["county"], {"route_code": "S311"},
                           expected_version=hazard.version)
    assert _history(session, hazard.id) == (1, 0)

    # An edit that leaves the place as it is does not need a count (and changes none).
    hazard = update_hazard(session, hazard.id, people["county"], {"description": "桩号已核实"},
                           expected_version=hazard.version)
    assert _history(session, hazard.id) == (1, 0)


def test_a_reopened_hazard_counts_the_crashes_since_at_once(session, people):
    closed = report_hazard(session, draft(
        title="回头看", status=Status.CLOSED, level=SupervisionLevel.COUNTY, listed_on=TODAY - timedelta(days=300),
        deadline=TODAY - timedelta(days=100), completed_on=TODAY - timedelta(days=200),
        closed_on=TODAY - timedelta(days=190), found_on=TODAY - timedelta(days=320), batch_year=TODAY.year),
        actor=SYSTEM)
    assert _history(session, closed.id) is None  # closed: no priority, no count
    near = (XINFU_POINT[0], XINFU_POINT[1] + 0.0005)
    factories.crash(session, "after-1", TODAY - timedelta(days=30), lonlat=near, deaths=2)
    factories.crash(session, "after-2", TODAY - timedelta(days=10), lonlat=near)

    reopened = change_status(session, closed.id, "reopen", people["county"],
                             ActionInput(reason="回头看发现事故仍多发"))
    assert reopened.status is Status.IN_REMEDIATION
    assert _history(session, closed.id) == (2, 2)
    points = _points(session, reopened)
    assert (points["crashes"], points["deaths"]) == (4, 16)
