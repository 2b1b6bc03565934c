"""The tally, the report, the list's overdue filter, the dashboard and the map's completion layer give the
same numbers for one ledger, and those numbers are the ones counted by hand (SpatiaLite and PostGIS).

The ledger is the city of Xinzhou on 20 November 2024, while the year's report runs: as of that day
open and overdue mean the same to all of them.
"""

from __future__ import annotations

from datetime import date

import pytest
from shapely.geometry import MultiPolygon, Point, box

from geo.geometry import to_ewkt
from hazards.domain.completion import Counts
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Jurisdiction
from hazards.queries import hazard_list as listing
from hazards.queries.dashboard import build_dashboard
from hazards.queries.map_layers import subordinate_boundaries
from hazards.reports import build_report, parse_period
from hazards.services.tally import compute_tally
from tests.factories import draft, register_groups

TODAY = date(2024, 11, 20)
DEADLINE, LATER = date(2024, 10, 31), date(2025, 3, 31)
CITY, XINFU, YUANPING, DINGXIANG = "140900", "140902", "140981", "140921"
L = SupervisionLevel


def hazard(title, *, where=XINFU, level=L.COUNTY, status=Status.LISTED, closed=None, deadline=DEADLINE, batch=2024,
           found=date(2024, 3, 5), dynamic=False):
    return draft(title=title, jurisdiction_code=where, level=level, status=Status.CLOSED if closed else status,
                 closed_on=closed, deadline=deadline, batch_year=batch, found_on=found, dynamic_add=dynamic,
                 listed_on=None if level is L.NONE else found, geometry=Point(112.7 + 0.001 * len(title), 38.4))


@pytest.fixture
def agreement_ledger(session):
    return register_groups(session, {
        "ahead": [hazard(f"提前{i}", closed=date(2024, 10, 1)) for i in range(3)],
        "on_the_day": [hazard(f"按期{i}", where=YUANPING, level=L.PROVINCE, closed=DEADLINE) for i in range(2)],
        "late": [hazard("超期销号", closed=date(2024, 11, 10))],
        "overdue": [hazard("逾期", status=Status.IN_REMEDIATION), hazard("逾期定襄", where=DINGXIANG)],
        "closure_requested_late": [hazard("申请销号逾期", status=Status.CLOSURE_REQUESTED)],
        "due_today": [hazard("今日到期", deadline=TODAY)],
        "due_later": [hazard("未到期", where=DINGXIANG, deadline=LATER)],
        "unlisted_closed": [hazard("未挂牌已改", where=YUANPING, level=L.NONE, closed=date(2024, 5, 1), deadline=None)],
        "unlisted_open": [hazard("未挂牌上报", level=L.NONE, status=Status.REPORTED, deadline=None)],
        "dynamic_overdue": [hazard("动态新增逾期", found=date(2024, 7, 1), deadline=date(2024, 11, 15), dynamic=True)],
        "city_own_overdue": [hazard("本级逾期", where=CITY, level=L.CITY)],
        "list_2023_open": [hazard("2023逾期", where=YUANPING, batch=2023, found=date(2023, 4, 1),
                                  deadline=date(2023, 12, 31))],
        "list_2023_closed_2024": [hazard("2023今年销号", batch=2023, found=date(2023, 4, 1), deadline=date(2023, 12, 31),
                                         closed=date(2024, 2, 1))],
        "never_counted": [hazard("不予认定", status=Status.REJECTED), hazard("重复", status=Status.MERGED)],
        "another_city": [hazard("太原逾期", where="140100")],
    })


def tally_of(session, code: str, batch: int | None = None) -> Counts:
    total = Counts()
    for (division, _level, year), counts in compute_tally(session, TODAY).items():
        if division == code and batch in (None, year):
            total.add(counts)
    return total


def overdue_codes_in_list(session, viewer, jurisdiction: str | None = None) -> set[str]:
    stmt = listing.filtered(viewer, listing.HazardFilters(overdue=True, jurisdiction_code=jurisdiction), TODAY)
    return {h.code for h in session.scalars(stmt)}


def test_tally_report_list_and_dashboard_agree_with_the_hand_count(session, people, agreement_ledger):
    supervisor = people["city"]
    report = build_report(session, CITY, parse_period(2024), today=TODAY)
    assert report.as_of == TODAY

    # The 2024 list, dynamic additions included: 15 hazards, 7 closed (5 on time, 3 of them ahead),
    # 8 open, 5 of those overdue; 8 completed in the year (one of them from the 2023 list).
    on_the_list = Counts(completed=8, total=15, closed=7, on_time=5, ahead=3, open=8, overdue=5)
    assert report.total.counts == on_the_list
    assert tally_of(session, CITY, 2024) == Counts(**{**vars(on_the_list), "completed": 0})
    assert report.total.counts.rate == tally_of(session, CITY, 2024).rate

    # Overdue whatever the batch: the 2024 list's five and one left from 2023, the same six hazards.
    listed_overdue = overdue_codes_in_list(session, supervisor)
    assert len(listed_overdue) == report.overdue_count == tally_of(session, CITY).overdue == 6
    assert {item.code for item in report.overdue} == listed_overdue

    dashboard = build_dashboard(session, supervisor, TODAY)
    assert dashboard.open == tally_of(session, CITY).open == 9  # the 2024 list's 8 and the one from 2023
    assert dashboard.overdue == len(listed_overdue)
    assert dashboard.closed_this_year == report.total.counts.completed == 8


def test_each_county_agrees_too(session, people, agreement_ledger):
    supervisor = people["city"]
    report = build_report(session, CITY, parse_period(2024), today=TODAY)
    units = {u.code: u for u in report.units}
    for county, (total, closed, overdue_any_batch) in {XINFU: (9, 4, 3), YUANPING: (3, 3, 1),
                                                       DINGXIANG: (2, 0, 1)}.items():
        on_list = units[county].all
        assert (on_list.total, on_list.closed) == (total, closed), county
        assert tally_of(session, county, 2024) == Counts(**{**vars(on_list), "completed": 0}), county
        assert len(overdue_codes_in_list(session, supervisor, county)) == tally_of(session, county).overdue \
            == overdue_any_batch, county


def test_the_map_layer_colours_each_county_with_the_tally(session, people, agreement_ledger):
    for code, cell in {XINFU: box(112.5, 38.25, 112.95, 38.6), YUANPING: box(112.5, 38.6, 112.95, 39.0),
                       DINGXIANG: box(112.95, 38.25, 113.3, 38.6)}.items():
        session.get(Jurisdiction, code).boundary = to_ewkt(MultiPolygon([cell]))
    session.flush()
    supervisor = people["city"]
    layer = {f["id"]: f["properties"] for f in subordinate_boundaries(session, supervisor, TODAY)["features"]}
    assert set(layer) == {XINFU, YUANPING, DINGXIANG}
    for code, shown in layer.items():
        counts = tally_of(session, code)
        assert (shown["total"], shown["closed"], shown["open"], shown["overdue"]) == (
            counts.total, counts.closed, counts.open, len(overdue_codes_in_list(session, supervisor, code)))
        assert shown["rate"] == float(counts.rate)
    # Xinfu: 5 of its 10 hazards (2023 list included) closed, 3 of the open ones past their deadline.
    assert (layer[XINFU]["total"], layer[XINFU]["closed"], layer[XINFU]["overdue"], layer[XINFU]["rate_text"]) == (
        10, 5, 3, "50.0%")
