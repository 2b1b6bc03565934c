"""A ledger file brings only what its importer could have done through the workflow (issue 12, 2, 7, 9).

An inspector's file reports; a supervisor's lists up to their own level; an admin's and the command
line's carry historic closures. Codes belong to the row's division, keep their width, and are never
looked up outside the importer's area.
"""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from hazards.domain.enums import Status, SupervisionLevel
from hazards.io.importer import import_hazards
from hazards.models import Hazard, StatusChange
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft

HEADER = ["隐患编号", "隐患名称", "辖区代码", "发现日期", "经度", "纬度", "督办级别", "督办单位", "挂牌日期", "整改期限",
          "治理状态", "完成日期", "申请销号日期", "验收日期", "验收意见", "销号日期"]
REPORT = {"隐患名称": "G208线K1052+300处急弯", "辖区代码": "140902", "发现日期": "2024-03-05", "经度": "112.734",
          "纬度": "38.417"}
CLOSED_PROVINCE = {**REPORT, "隐患名称": "省级挂牌已销号", "督办级别": "省级", "督办单位": "山西省安委会",
                   "挂牌日期": "2024-03-10", "整改期限": "2024-09-30", "治理状态": "已销号", "完成日期": "2024-08-01",
                   "申请销号日期": "2024-08-02", "验收日期": "2024-08-20", "验收意见": "验收合格",
                   "销号日期": "2024-08-20"}
LISTED = {**REPORT, "督办单位": "忻府区人民政府", "挂牌日期": "2024-03-10", "整改期限": "2099-06-30",
          "治理状态": "挂牌督办"}


def write(path, *rows: dict):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows([[r.get(h, "") for h in HEADER] for r in rows])
    return path


def refused(report) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in report.errors]


def test_an_inspectors_closed_province_row_is_refused_and_the_rest_lands_as_reported(session, people, tmp_path):
    inspector = people["inspector"]
    path = write(tmp_path / "排查.csv", REPORT, CLOSED_PROVINCE, {**REPORT, "隐患名称": "临水临崖"})

    report = import_hazards(session, path, actor=inspector)
    assert report.blocked and report.created == []
    assert {column for row, column in refused(report)} == {
        "status", "level", "supervising_body", "listed_on", "deadline", "completed_on", "closure_requested_on",
        "accepted_on", "acceptance_note", "closed_on"}
    assert {row for row, _column in refused(report)} == {3}
    by_column = {e.column: e.message for e in report.errors}
    assert "through the workflow your role reaches only reported" in by_column["status"]
    assert "only a supervisor decides this" in by_column["level"]

    report = import_hazards(session, path, actor=inspector, skip_invalid=True)
    assert len(report.created) == 2
    landed = session.scalars(select(Hazard).where(Hazard.code.in_(report.created))).all()
    assert {(h.status, h.level, h.closed_on) for h in landed} == {(Status.REPORTED, SupervisionLevel.NONE, None)}
    history = session.execute(select(StatusChange.action, StatusChange.changed_by_id, StatusChange.note)
                              .where(StatusChange.hazard_id.in_([h.id for h in landed]))).all()
    assert set(history) == {("import", inspector.id, "排查.csv")}


def test_a_county_supervisor_imports_county_listed_rows_but_not_city_level(session, people, tmp_path):
    county = people["county"]
    path = write(tmp_path / "挂牌.csv", {**LISTED, "督办级别": "县级"}, {**LISTED, "督办级别": "市级", "隐患名称": "市级"})
    report = import_hazards(session, path, actor=county, dry_run=True)
    assert refused(report) == [(3, "level")]
    assert report.errors[0].message == ("you may not import a hazard at supervision level city: you list hazards up "
                                        "to level county")

    report = import_hazards(session, write(tmp_path / "县级.csv", {**LISTED, "督办级别": "县级"}), actor=county)
    assert report.errors == [] and len(report.created) == 1
    hazard = session.scalars(select(Hazard).where(Hazard.code == report.created[0])).one()
    assert (hazard.status, hazard.level) == (Status.LISTED, SupervisionLevel.COUNTY)

    # The city supervisor reaches city level, and closed hazards.
    city_closed = {**CLOSED_PROVINCE, "督办级别": "市级", "督办单位": "忻州市安委会"}
    report = import_hazards(session, write(tmp_path / "市级.csv", city_closed), actor=people["city"], dry_run=True)
    assert report.errors == []


def test_an_admin_and_the_command_line_import_closed_historic_rows(session, people, runner, tmp_path):
    report = import_hazards(session, write(tmp_path / "历史台账.csv", CLOSED_PROVINCE), actor=people["admin"])
    assert report.errors == [] and len(report.created) == 1
    hazard = session.scalars(select(Hazard).where(Hazard.code == report.created[0])).one()
    assert (hazard.status, hazard.level) == (Status.CLOSED, SupervisionLevel.PROVINCE)
    history = session.execute(select(StatusChange.action, StatusChange.changed_by_id, StatusChange.note)
                              .where(StatusChange.hazard_id == hazard.id)).all()
    assert history == [("import", people["admin"].id, "历史台账.csv")]
    session.commit()

    path = write(tmp_path / "省厅台账.csv", {**CLOSED_PROVINCE, "隐患名称": "另一处"})
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "created: 1" in result.output
    hazard = session.scalars(select(Hazard).where(Hazard.title == "另一处")).one()
    assert hazard.status is Status.CLOSED
    history = session.execute(select(StatusChange.action, StatusChange.changed_by_id, StatusChange.note)
                              .where(StatusChange.hazard_id == hazard.id)).all()
    assert history == [("import", None, "省厅台账.csv")]


@pytest.mark.parametrize("who", ["inspector", "city", "system"])
def test_a_code_of_another_division_is_a_row_error(session, people, tmp_path, who):
    actor = SYSTEM if who == "system" else people[who]
    row = {**REPORT, "隐患编号": "140902-2026-9999", "辖区代码": "140922", "经度": "113.38", "纬度": "38.73"}
    report = import_hazards(session, write(tmp_path / "codes.csv", row), actor=actor, dry_run=True)
    if who == "inspector":  # the row itself lies outside Xinfu: refused once, for its division
        assert refused(report) == [(2, "jurisdiction_code")]
    else:
        assert refused(report) == [(2, "code")]
        assert report.errors[0].message == ("code '140902-2026-9999' belongs to division 140902, not to this "
                                            "row's division 140922")


def test_codes_keep_their_width(session, people, tmp_path):
    wide = {**REPORT, "隐患编号": "140902-2026-99999999", "发现日期": "2026-01-05"}
    report = import_hazards(session, write(tmp_path / "wide.csv", wide), actor=SYSTEM, dry_run=True)
    assert refused(report) == [(2, "code")] and "4 to 6 digits" in report.errors[0].message

    # A code of that shape already in the ledger (from before the width was bounded) does not push the
    # next generated code past the width.
    report_hazard(session, draft(code="140902-2026-99999999", batch_year=2026), actor=SYSTEM)
    report = import_hazards(session, write(tmp_path / "next.csv", {**REPORT, "发现日期": "2026-01-05"}), actor=SYSTEM)
    assert report.created == ["140902-2026-0001"]

    # When the six digits are used up, nothing is written and the error says so; nothing overflows.
    report_hazard(session, draft(code="140902-2027-999999", batch_year=2027), actor=SYSTEM)
    report = import_hazards(session, write(tmp_path / "full.csv", {**REPORT, "发现日期": "2027-01-05"}), actor=SYSTEM)
    assert report.created == [] and report.file_error
    assert "No hazard codes are left for division 140902 in 2027" in report.errors[0].message
    assert session.scalar(select(Hazard.code).where(Hazard.code.like("140902-2027-1%"))) is None


def test_a_dry_run_says_the_same_of_another_countys_code_whether_it_exists_or_not(session, people, ledger,
                                                                                    tmp_path):
    existing = ledger[3].code  # 丁, in Yuanping
    assert existing.startswith("140981-")
    missing = existing[:-4] + "0999"
    assert session.scalar(select(Hazard.id).where(Hazard.code == missing)) is None

    def answer(code: str) -> list[tuple]:
        report = import_hazards(session, write(tmp_path / "probe.csv", {**REPORT, "隐患编号": code}),
                                actor=people["inspector"], dry_run=True)
        return [(e.row, e.column, e.message.replace(code, "CODE")) for e in report.errors]

    assert answer(existing) == answer(missing) == [(2, "code", "code 'CODE' is not in your area")]
    # In the importer's own area, a taken code is named as taken.
    own = ledger[0].code
    assert answer(own) == [(2, "code", "code 'CODE' is already in the ledger")]
