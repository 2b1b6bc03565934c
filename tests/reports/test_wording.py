"""The paragraph and number formats, on hand-made reports (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hazards.domain.enums import FundingKind, FundingSource, JurisdictionLevel, RoadClass
from hazards.reports.build import BUCKETS, CompletionReport, Counts, LevelRow, RoadClassRow
from hazards.reports.period import parse_period
from hazards.reports.wording import km_text, paragraph_en, paragraph_zh, percent, scope_word_zh, wan, wan_zh


@pytest.mark.parametrize("yuan, text", [
    ("24623500.00", "2462万余元"),   # 2462.35万: floored, with a remainder
    ("24620000.00", "2462万元"),     # exactly 2462万: no 余
    ("24620000.01", "2462万余元"),   # one fen over is still a remainder
    ("24629999.99", "2462万余元"),   # floored, never rounded up to 2463
    ("10000.00", "1万元"),
    ("3500.00", "0.35万元"),         # under one 万, flooring would say 0
    ("0", "0.00万元"),
])
def test_wan_in_a_sentence(yuan, text):
    assert wan_zh(Decimal(yuan)) == text


def test_wan_in_a_table():
    assert wan(Decimal("24623500.00")) == "2462.35"
    assert wan(Decimal("12345678.90")) == "1234.57"  # half up
    assert wan(Decimal("49.99")) == "0.00" and wan(Decimal("50.00")) == "0.01"


@pytest.mark.parametrize("part, whole, places, text", [
    (89, 96, 1, "92.7%"), (89, 96, 2, "92.71%"), (5, 5, 1, "100%"), (5, 5, 2, "100.00%"), (0, 3, 1, "0%"),
    (2, 3, 1, "66.7%"), (1, 8, 1, "12.5%"), (0, 0, 1, "—"), (0, 0, 2, "—"),
])
def test_percent(part, whole, places, text):
    assert percent(part, whole, places) == text


@pytest.mark.parametrize("name, level, word", [
    ("忻州市", JurisdictionLevel.CITY, "全市"), ("原平市", JurisdictionLevel.COUNTY, "全市"),
    ("忻府区", JurisdictionLevel.COUNTY, "全区"), ("定襄县", JurisdictionLevel.COUNTY, "全县"),
    ("山西省", JurisdictionLevel.PROVINCE, "全省"), ("广西壮族自治区", JurisdictionLevel.PROVINCE, "全区"),
    ("北京市", JurisdictionLevel.PROVINCE, "全市"), ("鄂托克旗", JurisdictionLevel.COUNTY, "全旗"),
    ("全国", JurisdictionLevel.NATIONAL, "全国"), ("某地", JurisdictionLevel.CITY, "全市"),
])
def test_scope_word(name, level, word):
    assert scope_word_zh(name, level) == word


@pytest.mark.parametrize("metres, text", [(261_000, "261"), (261_040, "261"), (8_550, "8.6"), (900, "0.9"), (0, "0")])
def test_kilometres(metres, text):
    assert km_text(RoadClassRow(RoadClass.COUNTY, 1, 1, metres)) == text


def make_report(period=None, name="忻州市", level=JurisdictionLevel.CITY, level_filter=None, roads=(), spent=None,
                **rows: Counts) -> CompletionReport:
    levels = [LevelRow(key, zh, en, rows.get(key, Counts())) for key, zh, en in BUCKETS]
    report = CompletionReport(
        jurisdiction_code="140900", jurisdiction_name=name, jurisdiction_name_en="Xinzhou", jurisdiction_level=level,
        period=period or parse_period(2024), level_filter=level_filter, today=date(2025, 1, 20),
        as_of=(period or parse_period(2024)).end, min_rank=5, levels=levels, units=[], categories=[],
        road_classes=list(roads), overdue=[], overdue_count=0)
    if spent:
        report.total.money.put(FundingKind.SPENDING, FundingSource.COUNTY, Decimal(spent))
    return report


def test_all_done_no_dynamic_additions():
    annual = Counts(completed=12, total=12, closed=12, on_time=12, ahead=0)
    report = make_report(county=annual, annual=annual, total=annual, spent="120000.00")
    assert paragraph_zh(report) == (
        "2024年全市共完成道路交通安全隐患治理12处，其中县级督办点段12处。2024年度清单内隐患12处，截至2024年12月31日"
        "已完成治理12处，治理率100%，其中按期完成12处，已全部完成。累计投入治理资金12万元。")
    assert paragraph_en(report) == (
        "In 2024, 12 road traffic-safety hazards were remediated across Xinzhou: 12 supervised at county level. "
        "Of the 12 hazards on the 2024 list, 12 had been remediated by 31 December 2024 (completion rate 100%), "
        "12 of them on time; all have been completed. Funding spent: 120,000 yuan.")


def test_open_but_none_overdue_in_a_quarter_of_a_district():
    annual = Counts(completed=1, total=3, closed=1, on_time=0, ahead=0, open=2, overdue=0)
    report = make_report(parse_period(2024, quarter_=1), name="忻府区", level=JurisdictionLevel.COUNTY,
                         city=annual, annual=annual, total=annual)
    assert paragraph_zh(report) == (
        "2024年第一季度全区共完成道路交通安全隐患治理1处，其中市级督办点段1处。2024年度清单内隐患3处，截至2024年3月31日"
        "已完成治理1处，治理率33.3%；尚未完成2处，均未逾期。")
    assert paragraph_en(report).startswith(
        "In Q1 2024, 1 road traffic-safety hazard was remediated across Xinzhou: 1 supervised at city level. "
        "Of the 3 hazards on the 2024 list, 1 had been remediated by 31 March 2024 (completion rate 33.3%); "
        "2 remain open, none overdue.")


def test_only_dynamic_additions_completed_over_a_date_range():
    dynamic = Counts(completed=2, total=2, closed=2, on_time=2, ahead=2)
    period = parse_period(start=date(2024, 3, 1), end=date(2024, 6, 30))
    report = make_report(period, dynamic=dynamic, total=dynamic)
    assert paragraph_zh(report) == (
        "2024年3月1日至2024年6月30日全市共完成道路交通安全隐患治理2处，其中动态新增2处。2024年度清单内暂无道路交通安全隐患。"
        "计入动态新增2处后，清单内隐患共2处，已完成治理2处，治理率100%。")
    assert paragraph_en(report) == (
        "From 1 March 2024 to 30 June 2024, 2 road traffic-safety hazards were remediated across Xinzhou: "
        "2 dynamic additions. There were no hazards on the 2024 list. Including 2 dynamic additions, 2 of 2 have "
        "been remediated (completion rate 100%).")


def test_half_year_level_filter_and_roads_without_sections():
    city = Counts(completed=1, total=1, closed=1, on_time=1, ahead=1)
    report = make_report(parse_period(2024, half_=2), level_filter="city", city=city, annual=city, total=city,
                         roads=[RoadClassRow(RoadClass.URBAN, 1, 1, 0)], spent="3500.00")
    assert paragraph_zh(report) == (
        "2024年下半年全市共完成市级督办道路交通安全隐患治理1处。2024年度清单内隐患1处，截至2024年12月31日已完成治理1处，"
        "治理率100%，其中按期完成1处、提前完成1处，已全部完成。按道路类别，完成了1条城市道路1处隐患治理。"
        "累计投入治理资金0.35万元。")
    assert paragraph_en(report) == (
        "In the second half of 2024, 1 city-level road traffic-safety hazard was remediated across Xinzhou. "
        "Of the 1 city-level hazard on the 2024 list, 1 had been remediated by 31 December 2024 (completion rate "
        "100%), 1 of them on time and 1 ahead of the deadline; all have been completed. Roads treated: 1 hazard on "
        "1 urban road. Funding spent: 3,500 yuan.")


def test_a_range_across_two_years_names_both_lists():
    period = parse_period(start=date(2023, 11, 1), end=date(2024, 2, 29))
    annual = Counts(completed=0, total=4, closed=0, open=4, overdue=4)
    report = make_report(period, county=annual, annual=annual, total=annual)
    assert paragraph_zh(report) == (
        "2023年11月1日至2024年2月29日全市暂无完成治理的道路交通安全隐患。2023—2024年度清单内隐患4处，"
        "截至2024年2月29日已完成治理0处，治理率0%；尚未完成4处，其中逾期4处。")
    assert "Of the 4 hazards on the 2023–2024 lists" in paragraph_en(report)
