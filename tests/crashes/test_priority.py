"""Priority (轻重缓急): each open hazard's score from its crash history, risk grade, level, school zone and
age, with every component shown; the list and the API sort by it, and the crash history behind it is
counted at the hazard's place within the identification period."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from shapely.geometry import Point
from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import RiskGrade, Status, SupervisionLevel
from hazards.domain.priority import PriorityWeights, months_before
from hazards.models import Hazard, HazardCrashHistory
from hazards.permissions import SYSTEM
from hazards.queries import priority as priority_sql
from hazards.services.crash_history import refresh_crash_history
from hazards.services.registration import report_hazard
from tests import factories
from tests.api.conftest import api, tokens  # noqa: F401  the API client fixtures
from tests.factories import XINFU_POINT, draft

TODAY = clock.today()
NEAR = (XINFU_POINT[0], XINFU_POINT[1] + 0.0005)  # about 55 m north of the point hazards
FAR = (XINFU_POINT[0], XINFU_POINT[1] + 0.003)  # about 330 m: outside the 100 m buffer


def _listed(**overrides):
    values = dict(status=Status.LISTED, level=SupervisionLevel.COUNTY, listed_on=TODAY - timedelta(days=10),
                  deadline=TODAY + timedelta(days=30), found_on=TODAY - timedelta(days=20), batch_year=TODAY.year)
    values.update(overrides)
    return draft(**values)


def _components(item) -> dict[str, int]:
    return {c["name"]: c["points"] for c in item["priority"]["components"]}


@pytest.fixture
def planted(session, people):
    """甲: crashes on record at its place; 乙: only the counts typed when it was registered; 丙: nothing
    but its level and age; 丁: closed."""
    made = {
        "甲": report_hazard(session, _listed(
            title="甲", risk_grade=RiskGrade.MAJOR, level=SupervisionLevel.PROVINCE, school_zone=True,
            found_on=TODAY - timedelta(days=95), listed_on=TODAY - timedelta(days=90), deadline=TODAY - timedelta(days=5),
            crash_prone=True, crash_count=1, death_count=0), actor=SYSTEM),
        "乙": report_hazard(session, _listed(
            title="乙", risk_grade=RiskGrade.HIGH, level=SupervisionLevel.CITY, crash_prone=True, crash_count=4,
            death_count=1, geometry=Point(112.744, 38.417), route_code="G108", start_m=500_000), actor=SYSTEM),
        "丙": report_hazard(session, _listed(title="丙", geometry=Point(112.724, 38.417), route_code="S311",
                                              start_m=20_000, found_on=TODAY - timedelta(days=400)), actor=SYSTEM),
        "丁": report_hazard(session, draft(
            title="丁", status=Status.CLOSED, level=SupervisionLevel.COUNTY, listed_on=TODAY - timedelta(days=80),
            deadline=TODAY - timedelta(days=10), completed_on=TODAY - timedelta(days=14), closed_on=TODAY - timedelta(days=12),
            found_on=TODAY - timedelta(days=90), batch_year=TODAY.year, risk_grade=RiskGrade.MAJOR), actor=SYSTEM),
    }
    # At 甲's place within the period: three crashes, one of them with two deaths.
    factories.crash(session, "甲-1", TODAY - timedelta(days=40), lonlat=NEAR)
    factories.crash(session, "甲-2", TODAY - timedelta(days=400), lonlat=NEAR, deaths=2)
    factories.crash(session, "甲-3", TODAY - timedelta(days=700), route_code="G208", stake_m=1052350)
    refresh_crash_history(session)
    session.commit()
    return made


# 甲: crashes max(3 recorded, 1 typed) × 2; deaths 2 × 8; 重大 30; 省级 20; school 15; 95 days = 3 months; overdue 10.
EXPECTED = {
    "甲": {"crashes": 6, "deaths": 16, "risk_grade": 30, "level": 20, "school_zone": 15, "age": 3, "overdue": 10},
    # 乙: no crashes on record, so the typed 4 crashes and 1 death; 较大 15; 市级 15; 20 days: no month yet.
    "乙": {"crashes": 8, "deaths": 8, "risk_grade": 15, "level": 15, "school_zone": 0, "age": 0, "overdue": 0},
    # 丙: 县级 10; 400 days = 13 months, capped at 12.
    "丙": {"crashes": 0, "deaths": 0, "risk_grade": 0, "level": 10, "school_zone": 0, "age": 12, "overdue": 0},
}


def test_components_and_total_of_planted_hazards(api, planted):
    items = {i["title"]: i for i in api.get("city", "/api/v1/hazards?limit=500").get_json()["items"]}
    for title, expected in EXPECTED.items():
        assert _components(items[title]) == expected, title
        assert items[title]["priority"]["score"] == sum(expected.values())
    assert items["丁"]["priority"] is None  # closed: nothing left to plan
    assert sum(EXPECTED["甲"].values()) == 100
    # Each reason says what the points rest on, in the reader's language.
    reasons = {c["name"]: c["reason"] for c in items["甲"]["priority"]["components"]}
    since = months_before(TODAY, 36)
    assert reasons["crashes"] == f"{since}以来事故记录3起（每起2分，最多20分）"
    assert reasons["deaths"] == f"{since}以来事故记录死亡2人（每人8分，最多40分）"
    assert reasons["risk_grade"] == "风险等级：重大"
    assert reasons["overdue"] == "已逾期5天"
    typed = {c["name"]: c["reason"] for c in items["乙"]["priority"]["components"]}
    assert typed["crashes"] == "隐患登记填报事故4起（每起2分，最多20分）"


def test_the_sql_score_is_the_domain_score(session, planted):
    """The list sorts by the SQL face; the pages show the Python face: they must agree for every hazard."""
    weights = PriorityWeights()
    rows = session.execute(
        priority_sql.with_history(select(Hazard, priority_sql.score(weights, TODAY)))).all()
    shown = priority_sql.priorities(session, [h for h, _ in rows], TODAY, weights)
    for hazard, sql_score in rows:
        assert sql_score == (shown[hazard.id].score if shown[hazard.id] else None), hazard.title


def test_the_list_is_in_priority_order_by_default_and_shows_the_score(client, auth, people, planted):
    auth.login(people["city"])
    html = client.get("/hazards").get_data(as_text=True)
    titles = re.findall(r'<td data-label="隐患名称">([^<]*)</td>', html)
    assert titles == ["甲", "乙", "丙", "丁"]  # 100, 46, 22, then the closed one
    scores = re.findall(r'class="priority">(?:<a [^>]*>(\d+)</a>|<span class="muted">—</span>)', html)
    assert scores == ["100", "46", "22", ""]
    assert '<option value="priority" selected>按优先级</option>' in html
    # Another order: no score column.
    assert 'class="priority"' not in client.get("/hazards?sort=found").get_data(as_text=True)


def test_the_hazard_page_shows_each_component(client, auth, people, planted):
    auth.login(people["city"])
    html = client.get(f"/hazards/{planted['甲'].id}").get_data(as_text=True)
    assert '<h2 id="priority">优先级：100</h2>' in html
    rows = re.findall(r'<tr[^>]*><td>([^<]+)</td><td class="num">(\d+)</td><td>([^<]+)</td></tr>', html)
    assert [(name, int(points)) for name, points, _ in rows] == [
        ("事故起数", 6), ("死亡人数", 16), ("风险等级", 30), ("督办级别", 20), ("学校周边", 15), ("发现至今", 3),
        ("逾期", 10)]
    assert rows[3][2] == "督办级别：省级"
    closed = client.get(f"/hazards/{planted['丁'].id}").get_data(as_text=True)
    assert 'id="priority"' not in closed


def test_crash_history_counts_the_place_within_the_period_only(session, people):
    hazard = report_hazard(session, _listed(title="点"), actor=SYSTEM)
    factories.crash(session, "in", TODAY - timedelta(days=30), lonlat=NEAR, deaths=1)
    factories.crash(session, "first-day", months_before(TODAY, 36), lonlat=NEAR)
    factories.crash(session, "before-the-period", months_before(TODAY, 36) - timedelta(days=1), lonlat=NEAR, deaths=3)
    factories.crash(session, "too-far", TODAY - timedelta(days=30), lonlat=FAR, deaths=3)
    factories.crash(session, "same-stake-other-road", TODAY - timedelta(days=30), route_code="G108", stake_m=1052300)
    refresh_crash_history(session, [hazard.id])
    stored = session.get(HazardCrashHistory, hazard.id)
    assert (stored.crashes, stored.deaths, stored.fatal) == (2, 1, 1)
    assert (stored.counted_from, stored.counted_to) == (months_before(TODAY, 36), TODAY)


def test_new_crashes_change_the_score_once_counted(session, people):
    hazard = report_hazard(session, _listed(title="点"), actor=SYSTEM)
    before = priority_sql.priorities(session, [hazard])[hazard.id]
    factories.crash(session, "new", TODAY - timedelta(days=2), lonlat=NEAR, deaths=1)
    assert priority_sql.priorities(session, [hazard])[hazard.id] == before  # stored, not counted per view
    refresh_crash_history(session, [hazard.id])  # what the crash import calls after it has written
    after = priority_sql.priorities(session, [hazard])[hazard.id]
    assert after.score == before.score + 2 + 8


def test_a_registered_hazard_counts_the_crashes_already_on_record(session, people):
    factories.crash(session, "earlier", TODAY - timedelta(days=60), lonlat=NEAR, deaths=1)
    hazard = report_hazard(session, _listed(title="点"), actor=SYSTEM)
    stored = session.get(HazardCrashHistory, hazard.id)
    assert (stored.crashes, stored.deaths) == (1, 1)


@pytest.mark.parametrize("run", ["job", "command"])
def test_the_nightly_job_counts_every_open_hazard(session, people, runner, run):
    from tasks.jobs import tally

    factories.register_groups(session, {"open": [_listed(title="开")], "closed": [draft(
        title="关", status=Status.CLOSED, level=SupervisionLevel.COUNTY, listed_on=TODAY - timedelta(days=80),
        deadline=TODAY - timedelta(days=10), completed_on=TODAY - timedelta(days=14),
        closed_on=TODAY - timedelta(days=12), found_on=TODAY - timedelta(days=90), batch_year=TODAY.year)]})
    factories.crash(session, "at-both", TODAY - timedelta(days=60), lonlat=NEAR)
    assert session.scalars(select(HazardCrashHistory)).all() == []  # a file's import leaves it to the job
    if run == "job":
        tally(str(TODAY))
    else:  # `hazards tally`, the same by hand (after an import, say)
        assert runner.invoke(args=["tally", "--as-of", str(TODAY)]).exit_code == 0
    counted = session.execute(select(Hazard.title, HazardCrashHistory.crashes).join(
        HazardCrashHistory, HazardCrashHistory.hazard_id == Hazard.id)).all()
    assert [tuple(r) for r in counted] == [("开", 1)]


def test_api_sort_by_priority_pages_through_every_hazard_once(api, planted, session):
    factories.register_groups(session, {"more": [_listed(title=f"补{i}", found_on=TODAY - timedelta(days=31 * i + 10))
                                                 for i in range(5)]})
    session.commit()
    whole = [i["id"] for i in api.get("city", "/api/v1/hazards?sort=priority&limit=500").get_json()["items"]]
    paged, url = [], "/api/v1/hazards?sort=priority&limit=2"
    while url:
        body = api.get("city", url).get_json()
        paged += [i["id"] for i in body["items"]]
        url = body["links"].get("next")
    assert paged == whole and len(set(paged)) == len(whole) == 9
    items = api.get("city", "/api/v1/hazards?sort=priority&limit=500").get_json()["items"]
    keys = [(i["priority"]["score"] if i["priority"] else -1, i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True)  # highest first, closed last, ties newest first
    assert api.get("city", "/api/v1/hazards?sort=priority&cursor=WzEsIjIiXQ").status_code == 400


def test_weights_are_a_setting():
    assert PriorityWeights.from_config({"PRIORITY_WEIGHTS": {"school_zone": 40}}).school_zone == 40
    assert PriorityWeights.from_config({}).crash == 2
    with pytest.raises(ValueError):
        PriorityWeights.from_config({"PRIORITY_WEIGHTS": {"schoolzone": 40}})
    with pytest.raises(ValueError):
        PriorityWeights.from_config({"PRIORITY_WEIGHTS": {"overdue": -1}})


def test_months_before_keeps_the_day_or_takes_the_month_end():
    assert months_before(date(2026, 11, 30), 36) == date(2023, 11, 30)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2024, 1, 15), 13) == date(2022, 12, 15)
