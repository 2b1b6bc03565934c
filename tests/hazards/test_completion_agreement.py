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
from hazards.queries.map_layers import completion_layer
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


def shade_counties(session):
    for code, cell in {XINFU: box(112.5, 38.25, 112.95, 38.6), YUANPING: box(112.5, 38.6, 112.95, 39.0),
                       DINGXIANG: box(112.95, 38.25, 113.3, 38.6)}.items():
        session.get(Jurisdiction, code).boundary = to_ewkt(MultiPolygon([cell]))
    session.flush()


def test_the_map_shades_each_county_with_the_report_of_the_batch_year(session, people, agreement_ledger):
    shade_counties(session)
    supervisor = people["city"]
    for batch in (2024, 2023):
        units = {u.code: u for u in build_report(session, CITY, parse_period(batch), today=TODAY).units}
        layer = {f["id"]: f["properties"] for f in completion_layer(session, supervisor, TODAY, batch_year=batch).geojson["features"]}
        assert set(layer) == {XINFU, YUANPING, DINGXIANG}
        for code, shown in layer.items():
            counts = units[code].annual  # the list the report ranks on, dynamic additions on their own row
            assert (shown["total"], shown["closed"], shown["open"], shown["overdue"], shown["rank"]) == (
                counts.total, counts.closed, counts.open, counts.overdue, units[code].rank), (batch, code)
            assert shown["rate"] == (float(counts.rate) if counts.rate is not None else None)
    # Xinfu's 2024 list by hand: 8 hazards (the dynamic addition apart), 4 closed, 2 of the open past the deadline.
    shown = {f["id"]: f["properties"] for f in completion_layer(session, supervisor, TODAY, batch_year=2024).geojson["features"]}
    assert (shown[XINFU]["total"], shown[XINFU]["closed"], shown[XINFU]["overdue"], shown[XINFU]["rate_text"]) == (
        8, 4, 2, "50.0%")
    # The 2023 list was judged at the end of 2023: Xinfu's hazard closed in February 2024 was open then.
    shown = {f["id"]: f["properties"] for f in completion_layer(session, supervisor, TODAY, batch_year=2023).geojson["features"]}
    assert (shown[XINFU]["total"], shown[XINFU]["closed"], shown[XINFU]["rate_text"]) == (1, 0, "0.0%")
    assert shown[DINGXIANG]["rate"] is None and shown[DINGXIANG]["rate_text"] == "—"


def test_without_a_batch_year_the_map_counts_every_list_as_of_today(session, people, agreement_ledger):
    shade_counties(session)
    layer = {f["id"]: f["properties"] for f in completion_layer(session, people["city"], TODAY).geojson["features"]}
    for code, shown in layer.items():
        tally = tally_of(session, code)  # every batch year, dynamic additions included
        dynamic = {XINFU: (1, 0), YUANPING: (0, 0), DINGXIANG: (0, 0)}[code]
        assert (shown["total"], shown["closed"]) == (tally.total - dynamic[0], tally.closed - dynamic[1]), code
    assert (layer[XINFU]["total"], layer[XINFU]["closed"]) == (9, 5)  # the 2023 list's two included


def test_a_level_narrows_the_shading_as_it_narrows_the_report(session, people, agreement_ledger):
    shade_counties(session)
    report = build_report(session, CITY, parse_period(2024), level="province", today=TODAY)
    units = {u.code: u.annual for u in report.units}
    layer = {f["id"]: f["properties"] for f in
             completion_layer(session, people["city"], TODAY, batch_year=2024, level="province").geojson["features"]}
    assert (layer[YUANPING]["total"], layer[YUANPING]["closed"]) == (units[YUANPING].total, units[YUANPING].closed) == (2, 2)
    assert layer[XINFU]["total"] == 0 and layer[XINFU]["rate"] is None


def test_the_dashboard_ranks_the_counties_as_the_report_does(session, people, agreement_ledger):
    report = build_report(session, CITY, parse_period(2024), today=TODAY, min_rank=1)
    table = build_dashboard(session, people["city"], TODAY, min_rank=1).ranking_table("zh")
    shown = [(row[0], row[1]) for row in table.rows]
    assert [name for _rank, name in shown] == [u.name for u in report.units]
    assert [rank for rank, _name in shown if isinstance(rank, int)] == [u.rank for u in report.units if u.rank]
    # Yuanping closed all of its 2024 list, Xinfu half, Dingxiang none: ranked in that order.
    assert shown[:3] == [(1, "原平市"), (2, "忻府区"), (3, "定襄县")]
    assert table.display_rows("zh")[0][table.columns.index(next(c for c in table.columns if c.en == "Completion rate"))] == "100.00%"
