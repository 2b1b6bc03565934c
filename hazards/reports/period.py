"""Report periods: a year, a quarter, a half-year, a month or any date range, with the words people use.

Every way of asking for a period (CLI options, a URL, a Celery job's arguments) goes through
`parse_period`, so "2024年第一季度" means the same dates wherever it is asked for.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from hazards.domain.errors import N_, TranslatableValueError

QUARTERS_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
HALVES_ZH = {1: "上半年", 2: "下半年"}
HALVES_EN = {1: "first half", 2: "second half"}
MONTHS_EN = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]  # not calendar.month_name: that follows the OS locale


class PeriodError(TranslatableValueError):
    """A period that cannot be; `field` names the parameter to correct (year, quarter, half, month, from, to)."""

    def __init__(self, template: str, params: dict | None = None, field: str = "year"):
        super().__init__(template, params)
        self.field = field


@dataclass(frozen=True)
class Period:
    """An inclusive date range and how to say it. `kind` is year|quarter|half|month|range."""

    start: date
    end: date
    label_zh: str
    label_en: str
    kind: str = "range"

    @property
    def years(self) -> range:
        """The batch years (批次年度) the period covers: their lists are the ones reported on."""
        return range(self.start.year, self.end.year + 1)

    def to_params(self) -> dict[str, str]:
        """The period as URL / job parameters that `period_from_params` reads back."""
        if self.kind == "range":
            return {"from": self.start.isoformat(), "to": self.end.isoformat()}
        params = {"year": str(self.start.year)}
        if self.kind == "quarter":
            params["quarter"] = str((self.start.month - 1) // 3 + 1)
        elif self.kind == "half":
            params["half"] = str(1 if self.start.month == 1 else 2)
        elif self.kind == "month":
            params["month"] = str(self.start.month)
        return params


def year(y: int) -> Period:
    _check_year(y)
    return Period(date(y, 1, 1), date(y, 12, 31), f"{y}年", str(y), "year")


def quarter(y: int, q: int) -> Period:
    _check_year(y)
    if q not in QUARTERS_ZH:
        raise PeriodError(N_("The quarter must be 1 to 4, not %(value)s."), {"value": q}, "quarter")
    first = 3 * (q - 1) + 1
    return Period(date(y, first, 1), _month_end(y, first + 2), f"{y}年{QUARTERS_ZH[q]}", f"Q{q} {y}", "quarter")


def half(y: int, h: int) -> Period:
    _check_year(y)
    if h not in HALVES_ZH:
        raise PeriodError(N_("The half year must be 1 or 2, not %(value)s."), {"value": h}, "half")
    first = 1 if h == 1 else 7
    return Period(date(y, first, 1), _month_end(y, first + 5), f"{y}年{HALVES_ZH[h]}", f"H{h} {y}", "half")


def month(y: int, m: int) -> Period:
    _check_year(y)
    if not 1 <= m <= 12:
        raise PeriodError(N_("The month must be 1 to 12, not %(value)s."), {"value": m}, "month")
    return Period(date(y, m, 1), _month_end(y, m), f"{y}年{m}月", f"{MONTHS_EN[m]} {y}", "month")


def date_range(start: date, end: date) -> Period:
    if end < start:
        raise PeriodError(N_("The period ends (%(end)s) before it starts (%(start)s)."),
                          {"end": end.isoformat(), "start": start.isoformat()}, "to")
    _check_year(start.year, "from")
    _check_year(end.year, "to")
    return Period(start, end, f"{zh_date(start)}至{zh_date(end)}", f"{en_date(start)} to {en_date(end)}", "range")


def parse_period(
    year_: int | None = None, *, quarter_: int | None = None, half_: int | None = None, month_: int | None = None,
    start: date | None = None, end: date | None = None,
) -> Period:
    """One period from the options a person gives; refuses combinations that contradict each other."""
    if start is not None or end is not None:
        if start is None or end is None:
            raise PeriodError(N_("A date range needs both a start and an end date."), None,
                              "to" if end is None else "from")
        if any(v is not None for v in (year_, quarter_, half_, month_)):
            raise PeriodError(N_("Give either a date range or a year (with a quarter, half or month), not both."))
        return date_range(start, end)
    if year_ is None:
        raise PeriodError(N_("Give a year (with a quarter, half or month if wanted) or a date range."))
    chosen = [name for name, v in (("quarter", quarter_), ("half", half_), ("month", month_)) if v is not None]
    if len(chosen) > 1:
        raise PeriodError(N_("Give only one of quarter, half year and month."), None, chosen[-1])
    if quarter_ is not None:
        return quarter(year_, quarter_)
    if half_ is not None:
        return half(year_, half_)
    if month_ is not None:
        return month(year_, month_)
    return year(year_)


def period_from_params(params) -> Period:
    """A period from string parameters (a URL's query or a job's arguments): year/quarter/half/month/from/to."""

    def number(name: str) -> int | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):  # '²' is a digit to isdigit(), not to int()
            raise PeriodError(N_("'%(value)s' is not a whole number."), {"value": raw}, name)
        return int(raw)

    def day(name: str) -> date | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise PeriodError(N_("'%(value)s' is not a date (YYYY-MM-DD)."), {"value": raw}, name) from None

    return parse_period(number("year"), quarter_=number("quarter"), half_=number("half"), month_=number("month"),
                        start=day("from"), end=day("to"))


def zh_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def en_date(d: date) -> str:
    return f"{d.day} {MONTHS_EN[d.month]} {d.year}"


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _check_year(y: int, field: str = "year") -> None:
    # The ledger's batch years are 2000-2100 (a CHECK constraint); a report outside them is a typo.
    if not 2000 <= y <= 2100:
        raise PeriodError(N_("The year %(value)s is outside 2000 to 2100."), {"value": y}, field)


# ---- the period a report is compared with ---------------------------------------------------------

COMPARISONS = {"year": "year_on_year", "quarter": "period_on_period", "month": "period_on_period",
               "half": "period_on_period", "range": "period_on_period"}


def previous_period(period: Period, today: date | None = None) -> Period | None:
    """The period a report is compared with: the year before a year (同比), the quarter, half or month
    before a quarter, half or month (环比), the same number of days just before a date range (上期);
    None before 2000. While `period` runs past `today`, the previous one is cut to the same elapsed
    part (上年同期: 1 January to the same day of the year before), so a part is compared with a part."""
    try:
        if period.kind == "year":
            before = year(period.start.year - 1)
        elif period.kind == "quarter":
            q = (period.start.month - 1) // 3 + 1
            before = quarter(period.start.year, q - 1) if q > 1 else quarter(period.start.year - 1, 4)
        elif period.kind == "half":
            before = half(period.start.year - 1, 2) if period.start.month == 1 else half(period.start.year, 1)
        elif period.kind == "month":
            m = period.start.month
            before = month(period.start.year, m - 1) if m > 1 else month(period.start.year - 1, 12)
        else:
            days = (period.end - period.start).days + 1
            return date_range(period.start - timedelta(days=days), period.start - timedelta(days=1))
        if today is not None and period.start <= today < period.end:
            elapsed_end = _same_day_in(before, period, today)
            return date_range(before.start, elapsed_end)
        return before
    except PeriodError:
        return None


def _same_day_in(before: Period, period: Period, today: date) -> date:
    """`today`'s place in `period` carried over to `before`: the same month and day a year earlier for a
    year, the same number of days in for a quarter, half or month; never past `before`'s end."""
    if period.kind == "year":
        day = min(today.day, calendar.monthrange(before.start.year, today.month)[1])
        return date(before.start.year, today.month, day)
    return min(before.start + (today - period.start), before.end)
