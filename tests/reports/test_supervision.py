"""Supervision work (督办工作) and the multi-year trend in the completion report, on SpatiaLite and PostGIS.

The supervision ledger is small and fixed: every figure of the 督办工作情况 table is counted by hand
below, with one record of each kind just outside the period (by date, or by the local day of a stored
timestamp), outside the division, of the wrong kind, or on a rejected or merged hazard. The rule for
those: the report's scope is the hazards' *current* status, so a rejected or merged hazard's history is
never counted, even what happened before it was rejected or merged (docs/reports.md).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hazards import clock
from hazards.domain.enums import EventKind, ExtensionState, FundingKind, Status
from hazards.models import ExtensionRequest, HazardEvent, LevelChange, Organization, ReminderSent, StatusChange
from hazards.reports import build_report, parse_period
from hazards.reports.formats import render_context, tables, to_csv, to_html, to_json
from hazards.reports.supervision import Supervision
from hazards.reports.wording import paragraph_en, paragraph_zh, supervision_en, supervision_zh
from tests.reports.xinzhou import TODAY, YEAR, L, spec


def at(y, m, d, hour=10, minute=0) -> datetime:
    """A wall-clock time in the ledger's zone as the database stores it (naive UTC)."""
    return clock.as_stored(datetime(y, m, d, hour, minute))


@pytest.fixture
def ledger(session):
    from tests.factories import register_groups

    ids = register_groups(session, {
        # Listed at county level in March, raised to city level in May: listed 县级, raised once.
        "raised": [spec("甲县级提级", level=L.CITY, unit="忻府区交通运输局")],
        # Province level in Yuanping.
        "province": [spec("乙省级", jurisdiction="140981", level=L.PROVINCE, unit="原平市公路段")],
        # City level: listed late on New Year's Eve (local), in the period; its twin listed just after
        # midnight on New Year's Day (local, still 2024 in UTC), not in it.
        "city": [spec("丙市级", level=L.CITY, unit="忻府区交通运输局")],
        "city_2025": [spec("丁市级次年挂牌", level=L.CITY)],
        # Listed the year before.
        "city_2023": [spec("戊市级上年挂牌", level=L.CITY, batch=2023, found=date(2023, 5, 1))],
        # Closed in 2024, looked back at twice and reopened.
        "closed": [spec("己已销号", level=L.COUNTY, closed=date(2024, 6, 30))],
        # Never counted: rejected, merged, another city.
        "rejected": [spec("X不予认定", status=Status.REJECTED, unit="豆罗镇人民政府")],
        "merged": [spec("X重复", status=Status.MERGED)],
        "taiyuan": [spec("X太原", jurisdiction="140100", level=L.CITY, unit="太原市公路局")],
    })
    one = {name: group[0] for name, group in ids.items()}

    def listed(name, level, when, before=L.NONE):
        session.add(StatusChange(hazard_id=one[name], action="list", from_status=Status.VERIFIED,
                                 to_status=Status.LISTED, changed_at=when))
        # The listing's own level change is written a little after the status change, as the demo does.
        session.add(LevelChange(hazard_id=one[name], from_level=before, to_level=level,
                                changed_at=when.replace(minute=when.minute + 1)))

    def event(name, kind, on):
        session.add(HazardEvent(hazard_id=one[name], kind=kind, happened_on=on, note="…"))

    def extension(name, state, decided):
        session.add(ExtensionRequest(hazard_id=one[name], requested_deadline=date(2025, 3, 31), reason="…",
                                     state=state, requested_at=at(2024, 8, 1), decided_at=decided))

    listed("raised", L.COUNTY, at(2024, 3, 10))
    session.add(LevelChange(hazard_id=one["raised"], from_level=L.COUNTY, to_level=L.CITY, changed_at=at(2024, 5, 1)))
    listed("province", L.PROVINCE, at(2024, 3, 15))
    listed("city", L.CITY, at(2024, 12, 31, 23, 30))
    listed("city_2025", L.CITY, at(2025, 1, 1, 0, 30))
    listed("city_2023", L.CITY, at(2023, 12, 20))
    session.add(LevelChange(hazard_id=one["city_2023"], from_level=L.COUNTY, to_level=L.CITY,
                            changed_at=at(2023, 12, 28)))  # raised, but in 2023
    listed("rejected", L.COUNTY, at(2024, 3, 10))
    listed("taiyuan", L.CITY, at(2024, 3, 10))

    event("raised", EventKind.NOTICE, date(2024, 6, 1))
    event("raised", EventKind.SUMMONS, date(2024, 7, 1))
    event("raised", EventKind.ACCOUNTABILITY, date(2024, 9, 1))
    event("province", EventKind.NOTICE, date(2024, 7, 15))
    event("city", EventKind.NOTICE, date(2024, 12, 31))  # same unit as 甲: two units in all
    event("city", EventKind.NOTICE, date(2025, 1, 5))  # after the period
    event("city", EventKind.SUMMONS, date(2023, 12, 31))  # before it
    event("city", EventKind.PROGRESS, date(2024, 8, 1))  # progress is not supervision
    event("rejected", EventKind.NOTICE, date(2024, 4, 1))
    event("rejected", EventKind.SUMMONS, date(2024, 4, 2))
    event("taiyuan", EventKind.SUMMONS, date(2024, 4, 2))
    event("closed", EventKind.LOOKBACK, date(2024, 9, 1))
    event("closed", EventKind.LOOKBACK, date(2024, 11, 1))  # the same hazard again: still 1处
    event("province", EventKind.LOOKBACK, date(2024, 10, 1))
    event("merged", EventKind.LOOKBACK, date(2024, 10, 1))

    extension("raised", ExtensionState.GRANTED, at(2024, 9, 1))
    extension("province", ExtensionState.REFUSED, at(2024, 10, 1))
    extension("city", ExtensionState.GRANTED, at(2025, 1, 3))  # decided after the period
    extension("city", ExtensionState.PENDING, None)
    extension("rejected", ExtensionState.GRANTED, at(2024, 5, 1))

    session.add(StatusChange(hazard_id=one["closed"], action="reopen", from_status=Status.CLOSED,
                             to_status=Status.IN_REMEDIATION, changed_at=at(2024, 11, 15)))
    session.add(StatusChange(hazard_id=one["taiyuan"], action="reopen", from_status=Status.CLOSED,
                             to_status=Status.IN_REMEDIATION, changed_at=at(2024, 11, 15)))

    for name, stage, as_of in (("raised", "escalate", date(2024, 11, 20)), ("raised", "overdue_w1", date(2024, 11, 7)),
                               ("province", "escalate", date(2025, 1, 2)), ("taiyuan", "escalate", date(2024, 11, 20))):
        session.add(ReminderSent(hazard_id=one[name], stage=stage, deadline=date(2024, 10, 31), as_of=as_of))
    session.flush()
    return one


EXPECTED_CITY = Supervision(listed={L.COUNTY: 1, L.PROVINCE: 1, L.CITY: 1}, raised=1, notices=3, summons=1,
                            accountability=1, units_concerned=2, extensions_granted=1, extensions_refused=1,
                            lookbacks=2, reopened=1, escalations=1)


def test_every_count_of_the_city_year(session, ledger):
    report = build_report(session, "140900", YEAR, today=TODAY)
    assert report.supervision == EXPECTED_CITY
    assert report.supervision.listed_total == 3


def test_a_county_sees_its_own_work_only(session, ledger):
    yuanping = build_report(session, "140981", YEAR, today=TODAY).supervision
    assert yuanping == Supervision(listed={L.PROVINCE: 1}, notices=1, units_concerned=1, extensions_refused=1,
                                   lookbacks=1)


def test_a_level_filter_is_the_reports_own(session, ledger):
    # The level filter is the hazard's level now, as everywhere in the report: 甲 is now city level.
    county = build_report(session, "140900", YEAR, level="county", today=TODAY).supervision
    assert county == Supervision(lookbacks=1, reopened=1)
    city = build_report(session, "140900", YEAR, level="city", today=TODAY).supervision
    assert city.listed == {L.COUNTY: 1, L.CITY: 1} and city.raised == 1 and city.notices == 2


def test_a_quarter_counts_its_own_months(session, ledger):
    q4 = build_report(session, "140900", parse_period(2024, quarter_=4), today=TODAY).supervision
    assert q4 == Supervision(listed={L.CITY: 1}, notices=1, units_concerned=1, extensions_refused=1, lookbacks=2,
                             reopened=1, escalations=1)


def test_the_table_json_and_sentences(session, ledger):
    report = build_report(session, "140900", YEAR, today=TODAY)
    table = next(t for t in tables(report) if t.key == "supervision")
    assert table.title("zh") == "督办工作情况"
    assert {row[0]: row[1] for row in table.rows} == {
        "挂牌督办": 3, "其中：部级": 0, "其中：省级": 1, "其中：市级": 1, "其中：县级": 1, "提级督办": 1,
        "通报": 3, "约谈": 1, "问责": 1, "通报、约谈、问责涉及责任单位": 2, "批准延期": 1, "不予延期": 1,
        "回头看": 2, "重新整改（销号后重新打开）": 1, "逾期提醒升级上报": 1}
    assert next(t for t in tables(report, "en") if t.key == "supervision").rows[0] == ["Listed for supervision", 3,
                                                                                       "hazards"]
    assert to_json(report)["supervision"] == {
        "listed": {"total": 3, "ministry": 0, "province": 1, "city": 1, "county": 1}, "raised": 1, "notices": 3,
        "summons": 1, "accountability": 1, "units_concerned": 2, "extensions": {"granted": 1, "refused": 1},
        "lookbacks": 2, "reopened": 1, "escalations": 1}
    sentence = ("全年挂牌督办隐患3处（其中省级1处、市级1处、县级1处），提级督办1处，通报3次、约谈1次、问责1次（涉及2个责任单位），"
                "批准延期1处、不予延期1处，开展回头看2处、重新整改1处，逾期提醒升级上报1处。")
    assert supervision_zh(report) == sentence and paragraph_zh(report).endswith(sentence)
    assert supervision_en(report) == (
        "Supervision work in the year: 3 hazards listed for supervision (1 province, 1 city and 1 county level); "
        "1 raised to a higher level; 3 public notices, 1 summons and 1 accountability action (concerning 2 "
        "responsible units); extensions granted for 1 hazard and refused for 1 hazard; 2 hazards looked back at; "
        "1 hazard reopened for further work; 1 overdue hazard escalated by the reminders.")
    assert paragraph_en(report).endswith(supervision_en(report))
    assert "【督办工作情况】" in to_csv(report) and "逾期提醒升级上报,1,处" in to_csv(report)


@pytest.mark.parametrize("work, zh, en", [
    (Supervision(), "", ""),
    (Supervision(listed={L.CITY: 2}, summons=1), "全年挂牌督办隐患2处（均为市级），约谈1次。",
     "Supervision work in the year: 2 hazards listed for supervision (2 city level); 1 summons."),
    (Supervision(notices=2, units_concerned=1, extensions_refused=1), "全年通报2次（涉及1个责任单位），不予延期1处。",
     "Supervision work in the year: 2 public notices (concerning 1 responsible unit); extensions refused for 1 hazard."),
    (Supervision(lookbacks=3), "全年开展回头看3处。", "Supervision work in the year: 3 hazards looked back at."),
    (Supervision(reopened=1, escalations=2), "全年重新整改1处，逾期提醒升级上报2处。",
     "Supervision work in the year: 1 hazard reopened for further work; 2 overdue hazards escalated by the reminders."),
])
def test_the_sentence_leaves_out_what_is_zero(session, ledger, work, zh, en):
    report = build_report(session, "140900", YEAR, today=TODAY)
    report.supervision = work
    assert supervision_zh(report) == zh and supervision_en(report) == en
    if not zh:
        assert "挂牌督办隐患" not in paragraph_zh(report) and "Supervision work" not in paragraph_en(report)


def test_a_quarter_says_so(session, ledger):
    q4 = build_report(session, "140900", parse_period(2024, quarter_=4), today=TODAY)
    assert supervision_zh(q4).startswith("本季度挂牌督办隐患1处（均为市级）")
    assert supervision_en(q4).startswith("Supervision work in the quarter: 1 hazard listed")


# ---- the multi-year trend ---------------------------------------------------------------------------

def test_trend_rates_are_each_years_own_report(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=TODAY, with_trend=True)
    assert [p.year for p in report.trend] == [2023, 2024]  # 2025's list was found after the period
    for point in report.trend:
        yearly = build_report(session, "140900", parse_period(point.year), today=TODAY)
        assert point.annual == yearly.level("annual").counts
        assert point.annual.rate == yearly.level("annual").counts.rate
        assert point.spent == yearly.total.money.yuan(FundingKind.SPENDING)
    assert report.trend[0].annual.rate is not None and report.trend[1].spent == report.total.money.yuan(
        FundingKind.SPENDING)
    assert to_json(report)["trend"][1] == {"year": 2024, "completed": 91, "total": 96, "closed": 89, "rate": "92.71",
                                           "on_time": 78, "ahead": 38, "open": 7, "overdue": 3, "spent": "2462.35"}


def test_trend_chart_with_two_years_and_not_with_one(reports_app, session, xinzhou_ledger):
    two = build_report(session, "140900", YEAR, today=TODAY, with_trend=True)
    with reports_app.test_request_context():
        chart = render_context(two, "zh")["trend_chart"]
        assert chart is not None and "历年治理情况" in chart and "2023年" in chart and "2024年" in chart
        assert "92.7%" in chart and "2462.35" in chart  # the 2024 list's rate and money, as the report says
        assert "Year by year" in render_context(two, "en")["trend_chart"]
        assert "历年治理情况" in to_html(two)  # the PDF's source
        one = build_report(session, "140900", parse_period(2023), today=TODAY, with_trend=True)
        assert one.trend == [] and render_context(one, "zh")["trend_chart"] is None
        assert "历年治理情况" not in to_html(one)
        only_2024 = build_report(session, "140900", YEAR, level="ministry", today=TODAY, with_trend=True)
        assert only_2024.trend == [] and render_context(only_2024, "zh")["trend_chart"] is None
    assert build_report(session, "140900", YEAR, today=TODAY).trend == []  # only built when asked for


def test_the_page_draws_the_trend(reports_app, client, auth, session, xinzhou_ledger):
    from tests.factories import user

    auth.login(user(session, "supervisor", "140900"))
    page = client.get("/reports?jurisdiction=140900&year=2024").get_data(as_text=True)
    assert "历年治理情况" in page and "督办工作情况" in page
    assert "历年治理情况" not in client.get("/reports?jurisdiction=140900&year=2023").get_data(as_text=True)


@pytest.fixture
def reports_app(app):
    from hazards.web.reports import bp

    if "reports" not in app.blueprints:
        app._got_first_request = False
        app.register_blueprint(bp)
    return app


def test_what_the_services_record_is_counted(session, people):
    """Through the real paths: listed at county level, raised to city, 通报 and 约谈, an extension refused;
    each stamped now by the services, so counted in this year's report and in no other."""
    from hazards.services.registration import report_hazard
    from hazards.services.requirements import ActionInput
    from hazards.services.supervision import decide_extension, log_event, raise_level, request_extension
    from hazards.services.workflow import change_status
    from tests.factories import draft

    today = clock.today()
    body = Organization(name="忻府区人民政府", kind="supervising", jurisdiction_code="140902")
    session.add(body)
    hazard = report_hazard(session, draft(responsible_unit="忻府区交通运输局"), actor=people["inspector"])
    change_status(session, hazard.id, "verify", people["county"], today=today)
    change_status(session, hazard.id, "list", people["county"], ActionInput(
        level=L.COUNTY, deadline=today.replace(year=today.year + 1), supervising_body_id=body.id), today=today)
    raise_level(session, hazard.id, people["city"], L.CITY, "涉及多部门，提级督办")
    log_event(session, hazard.id, people["city"], EventKind.NOTICE, "逾期未完成整改，予以通报")
    log_event(session, hazard.id, people["city"], EventKind.SUMMONS, "约谈责任单位主要负责人")
    request = request_extension(session, hazard.id, people["inspector"], today.replace(year=today.year + 2), "资金未到位")
    decide_extension(session, request.id, people["city"], grant=False, note="理由不充分")

    this_year = build_report(session, "140900", parse_period(today.year), today=today).supervision
    assert this_year == Supervision(listed={L.COUNTY: 1}, raised=1, notices=1, summons=1, units_concerned=1,
                                    extensions_refused=1)
    assert build_report(session, "140900", parse_period(today.year - 1), today=today).supervision == Supervision()
