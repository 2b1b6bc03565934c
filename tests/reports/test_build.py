"""build_report against hand-made ledgers whose right answers are known, on SpatiaLite and PostGIS.

The main ledger has the shape of the Xinzhou year-end report (seeds/004): in 2024 the city completed
100 hazards, 68 supervised at ministry or province level, 5 at city level, 15 at county level, 3 not
listed, and 9 dynamic additions; with money spent of 24,623,500.00 yuan (2462万余元).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hazards.domain.enums import FundingKind, FundingSource, RoadClass
from hazards.reports import build_report, parse_period
from hazards.reports.build import Counts, ReportError
from hazards.reports.wording import paragraph_en, paragraph_zh
from hazards.services.reference import ReferenceData
from hazards.services.registration import register_hazards
from tests.reports.xinzhou import DEADLINE, TODAY, YEAR, L, spec


def counts(completed, total, closed, on_time, ahead, open_, overdue) -> Counts:
    return Counts(completed, total, closed, on_time, ahead, open_, overdue)


EXPECTED_LEVELS = {
    #                         completed total closed on_time ahead open overdue
    "ministry": counts(20, 20, 20, 20, 20, 0, 0),
    "province": counts(48, 48, 48, 40, 0, 0, 0),
    "ministry_province": counts(68, 68, 68, 60, 20, 0, 0),
    "city": counts(5, 8, 5, 5, 5, 3, 2),
    "county": counts(15, 17, 13, 13, 13, 4, 1),
    "none": counts(3, 3, 3, 0, 0, 0, 0),
    "annual": counts(91, 96, 89, 78, 38, 7, 3),
    "dynamic": counts(9, 10, 9, 9, 9, 1, 1),
    "total": counts(100, 106, 98, 87, 47, 8, 4),
}


def test_every_level_row(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=TODAY)
    assert [r.key for r in report.levels] == list(EXPECTED_LEVELS)
    assert {r.key: r.counts for r in report.levels} == EXPECTED_LEVELS
    assert report.level("annual").counts.rate == Decimal("0.9271")  # 89 / 96
    assert report.total.counts.rate == Decimal("0.9245")  # 98 / 106
    assert report.as_of == date(2024, 12, 31)


def test_money_by_level_kind_and_source(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=TODAY)
    money = report.total.money
    assert money.yuan(FundingKind.SPENDING) == Decimal("24623500.00")
    assert money.yuan(FundingKind.BUDGET) == Decimal("10123456.78")
    assert money.yuan(FundingKind.ALLOCATION) == Decimal("8000000.00")
    assert money.amounts == {
        (FundingKind.BUDGET, FundingSource.CENTRAL): Decimal("10000000.00"),
        (FundingKind.ALLOCATION, FundingSource.CENTRAL): Decimal("8000000.00"),
        (FundingKind.SPENDING, FundingSource.CENTRAL): Decimal("7500000.00"),
        (FundingKind.SPENDING, FundingSource.PROVINCE): Decimal("12345678.90"),
        (FundingKind.SPENDING, FundingSource.CITY): Decimal("4777821.10"),
        (FundingKind.BUDGET, FundingSource.COUNTY): Decimal("123456.78"),
    }
    assert report.level("ministry_province").money.yuan(FundingKind.SPENDING) == Decimal("19845678.90")
    assert report.level("dynamic").money.amounts == {(FundingKind.BUDGET, FundingSource.COUNTY): Decimal("123456.78")}
    assert report.level("county").money.amounts == {}  # its only entry is dated 2023


def test_units_and_fair_ranking(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=TODAY)
    units = {u.code: u for u in report.units}
    assert [u.code for u in report.units[:3]] == ["140981", "140902", "140921"]
    assert len(report.units) == 15  # 14 counties, all listed, and the city's own 本级 row last
    assert report.units[-1].own and report.units[-1].name == "忻州市本级"
    yuanping, xinfu, dingxiang, own = units["140981"], units["140902"], units["140921"], units["140900"]
    assert (yuanping.rank, yuanping.annual) == (1, counts(51, 51, 51, 40, 0, 0, 0))
    assert (xinfu.rank, xinfu.annual) == (2, counts(33, 34, 33, 33, 33, 1, 1))
    assert xinfu.dynamic == counts(9, 10, 9, 9, 9, 1, 1)
    assert xinfu.all == counts(42, 44, 42, 42, 42, 2, 2)
    # three on its list: below the minimum of 5, listed but not ranked
    assert (dingxiang.rank, dingxiang.annual) == (None, counts(2, 3, 0, 0, 0, 3, 0))
    assert (own.rank, own.annual) == (None, counts(5, 8, 5, 5, 5, 3, 2))
    assert units["140922"].annual == Counts() and units["140922"].rank is None
    assert xinfu.money.yuan(FundingKind.BUDGET) == Decimal("10123456.78")
    assert yuanping.money.yuan(FundingKind.SPENDING) == Decimal("12345678.90")
    assert own.money.yuan(FundingKind.SPENDING, FundingSource.CITY) == Decimal("4777821.10")


def test_ranking_minimum_is_configurable_and_ties_share_a_rank(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=TODAY, min_rank=3)
    assert [(u.code, u.rank) for u in report.units[:3]] == [("140981", 1), ("140902", 2), ("140921", 3)]
    for _ in range(5):  # Daixian: 5 of 5 closed, the same 100% as Yuanping
        register_hazards(session, [spec("代县", jurisdiction="140923", closed=date(2024, 6, 1))],
                         ref=ReferenceData(session))
    report = build_report(session, "140900", YEAR, today=TODAY)
    assert [(u.code, u.rank) for u in report.units[:3]] == [("140923", 1), ("140981", 1), ("140902", 3)]


def test_categories_count_a_hazard_under_each_of_its_categories(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=TODAY)
    assert {c.code: c.counts for c in report.categories} == {
        "sharp_curve": counts(20, 20, 20, 20, 20, 0, 0),
        "poor_sight": counts(20, 20, 20, 20, 20, 0, 0),
        "steep_grade": counts(15, 17, 13, 13, 13, 4, 1),
        "junction": counts(51, 51, 51, 40, 0, 0, 0),
        "missing_guardrail": counts(5, 8, 5, 5, 5, 3, 2),
        "through_village": counts(9, 10, 9, 9, 9, 1, 1),
    }
    assert [c.code for c in report.categories][:2] == ["sharp_curve", "steep_grade"]  # vocabulary order


def test_road_classes_roads_and_kilometres(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=TODAY)
    rows = {r.road_class: (r.completed, r.roads, r.km) for r in report.road_classes}
    assert rows == {
        RoadClass.NATIONAL: (20, 1, Decimal("0.000")),
        RoadClass.PROVINCIAL: (48, 1, Decimal("60.000")),
        RoadClass.COUNTY: (15, 2, Decimal("12.700")),  # X012 in Xinfu and X012 in Dingxiang are two roads
        RoadClass.TOWNSHIP: (9, 1, Decimal("0.000")),
        RoadClass.URBAN: (5, 1, Decimal("0.000")),
        None: (3, 0, Decimal("0.000")),
    }


def test_overdue_list(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=TODAY)
    assert report.overdue_count == 4
    got = [(o.title, o.level, o.jurisdiction_name, o.responsible_unit, o.deadline, o.days_overdue, o.dynamic_add)
           for o in report.overdue]
    assert got == [
        ("C市级逾期0", L.CITY, "忻州市", "忻州市住建局", DEADLINE, 61, False),
        ("C市级逾期1", L.CITY, "忻州市", "忻州市住建局", DEADLINE, 61, False),
        ("D县级次年销号", L.COUNTY, "忻府区", "忻府区交通运输局", DEADLINE, 61, False),
        ("F动态新增逾期", L.COUNTY, "忻府区", "豆罗镇人民政府", date(2024, 11, 30), 31, True),
    ]
    assert all(o.code.startswith(("140900-2024-", "140902-2024-")) for o in report.overdue)
    assert report.overdue[0].lon == pytest.approx(112.70 + 0.001 * len("C市级逾期0"))
    assert report.overdue[0].lat == pytest.approx(38.40)


def test_the_seed_paragraph(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=TODAY)
    # The fixture's 2023 holds two completions and a list of four (H_2023, D_2023): 同比 from them.
    assert paragraph_zh(report) == (
        "2024年，全市全年共完成道路交通安全隐患治理100处，较2023年增加98处，增长4900%。其中部省级督办点段68处、"
        "市级督办5处、县级督办15处、未挂牌3处，动态新增9处。2024年度清单内隐患96处，截至2024年12月31日已完成治理89处，"
        "治理率92.7%，较2023年提高42.7个百分点；按期完成78处（其中提前完成38处）；尚未完成7处，其中逾期3处。"
        "计入动态新增10处后，清单内隐患共106处，已完成治理98处，治理率92.5%。全年完成治理的隐患中，国道1条20处、"
        "省道1条48处（路段60.0公里）、县道2条15处（路段12.7公里）、乡道1条9处、城市道路1条5处、其他道路3处。"
        "全年投入治理资金2462万余元。"
    )
    assert paragraph_en(report) == (
        "In 2024, 100 road traffic-safety hazards were remediated across Xinzhou: 68 supervised at ministry or "
        "province level, 5 at city level, 15 at county level, 3 not listed for supervision and 9 dynamic additions. "
        "That is 98 more than in 2023 (up 4900%). "
        "Of the 96 hazards on the 2024 list, 89 had been remediated by 31 December 2024 (completion rate 92.7%, "
        "up 42.7 percentage points on 2023); 78 were completed on time (38 of them ahead of the deadline); "
        "7 remain open, 3 of them overdue. Including 10 dynamic "
        "additions, 98 of 106 have been remediated (completion rate 92.5%). Roads treated: 20 hazards on 1 national "
        "road; 48 hazards on 1 provincial road (60.0 km of sections); 15 hazards on 2 county roads (12.7 km of "
        "sections); 9 hazards on 1 township road; 5 hazards on 1 urban road; 3 hazards on other roads. "
        "Funding spent: 24.62 million yuan."
    )


def test_a_county_report_says_quanqu_and_has_only_its_own_row(session, xinzhou_ledger):
    report = build_report(session, "140902", YEAR, today=TODAY)
    assert paragraph_zh(report).startswith("2024年，全区全年共完成道路交通安全隐患治理42处，其中部省级督办点段20处、"
                                           "县级督办13处，动态新增9处。")
    assert [u.code for u in report.units] == ["140902"] and report.units[0].own
    assert build_report(session, "140981", YEAR, today=TODAY).total.counts.completed == 51
    assert paragraph_zh(build_report(session, "140981", YEAR, today=TODAY)).startswith("2024年，全市")  # 原平市
    assert paragraph_zh(build_report(session, "140921", YEAR, today=TODAY)).startswith("2024年，全县")  # 定襄县


def test_a_province_rolls_cities_up(session, xinzhou_ledger):
    report = build_report(session, "140000", YEAR, today=TODAY)
    units = {u.code: u for u in report.units}
    assert len(units) == 11 and "140000" not in units  # every city of Shanxi; nothing filed at the province: no 本级 row
    assert {code for code, unit in units.items() if unit.all.total or unit.all.completed} == {"140100", "140900"}
    assert units["140900"].all.completed == 100 and units["140100"].all.completed == 1
    assert report.total.counts.completed == 101
    assert paragraph_zh(report).startswith("2024年，全省全年共完成")


def test_level_filter(session, xinzhou_ledger):
    city = build_report(session, "140900", YEAR, level="city", today=TODAY)
    assert city.level_filter == "city"
    assert city.total.counts == counts(5, 8, 5, 5, 5, 3, 2) and city.level("county").counts == Counts()
    assert city.overdue_count == 2
    assert paragraph_zh(city).startswith("2024年，全市全年共完成市级督办道路交通安全隐患治理5处。2024年度清单内隐患8处")
    merged = build_report(session, "140900", YEAR, level="部省级", today=TODAY)
    assert merged.level_filter == "ministry_province" and merged.total.counts.completed == 68
    assert build_report(session, "140900", YEAR, level="县级督办", today=TODAY).level_filter == "county"
    with pytest.raises(ReportError, match="is not a supervision level"):
        build_report(session, "140900", YEAR, level="乡级", today=TODAY)


def test_a_quarter_is_judged_at_its_own_end(session, xinzhou_ledger):
    report = build_report(session, "140900", parse_period(2024, quarter_=3), today=TODAY)
    assert report.as_of == date(2024, 9, 30)
    # completed in Q3: A (30 Sep) and D (1 Aug); on the 2024 list everything found by 30 Sep
    assert report.level("annual").counts == counts(33, 96, 41, 38, 38, 55, 0)
    assert report.level("dynamic").counts == counts(0, 10, 0, 0, 0, 10, 0)
    assert report.total.money.yuan(FundingKind.SPENDING) == Decimal("7500000.00")  # A's, dated 1 Sep


def test_overdue_is_judged_today_while_the_period_runs(session):
    register_hazards(session, [spec("今年逾期", deadline=date(2024, 11, 1))], ref=ReferenceData(session))
    before = build_report(session, "140902", YEAR, today=date(2024, 10, 15))
    assert before.as_of == date(2024, 10, 15) and before.total.counts.overdue == 0 and before.overdue == []
    after = build_report(session, "140902", YEAR, today=date(2024, 11, 15))
    assert after.total.counts.overdue == 1 and after.overdue[0].days_overdue == 14


def test_no_hazards(session):
    report = build_report(session, "140900", YEAR, today=TODAY)
    assert all(r.counts == Counts() and r.counts.rate is None for r in report.levels)
    assert report.overdue == [] and report.overdue_count == 0 and report.categories == []
    assert all(u.rank is None for u in report.units)
    assert paragraph_zh(report) == "2024年，全市全年暂无完成治理的道路交通安全隐患。2024年度清单内暂无道路交通安全隐患。"
    assert paragraph_en(report) == ("In 2024, no road traffic-safety hazard was remediated across Xinzhou. "
                                    "There were no hazards on the 2024 list.")


def test_unknown_jurisdiction(session):
    with pytest.raises(ReportError, match="No division has the code"):
        build_report(session, "149999", YEAR)


# ---- the previous period beside this one --------------------------------------------------------------

def test_the_previous_period_is_the_same_report_built_for_it(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=TODAY)
    direct = build_report(session, "140900", parse_period(2023), today=TODAY, with_map=False)
    assert report.previous.period == direct.period == parse_period(2023)
    assert {r.key: r.counts for r in report.previous.levels} == {r.key: r.counts for r in direct.levels}
    # 2023: H_2023 closed ahead of its deadline; D_2023 still open at the year's end, not yet overdue on 31 Dec
    assert report.previous.total.counts == counts(2, 4, 2, 2, 2, 2, 0)
    assert report.previous.total.money.amounts == {}  # D's 2023 budget line belongs to a hazard found in 2024
    assert report.previous.previous is None and report.previous.boundaries == []
    quarter = build_report(session, "140900", parse_period(2024, quarter_=1), today=TODAY)
    assert quarter.previous.period == parse_period(2023, quarter_=4)
    assert quarter.previous.total.counts.completed == 2  # H_2023 was closed on 1 November 2023
    assert "一季度共完成道路交通安全隐患治理2处，与上季度持平。" in paragraph_zh(quarter)  # D_2023, 1 Feb 2024


def test_a_year_with_nothing_before_it_says_nothing_about_it(session, xinzhou_ledger):
    xinfu = build_report(session, "140902", YEAR, today=TODAY)  # nothing of Xinfu's in 2023
    assert xinfu.previous is None
    assert "较" not in paragraph_zh(xinfu) and "than in" not in paragraph_en(xinfu)
    assert build_report(session, "140900", parse_period(2023), today=TODAY).previous is None  # nothing in 2022
    assert build_report(session, "140900", YEAR, today=TODAY, with_previous=False).previous is None


def test_a_running_year_is_compared_with_the_same_part_of_the_year_before(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=date(2024, 11, 15))
    assert report.previous.period == parse_period(start=date(2023, 1, 1), end=date(2023, 11, 15))
    assert report.previous.total.counts.completed == 2
    assert "2024年，全市年内共完成道路交通安全隐患治理100处，较上年同期增加98处" in paragraph_zh(report)
    assert "than in the same part of 2023" in paragraph_en(report)
