"""The cells of a crash export: the spellings of a moment and a time of day, and stakes in metres or km."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from hazards.io.crash_columns import CellError, moment_parser, parse_time_of_day, stake_parser

HALF_PAST_TWO_BEIJING = (datetime(2024, 3, 1, 6, 30), date(2024, 3, 1))


@pytest.mark.parametrize("cell", ["2024-03-01 14:30", "2024/3/1 14:30", "2024-3-1 14:30", "2024年3月1日14时30分",
                                  "2024年3月1日 14:30", "2024-03-01T06:30:00Z", "2024-03-01T14:30:00+08:00",
                                  "20240301143000", "2024-03-01 14:30:00.000", 45352.6041667,
                                  datetime(2024, 3, 1, 14, 30)])
def test_the_spellings_of_a_moment(cell):
    assert moment_parser()(cell) == HALF_PAST_TWO_BEIJING


def test_a_date_alone_is_the_start_of_that_day_in_beijing():
    assert moment_parser()("2024-03-01") == (datetime(2024, 2, 29, 16, 0), date(2024, 3, 1))


@pytest.mark.parametrize("cell, message", [("2024-02-30 10:00", "is not a valid calendar date"),
                                           ("yesterday", "is not a date and time"),
                                           ("2099-01-01 08:00", "is in the future"),
                                           ("1899-12-31 08:00", "before 1900-01-01"), ("1899/12/31 08:00", "from 1900-01-01 to"),
                                           (12, "is not a date and time")])
def test_moments_that_cannot_be(cell, message):
    with pytest.raises(CellError, match=message):
        moment_parser()(cell)


@pytest.mark.parametrize("cell, expected", [("14:30", time(14, 30)), ("8时5分", time(8, 5)), ("14点30分", time(14, 30)),
                                            ("14:30:59", time(14, 30, 59)), (0.5, time(12)), (time(9, 15), time(9, 15))])
def test_times_of_day(cell, expected):
    assert parse_time_of_day(cell) == expected


def test_stakes_in_metres_under_a_stake_header_and_in_kilometres_under_a_km_header():
    metres, km = stake_parser("m"), stake_parser("km")
    assert [metres(v) for v in ("K12+300", 12300, "12300", "12.3", "12300m")] == [12300] * 5
    assert [km(v) for v in ("12.3", 12.3, "K12+300", 12)] == [12300, 12300, 12300, 12000]
    with pytest.raises(CellError, match="cannot be negative"):
        metres(-5)
