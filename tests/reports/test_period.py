"""Report periods: the dates and the words for a year, quarter, half-year, month and date range."""

from __future__ import annotations

from datetime import date

import pytest

from hazards.reports.period import PeriodError, parse_period, period_from_params, previous_period


@pytest.mark.parametrize("kwargs, start, end, zh, en, kind", [
    (dict(), date(2024, 1, 1), date(2024, 12, 31), "2024年", "2024", "year"),
    (dict(quarter_=1), date(2024, 1, 1), date(2024, 3, 31), "2024年第一季度", "Q1 2024", "quarter"),
    (dict(quarter_=4), date(2024, 10, 1), date(2024, 12, 31), "2024年第四季度", "Q4 2024", "quarter"),
    (dict(half_=1), date(2024, 1, 1), date(2024, 6, 30), "2024年上半年", "H1 2024", "half"),
    (dict(half_=2), date(2024, 7, 1), date(2024, 12, 31), "2024年下半年", "H2 2024", "half"),
    (dict(month_=2), date(2024, 2, 1), date(2024, 2, 29), "2024年2月", "February 2024", "month"),  # leap year
    (dict(month_=3), date(2024, 3, 1), date(2024, 3, 31), "2024年3月", "March 2024", "month"),
])
def test_calendar_periods(kwargs, start, end, zh, en, kind):
    period = parse_period(2024, **kwargs)
    assert (period.start, period.end, period.label_zh, period.label_en, period.kind) == (start, end, zh, en, kind)
    assert list(period.years) == [2024]


def test_february_of_a_common_year():
    assert parse_period(2023, month_=2).end == date(2023, 2, 28)


def test_date_range_words_and_years():
    period = parse_period(start=date(2024, 3, 1), end=date(2024, 6, 30))
    assert period.label_zh == "2024年3月1日至2024年6月30日"
    assert period.label_en == "1 March 2024 to 30 June 2024"
    across = parse_period(start=date(2023, 11, 1), end=date(2024, 2, 29))
    assert list(across.years) == [2023, 2024]


@pytest.mark.parametrize("kwargs, message", [
    (dict(), "Give a year"),
    (dict(year_=2024, quarter_=1, month_=2), "only one of"),
    (dict(year_=2024, quarter_=5), "quarter must be 1 to 4"),
    (dict(year_=2024, half_=3), "half year must be 1 or 2"),
    (dict(year_=2024, month_=13), "month must be 1 to 12"),
    (dict(year_=1999), "outside 2000 to 2100"),
    (dict(start=date(2024, 6, 1)), "needs both"),
    (dict(start=date(2024, 6, 1), end=date(2024, 5, 1)), "before it starts"),
    (dict(year_=2024, start=date(2024, 1, 1), end=date(2024, 2, 1)), "not both"),
])
def test_contradictions_are_refused(kwargs, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(kwargs.pop("year_", None), **kwargs)


@pytest.mark.parametrize("period", [
    parse_period(2024), parse_period(2024, quarter_=3), parse_period(2024, half_=2), parse_period(2024, month_=11),
    parse_period(start=date(2024, 3, 1), end=date(2024, 6, 30)),
])
def test_params_round_trip(period):
    assert period_from_params(period.to_params()) == period


def test_params_from_a_url():
    assert period_from_params({"year": "2024", "quarter": "2", "half": "", "month": ""}).label_zh == "2024年第二季度"
    with pytest.raises(PeriodError, match="whole number"):
        period_from_params({"year": "二〇二四"})
    with pytest.raises(PeriodError, match="is not a date"):
        period_from_params({"from": "2024/03/01", "to": "2024-06-30"})


@pytest.mark.parametrize("params, field", [
    ({}, "year"),
    ({"year": "20x4"}, "year"),
    ({"year": "²"}, "year"),  # a digit to str.isdigit(), not to int()
    ({"year": "2024", "quarter": "5"}, "quarter"),
    ({"year": "2024", "half": "3"}, "half"),
    ({"year": "2024", "month": "13"}, "month"),
    ({"year": "2024", "quarter": "1", "month": "2"}, "month"),
    ({"from": "2024-06-01"}, "to"),
    ({"to": "2024-06-01"}, "from"),
    ({"from": "2024-06-01", "to": "2024-05-01"}, "to"),
    ({"from": "1999-12-01", "to": "2024-05-01"}, "from"),
    ({"from": "2024-02-30", "to": "2024-05-01"}, "from"),
])
def test_errors_name_the_parameter_to_correct(params, field):
    with pytest.raises(PeriodError) as caught:
        period_from_params(params)
    assert caught.value.field == field


# ---- the period a report is compared with (同比 / 环比 / 上期) --------------------------------------------

@pytest.mark.parametrize("period, start, end, kind", [
    (parse_period(2025), date(2024, 1, 1), date(2024, 12, 31), "year"),
    (parse_period(2025, quarter_=1), date(2024, 10, 1), date(2024, 12, 31), "quarter"),
    (parse_period(2025, quarter_=3), date(2025, 4, 1), date(2025, 6, 30), "quarter"),
    (parse_period(2025, half_=1), date(2024, 7, 1), date(2024, 12, 31), "half"),
    (parse_period(2025, half_=2), date(2025, 1, 1), date(2025, 6, 30), "half"),
    (parse_period(2025, month_=1), date(2024, 12, 1), date(2024, 12, 31), "month"),
    (parse_period(2024, month_=3), date(2024, 2, 1), date(2024, 2, 29), "month"),
    # a date range: the same number of days just before it (46 days)
    (parse_period(start=date(2025, 3, 1), end=date(2025, 4, 15)), date(2025, 1, 14), date(2025, 2, 28), "range"),
])
def test_previous_period(period, start, end, kind):
    before = previous_period(period, today=date(2026, 11, 30))
    assert (before.start, before.end, before.kind) == (start, end, kind)


def test_a_running_period_is_compared_with_the_same_part_of_the_previous_one():
    before = previous_period(parse_period(2026), today=date(2026, 11, 30))
    assert (before.start, before.end, before.label_zh) == (date(2025, 1, 1), date(2025, 11, 30),
                                                            "2025年1月1日至2025年11月30日")
    assert previous_period(parse_period(2024), today=date(2024, 2, 29)).end == date(2023, 2, 28)
    assert previous_period(parse_period(2026, quarter_=4), today=date(2026, 11, 30)).end == date(2026, 8, 30)
    assert previous_period(parse_period(2026, month_=3), today=date(2026, 3, 31)).end == date(2026, 2, 28)  # ended


def test_no_previous_period_before_2000():
    assert previous_period(parse_period(2000)) is None
    assert previous_period(parse_period(2000, quarter_=1)) is None
