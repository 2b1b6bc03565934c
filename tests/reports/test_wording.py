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


@pytest.mark.parametrize("metres, text", [(261_000, "261.0"), (261_040, "261.0"), (8_550, "8.6"), (900, "0.9"),
                                          (9_000, "9.0"), (27_240, "27.2"), (0, "0.0")])
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
        "2024年，全市全年共完成道路交通安全隐患治理12处，其中县级督办点段12处。2024年度清单内隐患12处，"
        "截至2024年12月31日已完成治理12处，治理率100%；按期完成12处。全年投入治理资金12万元。")
    assert paragraph_en(report) == (
        "In 2024, 12 road traffic-safety hazards were remediated across Xinzhou: 12 supervised at county level. "
        "Of the 12 hazards on the 2024 list, 12 had been remediated by 31 December 2024 (completion rate 100%); "
        "12 were completed on time. Funding spent: 120,000 yuan.")


def test_open_but_none_overdue_in_a_quarter_of_a_district():
    annual = Counts(completed=1, total=3, closed=1, on_time=0, ahead=0, open=2, overdue=0)
    report = make_report(parse_period(2024, quarter_=1), name="忻府区", level=JurisdictionLevel.COUNTY,
                         city=annual, annual=annual, total=annual)
    assert paragraph_zh(report) == (
        "2024年，全区一季度共完成道路交通安全隐患治理1处，其中市级督办点段1处。2024年度清单内隐患3处，"
        "截至2024年3月31日已完成治理1处，治理率33.3%；尚未完成2处，均未逾期。")
    assert paragraph_en(report).startswith(
        "In Q1 2024, 1 road traffic-safety hazard was remediated across Xinzhou: 1 supervised at city level. "
        "Of the 3 hazards on the 2024 list, 1 had been remediated by 31 March 2024 (completion rate 33.3%); "
        "2 remain open, none overdue.")


def test_only_dynamic_additions_completed_over_a_date_range():
    dynamic = Counts(completed=2, total=2, closed=2, on_time=2, ahead=2)
    period = parse_period(start=date(2024, 3, 1), end=date(2024, 6, 30))
    report = make_report(period, dynamic=dynamic, total=dynamic)
    assert paragraph_zh(report) == (
        "2024年3月1日至2024年6月30日，全市期内共完成道路交通安全隐患治理2处，其中动态新增2处。"
        "2024年度清单内暂无道路交通安全隐患。计入动态新增2处后，清单内隐患共2处，已完成治理2处，治理率100%。")
    assert paragraph_en(report) == (
        "From 1 March 2024 to 30 June 2024, 2 road traffic-safety hazards were remediated across Xinzhou: "
        "2 dynamic additions. There were no hazards on the 2024 list. Including 2 dynamic additions, 2 of 2 have "
        "been remediated (completion rate 100%).")


def test_half_year_level_filter_and_roads_without_sections():
    city = Counts(completed=1, total=1, closed=1, on_time=1, ahead=1)
    report = make_report(parse_period(2024, half_=2), level_filter="city", city=city, annual=city, total=city,
                         roads=[RoadClassRow(RoadClass.URBAN, 1, 1, 0)], spent="3500.00")
    assert paragraph_zh(report) == (
        "2024年，全市下半年共完成市级督办道路交通安全隐患治理1处。2024年度清单内隐患1处，截至2024年12月31日"
        "已完成治理1处，治理率100%；按期完成1处（其中提前完成1处）。下半年完成治理的隐患中，城市道路1条1处。"
        "下半年投入治理资金0.35万元。")
    assert paragraph_en(report) == (
        "In the second half of 2024, 1 city-level road traffic-safety hazard was remediated across Xinzhou. "
        "Of the 1 city-level hazard on the 2024 list, 1 had been remediated by 31 December 2024 (completion rate "
        "100%); 1 was completed on time (1 of them ahead of the deadline). Roads treated: 1 hazard on "
        "1 urban road. Funding spent: 3,500 yuan.")


def test_a_range_across_two_years_names_both_lists():
    period = parse_period(start=date(2023, 11, 1), end=date(2024, 2, 29))
    annual = Counts(completed=0, total=4, closed=0, open=4, overdue=4)
    report = make_report(period, county=annual, annual=annual, total=annual)
    assert paragraph_zh(report) == (
        "2023年11月1日至2024年2月29日，全市期内暂无完成治理的道路交通安全隐患。2023—2024年度清单内隐患4处，"
        "截至2024年2月29日已完成治理0处，治理率0%；尚未完成4处，其中逾期4处。")
    assert "Of the 4 hazards on the 2023–2024 lists" in paragraph_en(report)


# ---- the wording rules of the year-end summary (issue: reports an office can send as they are) -------------

# The demo city's 2025 shape: 159 completed in the year (earlier lists and dynamic additions included),
# 156 on the 2025 list of which 148 closed, 129 on time of which 124 ahead.
LIST_2025 = Counts(completed=150, total=156, closed=148, on_time=129, ahead=124, open=8, overdue=3)
DYNAMIC_2025 = Counts(completed=9, total=9, closed=9, on_time=9, ahead=9)
TOTAL_2025 = Counts(completed=159, total=165, closed=157, on_time=138, ahead=133, open=8, overdue=3)
NATIONAL = RoadClassRow(RoadClass.NATIONAL, 39, 5, 27_200)
PROVINCIAL = RoadClassRow(RoadClass.PROVINCIAL, 12, 2, 9_000)


def year_2025(previous=None, spent="24623500.00", roads=(NATIONAL, PROVINCIAL)) -> CompletionReport:
    report = make_report(parse_period(2025), county=LIST_2025, annual=LIST_2025, dynamic=DYNAMIC_2025,
                         total=TOTAL_2025, roads=roads, spent=spent)
    report.previous = previous
    return report


def year_2024(completed: int, total: int, closed: int, spent: str | None = None) -> CompletionReport:
    annual = Counts(completed=completed, total=total, closed=closed, on_time=closed, open=total - closed)
    return make_report(parse_period(2024), county=annual, annual=annual, total=annual, spent=spent)


def test_ahead_is_written_as_part_of_on_time():
    text = paragraph_zh(year_2025())
    assert "按期完成129处（其中提前完成124处）" in text
    assert "、提前完成" not in text  # never two groups side by side that add up to more than the list
    assert "129 were completed on time (124 of them ahead of the deadline)" in paragraph_en(year_2025())


def test_the_years_completions_and_the_lists_completion_are_two_named_figures():
    text = paragraph_zh(year_2025())
    assert text.startswith("2025年，全市全年共完成道路交通安全隐患治理159处，其中县级督办点段150处，动态新增9处。")
    assert "2025年度清单内隐患156处，截至2025年12月31日已完成治理148处，治理率94.9%；" in text
    english = paragraph_en(year_2025())
    assert english.startswith("In 2025, 159 road traffic-safety hazards were remediated across Xinzhou")
    assert "Of the 156 hazards on the 2025 list, 148 had been remediated by 31 December 2025" in english


def test_money_spent_in_the_period_is_tourou_never_leiji():
    text = paragraph_zh(year_2025())
    assert text.endswith("全年投入治理资金2462万余元。") and "累计" not in text


def test_lengths_to_one_decimal_in_natural_order():
    text = paragraph_zh(year_2025())
    assert "全年完成治理的隐患中，国道5条39处（路段27.2公里）、省道2条12处（路段9.0公里）。" in text
    assert "完成了" not in text and "9公里" not in text
    assert ("Roads treated: 39 hazards on 5 national roads (27.2 km of sections); 12 hazards on 2 provincial "
            "roads (9.0 km of sections).") in paragraph_en(year_2025())


@pytest.mark.parametrize("period, word", [
    (parse_period(2025), "全年"), (parse_period(2025, quarter_=2), "二季度"), (parse_period(2025, half_=1), "上半年"),
    (parse_period(2025, month_=5), "5月"), (parse_period(start=date(2025, 3, 1), end=date(2025, 4, 15)), "期内"),
])
def test_the_period_word_matches_the_period(period, word):
    annual = Counts(completed=3, total=4, closed=3, on_time=3, open=1)
    text = paragraph_zh(make_report(period, county=annual, annual=annual, total=annual, spent="50000.00",
                                    roads=[RoadClassRow(RoadClass.COUNTY, 3, 1, 1_500)]))
    assert f"{word}共完成道路交通安全隐患治理3处" in text
    assert f"{word}完成治理的隐患中，县道1条3处（路段1.5公里）。" in text and text.endswith(f"{word}投入治理资金5万元。")


def test_year_on_year_increase():
    report = year_2025(year_2024(147, 150, 138, spent="18000000.00"))
    text = paragraph_zh(report)
    assert text.startswith("2025年，全市全年共完成道路交通安全隐患治理159处，较2024年增加12处，增长8.2%。"
                           "其中县级督办点段150处，动态新增9处。")
    assert "治理率94.9%，较2024年提高2.9个百分点；" in text  # 148/156 = 94.9%, 138/150 = 92.0%
    assert text.endswith("全年投入治理资金2462万余元，较2024年增加662万余元，增长36.8%。")
    english = paragraph_en(report)
    assert "That is 12 more than in 2024 (up 8.2%)." in english
    assert "(completion rate 94.9%, up 2.9 percentage points on 2024)" in english
    assert english.endswith("Funding spent: 24.62 million yuan, 6.62 million yuan more than in 2024 (up 36.8%).")


def test_year_on_year_decrease():
    report = year_2025(year_2024(170, 160, 158, spent="30000000.00"))
    text = paragraph_zh(report)
    assert "治理159处，较2024年减少11处，下降6.5%。" in text
    assert "治理率94.9%，较2024年降低3.9个百分点；" in text  # 158/160 = 98.8%
    assert text.endswith("全年投入治理资金2462万余元，较2024年减少537万余元，下降17.9%。")
    english = paragraph_en(report)
    assert "That is 11 fewer than in 2024 (down 6.5%)." in english
    assert "down 3.9 percentage points on 2024" in english and "5.38 million yuan less than in 2024" in english


def test_year_on_year_unchanged():
    report = year_2025(year_2024(159, 156, 148))
    text = paragraph_zh(report)
    assert "治理159处，与上年持平。" in text and "治理率94.9%，与上年持平；" in text
    assert "较2024年" not in text  # no money the year before: nothing said about it
    assert "That is as many as in 2024." in paragraph_en(report)


def test_a_year_with_no_previous_data_says_nothing_about_it():
    text = paragraph_zh(year_2025(previous=None))
    assert "较" not in text and "持平" not in text and "同比" not in text
    english = paragraph_en(year_2025(previous=None))
    assert "than in" not in english and "percentage points" not in english


def test_quarter_on_quarter():
    q2 = Counts(completed=30, total=156, closed=90, on_time=80, ahead=70, open=66, overdue=0)
    q1 = Counts(completed=40, total=156, closed=60, on_time=55, ahead=50, open=96, overdue=0)
    report = make_report(parse_period(2025, quarter_=2), county=q2, annual=q2, total=q2)
    report.previous = make_report(parse_period(2025, quarter_=1), county=q1, annual=q1, total=q1)
    text = paragraph_zh(report)
    assert text.startswith("2025年，全市二季度共完成道路交通安全隐患治理30处，较上季度减少10处，下降25%。")
    assert "治理率57.7%，较上季度提高19.2个百分点；" in text  # 90/156 against 60/156
    assert "That is 10 fewer than in the previous quarter (down 25%)." in paragraph_en(report)
    assert "up 19.2 percentage points on the previous quarter" in paragraph_en(report)


def test_month_on_month_and_a_range_against_the_preceding_period():
    may = Counts(completed=6, total=10, closed=6, on_time=6, open=4)
    april = Counts(completed=4, total=10, closed=2, on_time=2, open=8)
    report = make_report(parse_period(2025, month_=5), county=may, annual=may, total=may)
    report.previous = make_report(parse_period(2025, month_=4), county=april, annual=april, total=april)
    assert "5月共完成道路交通安全隐患治理6处，较上月增加2处，增长50%。" in paragraph_zh(report)
    assert "治理率60%，较上月提高40个百分点；" in paragraph_zh(report)
    assert "That is 2 more than in the previous month (up 50%)." in paragraph_en(report)
    span = parse_period(start=date(2025, 3, 1), end=date(2025, 4, 15))
    report = make_report(span, county=may, annual=may, total=may)
    report.previous = make_report(parse_period(start=date(2025, 1, 14), end=date(2025, 2, 28)),
                                  county=april, annual=april, total=april)
    assert "期内共完成道路交通安全隐患治理6处，较上期增加2处，增长50%。" in paragraph_zh(report)
    assert "than in the preceding period of the same length" in paragraph_en(report)


def test_no_percentage_from_zero():
    report = year_2025(year_2024(0, 20, 0))  # the year before had a list but completed nothing
    text = paragraph_zh(report)
    assert "治理159处，较2024年增加159处。" in text and "增长" not in text.split("。")[0]
    assert "That is 159 more than in 2024." in paragraph_en(report)
