"""POST /api/v1/import: a ledger file in, its report out; only inside the caller's jurisdiction."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from hazards import permissions
from hazards.models import Hazard, StatusChange
from tests.api.helpers import assert_problem

HEADER = ["隐患编号", "隐患名称", "辖区代码", "发现日期", "经度", "纬度", "督办级别"]
XINFU = ["140902-2024-0101", "G208线K1052+300处急弯", "140902", "2024-03-05", "112.734", "38.417", ""]
XINFU_TOO = ["", "X012线K3+200处临水临崖", "忻府区", "2024-04-01", "112.70", "38.40", ""]
YUANPING = ["140981-2024-0007", "S311线平交路口", "140981", "2024-03-05", "112.71", "38.73", ""]
BAD_LEVEL = ["", "督办级别写错", "140902", "2024-03-05", "112.72", "38.41", "xx"]


def csv_bytes(*rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def upload(api, who, content: bytes, name="台账.csv", language="en", **form):
    """Messages in English by default here, so the assertions read; Chinese is tested on its own."""
    data = {"file": (io.BytesIO(content), name), **form}
    return api.post(who, "/api/v1/import", data=data, content_type="multipart/form-data",
                    headers={"Accept-Language": language})


def count(session) -> int:
    return session.scalar(select(func.count(Hazard.id)))


def codes(session) -> set[str]:
    return set(session.scalars(select(Hazard.code)))


def test_a_good_csv_lands(api, session, people):
    response = upload(api, "inspector", csv_bytes(XINFU, XINFU_TOO))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["file"] == "台账.csv" and body["format"] == "csv" and not body["dry_run"] and not body["blocked"]
    assert (body["rows_read"], body["valid_rows"], body["invalid_rows"]) == (2, 2, 0)
    assert body["created_count"] == 2 and body["created"][0] == "140902-2024-0101"
    assert body["errors"] == [] and body["error_count"] == 0
    assert set(body["created"]) <= codes(session)
    hazard = session.scalars(select(Hazard).where(Hazard.code == "140902-2024-0101")).one()
    history = session.execute(select(StatusChange.action, StatusChange.changed_by_id)
                              .where(StatusChange.hazard_id == hazard.id)).all()
    assert history == [("import", people["inspector"].id)]


def test_a_dry_run_writes_nothing_and_lists_the_errors(api, session):
    before = count(session)
    response = upload(api, "inspector", csv_bytes(XINFU, BAD_LEVEL, XINFU_TOO), dry_run="true")
    assert response.status_code == 200
    body = response.get_json()
    assert body["dry_run"] and body["blocked"] and body["created"] == []
    assert (body["rows_read"], body["valid_rows"], body["invalid_rows"], body["error_count"]) == (3, 2, 1, 1)
    assert body["errors"] == [{"row": 3, "column": "level", "column_label": "督办级别 (level)", "value": "xx",
                               "message": body["errors"][0]["message"]}]
    assert "'xx' is not a supervision level" in body["errors"][0]["message"]
    assert count(session) == before

    clean = upload(api, "inspector", csv_bytes(XINFU), dry_run="true").get_json()
    assert clean["valid_rows"] == 1 and not clean["blocked"] and clean["created"] == []
    assert count(session) == before


def test_rows_with_errors_refuse_the_whole_file(api, session):
    before = count(session)
    body = assert_problem(upload(api, "inspector", csv_bytes(XINFU, BAD_LEVEL)), 422, "import_refused")
    assert "nothing was imported" in body["detail"] and "1 of 2 rows" in body["detail"]
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "level")]
    assert body["created"] == [] and count(session) == before

    skipped = upload(api, "inspector", csv_bytes(XINFU, BAD_LEVEL), skip_invalid="true")
    assert skipped.status_code == 201
    assert skipped.get_json()["created"] == ["140902-2024-0101"] and count(session) == before + 1


@pytest.mark.parametrize("name, content, message", [
    ("台账.csv", "隐患名称,经度,纬度\na,112.7,38.4\n".encode(), "发现日期 (found_on)"),
    ("台账.xlsx", b"not a workbook", "not an Excel .xlsx workbook"),
    ("台账.doc", csv_bytes(XINFU), "unknown file type '.doc'"),
    ("header-only.csv", csv_bytes(), "no hazard rows"),
])
def test_a_file_that_cannot_be_read_is_a_422_and_writes_nothing(api, session, name, content, message):
    before = count(session)
    body = assert_problem(upload(api, "inspector", content, name=name), 422, "import_refused")
    assert message in body["detail"] and message in body["fields"]["file"]
    assert body["errors"][0]["row"] is None and message in body["errors"][0]["message"]
    assert count(session) == before


def test_rows_outside_the_callers_jurisdiction_are_row_errors(api, session):
    before = count(session)
    body = assert_problem(upload(api, "inspector", csv_bytes(XINFU, YUANPING)), 422, "import_refused")
    assert [(e["row"], e["column"], e["value"]) for e in body["errors"]] == [(3, "jurisdiction_code", "140981")]
    assert body["errors"][0]["message"] == "division 140981 is outside your jurisdiction 140902"
    assert count(session) == before

    # The Yuanping supervisor may not bring Xinfu rows either.
    body = assert_problem(upload(api, "other_county", csv_bytes(XINFU)), 422, "import_refused")
    assert body["errors"][0]["message"] == "division 140902 is outside your jurisdiction 140981"

    # The city holds both counties.
    both = upload(api, "city", csv_bytes(XINFU, YUANPING))
    assert both.status_code == 201 and both.get_json()["created_count"] == 2
    assert {"140902-2024-0101", "140981-2024-0007"} <= codes(session)


def test_a_cities_admin_may_import_and_every_role_is_checked(api, session, people):
    assert upload(api, "admin", csv_bytes(XINFU)).status_code == 201
    assert permissions.can_import_into(people["inspector"], "140902")
    assert permissions.can_import_into(people["admin"], "140902")
    assert not permissions.can_import_into(people["inspector"], "140900")  # above them
    people["county"].active = False
    assert not permissions.can_import_into(people["county"], "140902")


def test_no_token_is_a_401(api, session):
    before = count(session)
    assert_problem(upload(api, None, csv_bytes(XINFU)), 401, "unauthorized")
    assert count(session) == before


def test_form_mistakes(api, session):
    assert_problem(api.post("inspector", "/api/v1/import", json={"file": "x"}), 415)
    body = assert_problem(api.post("inspector", "/api/v1/import", data={"dry_run": "true"},
                                   content_type="multipart/form-data"), 422, "invalid_input")
    assert set(body["fields"]) == {"file"}
    body = assert_problem(upload(api, "inspector", csv_bytes(XINFU), dry_run="maybe", skip_invalid="yes"), 422)
    assert set(body["fields"]) == {"dry_run", "skip_invalid"}


def test_size_limits_are_413s(api, app, session, monkeypatch):
    before = count(session)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 100)
    body = assert_problem(upload(api, "inspector", csv_bytes(XINFU, XINFU_TOO)), 413, "file_too_large")
    assert "100 bytes" in body["detail"]
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 10_000)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 200)
    assert_problem(upload(api, "inspector", csv_bytes(*[XINFU_TOO] * 20)), 413)
    assert count(session) == before


def test_the_file_name_from_the_client_is_never_a_path(api, session):
    body = upload(api, "inspector", csv_bytes(XINFU), name="../../etc/台账.csv", dry_run="true").get_json()
    assert body["file"] == "台账.csv" and body["valid_rows"] == 1
    body = upload(api, "inspector", csv_bytes(XINFU), name="..", dry_run="true").get_json()
    assert body["errors"][0]["row"] is None and "unknown file type" in body["errors"][0]["message"]


CLOSED_PROVINCE_HEADER = HEADER + ["督办单位", "挂牌日期", "整改期限", "治理状态", "验收意见", "销号日期"]
CLOSED_PROVINCE = ["", "省级挂牌已销号", "140902", "2024-03-05", "112.72", "38.41", "省级", "山西省安委会", "2024-03-10",
                   "2024-09-30", "已销号", "验收合格", "2024-08-20"]


def test_an_inspector_may_not_import_a_closed_province_level_hazard(api, session):
    before = count(session)
    content = csv_bytes(XINFU + [""] * 6, CLOSED_PROVINCE, header=CLOSED_PROVINCE_HEADER)
    body = assert_problem(upload(api, "inspector", content), 422, "import_refused")
    assert {e["row"] for e in body["errors"]} == {3}
    assert {"status", "level", "supervising_body", "closed_on", "acceptance_note"} <= {e["column"] for e in body["errors"]}
    assert count(session) == before

    landed = upload(api, "inspector", content, skip_invalid="true")
    assert landed.status_code == 201 and landed.get_json()["created"] == ["140902-2024-0101"]
    assert session.scalar(select(Hazard.status).where(Hazard.code == "140902-2024-0101")).value == "reported"


def test_row_errors_read_in_chinese_when_asked(api, session):
    content = csv_bytes(XINFU, BAD_LEVEL, YUANPING)
    body = assert_problem(upload(api, "inspector", content, language="zh"), 422, "import_refused")
    messages = {e["column"]: e["message"] for e in body["errors"]}
    assert messages["level"].startswith("“xx”不是有效的督办级别")
    assert messages["jurisdiction_code"] == "行政区划 140981 不在您的辖区 140902 内"
    assert body["detail"] == "未导入任何数据：3 行中有 2 行有错误（请更正，或发送 skip_invalid=true 只导入无误的行）"

    english = upload(api, "inspector", content, language="en").get_json()
    assert english["detail"].startswith("nothing was imported: 2 of 3 rows have errors")


def test_a_dry_run_answers_alike_for_another_countys_code_that_exists_and_one_that_does_not(api, session, ledger):
    existing = ledger[3].code  # 丁, in Yuanping
    missing = existing[:-4] + "0999"

    def answer(code: str) -> dict:
        row = [code] + XINFU[1:]
        body = upload(api, "inspector", csv_bytes(row), dry_run="true").get_json()
        return {key: value for key, value in body.items() if key != "errors"} | {
            "errors": [{k: str(v).replace(code, "CODE") for k, v in e.items()} for e in body["errors"]]}

    assert answer(existing) == answer(missing)
    assert answer(existing)["errors"][0]["message"] == "code 'CODE' is not in your area"
