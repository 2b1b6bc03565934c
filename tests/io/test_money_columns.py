"""Money in ledger files: 预算资金, 已投入资金 (万元 or 元), 资金来源 and 资金日期 become funding lines on
import, the export writes them back exactly, and a historic ledger of closed hazards keeps its money."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from hazards import permissions
from hazards.domain.enums import FundingKind, FundingSource, Status
from hazards.io.exporter import export_hazards
from hazards.io.importer import import_hazards
from hazards.models import FundingEntry, Hazard, StatusChange, hazard_categories, hazard_measures
from hazards.permissions import SYSTEM
from hazards.services.funding import add_funding, funding_totals, reverse_funding
from hazards.services.registration import report_hazard
from tests.factories import draft, user

HEADER = ["隐患名称", "辖区代码", "发现日期", "经度", "纬度", "治理状态", "销号日期"]


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def lines(session, code: str) -> list[tuple]:
    return session.execute(
        select(FundingEntry.kind, FundingEntry.source, FundingEntry.amount, FundingEntry.entry_date)
        .join(Hazard, Hazard.id == FundingEntry.hazard_id).where(Hazard.code == code)
        .order_by(FundingEntry.kind, FundingEntry.id)).all()


def only_row(path) -> dict:
    (row,) = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    return row


def test_a_historic_ledger_of_closed_hazards_arrives_with_its_money(session, tmp_path):
    """The year-end report's 投入治理资金 needs the money of hazards closed before the ledger
    existed: an administrator's import brings it, dated when it was spent."""
    path = write_csv(tmp_path / "2023.csv", HEADER + ["预算资金(万元)", "已投入资金(万元)", "资金来源", "资金日期"], [
        ["老G208线急弯", "140902", "2023-03-01", "112.70", "38.40", "已销号", "2023-10-20", "120", "118.5", "省级", "2023-09-30"],
        ["X012线临水", "140902", "2023-04-01", "112.71", "38.41", "已销号", "2023-11-02", "35.25", "35.25", "", ""],
        ["村口路口", "140902", "2023-05-01", "112.72", "38.42", "上报", "", "", "2.4万元", "县级财政", ""],
    ])
    admin = user(session, "admin", "140900")
    report = import_hazards(session, path, actor=admin)
    assert report.errors == [] and len(report.created) == 3
    first, second, third = report.created
    assert lines(session, first) == [
        (FundingKind.BUDGET, FundingSource.PROVINCE, Decimal("1200000.00"), date(2023, 9, 30)),
        (FundingKind.SPENDING, FundingSource.PROVINCE, Decimal("1185000.00"), date(2023, 9, 30)),
    ]
    # no source: 其他; no date: the closing date, else the found date
    assert lines(session, second) == [
        (FundingKind.BUDGET, FundingSource.OTHER, Decimal("352500.00"), date(2023, 11, 2)),
        (FundingKind.SPENDING, FundingSource.OTHER, Decimal("352500.00"), date(2023, 11, 2)),
    ]
    assert lines(session, third) == [(FundingKind.SPENDING, FundingSource.COUNTY, Decimal("24000.00"), date(2023, 5, 1))]
    note = session.scalar(select(FundingEntry.note).join(Hazard).where(Hazard.code == first))
    assert note == "2023.csv"
    # The domain is unchanged: after closure only the supervisors at the hazard's level add lines.
    closed = session.scalar(select(Hazard).where(Hazard.code == first))
    assert closed.status is Status.CLOSED
    assert not permissions.can(admin, "add_spending", closed)
    assert permissions.can(user(session, "supervisor", "140902"), "add_spending", closed)


def test_amounts_in_yuan_and_both_units(session, tmp_path):
    path = write_csv(tmp_path / "yuan.csv", HEADER + ["预算资金(元)", "已投入资金(元)", "已投入资金(万元)"], [
        ["甲", "140902", "2024-03-01", "112.70", "38.40", "上报", "", "125,000.50", "80000", "8"],
        ["乙", "140902", "2024-03-01", "112.71", "38.41", "上报", "", "", "80000", "8.1"],
        ["丙", "140902", "2024-03-01", "112.72", "38.42", "上报", "", "12.5万元", "", ""],
    ])
    report = import_hazards(session, path, actor=SYSTEM, dry_run=True)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "spent_yuan", "80000.00 yuan is not the 8.10 (10,000 yuan) of the 万元 column; fill in one of the two"),
        (4, "budget_yuan", "'12.5万元' is in 10,000 yuan (万元) but this field is in yuan: type 125000 without a unit"),
    ]
    good = write_csv(tmp_path / "good.csv", HEADER + ["预算资金(元)", "已投入资金(元)", "已投入资金(万元)"],
                     [["甲", "140902", "2024-03-01", "112.70", "38.40", "上报", "", "125,000.50", "80000", "8"]])
    (code,) = import_hazards(session, good, actor=SYSTEM).created
    assert [amount for _k, _s, amount, _d in lines(session, code)] == [Decimal("125000.50"), Decimal("80000.00")]


def test_an_implausible_amount_is_a_row_error_naming_the_unit(session, tmp_path, app):
    path = write_csv(tmp_path / "slip.csv", HEADER + ["已投入资金(万元)"],
                     [["甲", "140902", "2024-03-01", "112.70", "38.40", "上报", "", "850000"]])  # yuan under 万元
    report = import_hazards(session, path, actor=SYSTEM)
    assert report.created == [] and len(report.errors) == 1
    assert report.errors[0].column == "spent_wan" and "850,000.00 (10,000 yuan) is more than 5000" in report.errors[0].message


def test_an_inspector_brings_spending_but_no_budget(session, tmp_path):
    inspector = user(session, "inspector", "140902")
    path = write_csv(tmp_path / "mine.csv", ["隐患名称", "辖区代码", "发现日期", "经度", "纬度", "预算资金(万元)", "已投入资金(万元)"], [
        ["甲", "140902", "2024-03-01", "112.70", "38.40", "", "1.5"],
        ["乙", "140902", "2024-03-01", "112.71", "38.41", "3", ""],
    ])
    report = import_hazards(session, path, actor=inspector, dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "budget_wan")]
    assert "only a supervisor decides this" in report.errors[0].message


def _empty_the_ledger(session) -> None:
    for table in (FundingEntry.__table__, hazard_categories, hazard_measures, StatusChange.__table__, Hazard.__table__):
        session.execute(delete(table))
    session.expire_all()


@pytest.fixture
def funded(session):
    """Hazards with money of every shape: several sources and dates, a reversed line, fen, a closed one."""
    supervisor = user(session, "supervisor", "140902")
    inspector = user(session, "inspector", "140902", login="money-inspector")
    open_one = report_hazard(session, draft(code="140902-2024-0001", title="多来源"), actor=SYSTEM)
    for kind, source, amount, on in [
        (FundingKind.BUDGET, FundingSource.CENTRAL, "600000", date(2024, 4, 1)),
        (FundingKind.BUDGET, FundingSource.COUNTY, "634567.89", date(2024, 4, 2)),
        (FundingKind.ALLOCATION, FundingSource.CENTRAL, "600000", date(2024, 5, 1)),
    ]:
        add_funding(session, open_one.id, supervisor, kind=kind, source=source, amount=Decimal(amount), entry_date=on)
    add_funding(session, open_one.id, inspector, kind=FundingKind.SPENDING, source=FundingSource.COUNTY,
                amount=Decimal("12345.67"), entry_date=date(2024, 6, 3))
    wrong = add_funding(session, open_one.id, inspector, kind=FundingKind.SPENDING, source=FundingSource.CITY,
                        amount=Decimal("999999"), entry_date=date(2024, 7, 1))
    reverse_funding(session, open_one.id, wrong.id, inspector, reason="单位填错")
    closed = report_hazard(session, draft(code="140902-2024-0002", title="已销号", status=Status.CLOSED,
                                          closed_on=date(2024, 9, 1), completed_on=date(2024, 8, 20)), actor=SYSTEM)
    session.add(FundingEntry(hazard_id=closed.id, kind=FundingKind.SPENDING, source=FundingSource.PROVINCE,
                             amount=Decimal("88000.00"), entry_date=date(2024, 8, 25)))
    report_hazard(session, draft(code="140902-2024-0003", title="无资金"), actor=SYSTEM)
    session.flush()
    return open_one, closed


def test_the_export_writes_exact_totals_the_main_source_and_the_last_date(session, funded, tmp_path):
    path = tmp_path / "money.csv"
    export_hazards(session, path, actor=SYSTEM)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    money = [(r["预算资金(万元)"], r["已投入资金(万元)"], r["资金来源"], r["资金日期"]) for r in rows]
    assert money == [
        ("123.456789", "1.234567", "县级", "2024-06-03"),  # the reversed 99.9999 and its date are gone
        ("0.00", "8.80", "省级", "2024-08-25"),
        ("0.00", "0.00", "", ""),
    ]


@pytest.mark.parametrize("name, headers", [("m.csv", "zh"), ("m.csv", "en"), ("m.xlsx", "zh"), ("m.geojson", "en")])
def test_export_import_export_keeps_the_money(session, funded, tmp_path, name, headers):
    first, second = tmp_path / f"first-{name}", tmp_path / f"second-{name}"
    export_hazards(session, first, actor=SYSTEM, headers=headers)
    totals = {h.code: funding_totals(session, h.id) for h in funded}
    _empty_the_ledger(session)

    report = import_hazards(session, first, actor=SYSTEM)
    assert report.errors == [] and len(report.created) == 3
    export_hazards(session, second, actor=SYSTEM, headers=headers)
    if name.endswith(".xlsx"):
        from tests.io.test_export_roundtrip import xlsx_values

        assert xlsx_values(second) == xlsx_values(first)
    else:
        assert second.read_bytes() == first.read_bytes()
    for code, before in totals.items():
        hazard_id = session.scalar(select(Hazard.id).where(Hazard.code == code))
        after = funding_totals(session, hazard_id)
        # every fen of budget and spending; allocations are not in the file
        assert (after[FundingKind.BUDGET], after[FundingKind.SPENDING]) == (before[FundingKind.BUDGET],
                                                                            before[FundingKind.SPENDING])
    if name.endswith(".geojson"):
        properties = [f["properties"] for f in json.loads(first.read_text(encoding="utf-8"))["features"]]
        assert properties[0]["budget_wan"] == "123.456789" and properties[0]["funding_source"] == "county"
    assert session.scalar(select(func.count(FundingEntry.id)).where(FundingEntry.kind == FundingKind.ALLOCATION)) == 0
