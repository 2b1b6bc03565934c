"""GET /api/v1/reports: the completion report as JSON, checked against a small ledger whose numbers are known."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from shapely.geometry import Point

from hazards.domain.enums import FundingKind, FundingSource, Status, SupervisionLevel
from hazards.models import FundingEntry
from tests.api.helpers import assert_problem
from tests.factories import draft, register_groups

L = SupervisionLevel
DEADLINE = date(2024, 10, 31)


def hazard(title, *, jurisdiction="140902", level=L.COUNTY, closed=None, deadline=DEADLINE, dynamic=False,
           status=Status.LISTED):
    return draft(
        title=title, jurisdiction_code=jurisdiction, level=level, status=Status.CLOSED if closed else status,
        batch_year=2024, found_on=date(2024, 3, 5), listed_on=None if level is L.NONE else date(2024, 3, 10),
        deadline=None if level is L.NONE else deadline, closed_on=closed, dynamic_add=dynamic,
        category_codes=["junction"], geometry=Point(112.70 + 0.001 * len(title), 38.40),
    )


@pytest.fixture
def report_ledger(session, people):
    """Xinfu (140902): three county-level hazards on the 2024 list, two closed a month early and one
    still open after its deadline; one not listed, fixed at once; one dynamic addition closed early;
    one rejected (never counted). Yuanping (140981): one city-level hazard closed on its deadline day.
    Spending of 123,456.78 yuan (12.35万元) on the first."""
    groups = {
        "early": [hazard("县级提前", closed=date(2024, 9, 1)), hazard("县级提前二", closed=date(2024, 9, 1))],
        "overdue": [hazard("县级逾期")],
        "none": [hazard("未挂牌", level=L.NONE, closed=date(2024, 5, 1))],
        "dynamic": [hazard("动态新增", closed=date(2024, 12, 1), deadline=date(2024, 12, 31), dynamic=True)],
        "rejected": [hazard("不予认定", status=Status.REJECTED)],
        "yuanping": [hazard("原平市级", jurisdiction="140981", level=L.CITY, closed=DEADLINE)],
    }
    ids = register_groups(session, groups)
    session.add(FundingEntry(hazard_id=ids["early"][0], kind=FundingKind.SPENDING, source=FundingSource.COUNTY,
                             amount=Decimal("123456.78"), entry_date=date(2024, 9, 15)))
    session.commit()
    return ids


def counts(body_row) -> tuple:
    return tuple(body_row[k] for k in ("completed", "total", "closed", "rate", "on_time", "ahead", "open", "overdue"))


def test_the_citys_report_has_the_ledgers_numbers(api, report_ledger):
    response = api.get("city", "/api/v1/reports?jurisdiction=140900&year=2024&min_rank=1")
    assert response.status_code == 200 and response.mimetype == "application/json"
    report = response.get_json()
    assert report["schema"] == "hazards.reports.completion/1"
    assert report["jurisdiction"]["code"] == "140900" and report["jurisdiction"]["scope_word"] == "全市"
    assert (report["period"]["kind"], report["period"]["start"], report["period"]["end"]) == (
        "year", "2024-01-01", "2024-12-31")
    assert report["as_of"] == "2024-12-31" and report["min_rank"] == 1 and report["level_filter"] is None

    rows = {row["key"]: counts(row) for row in report["summary"]}
    #                          completed total closed rate    on_time ahead open overdue
    assert rows["county"] == (2, 3, 2, "66.67", 2, 2, 1, 1)
    assert rows["city"] == (1, 1, 1, "100.00", 1, 0, 0, 0)
    assert rows["none"] == (1, 1, 1, "100.00", 0, 0, 0, 0)
    assert rows["ministry"] == (0, 0, 0, None, 0, 0, 0, 0)
    assert rows["annual"] == (4, 5, 4, "80.00", 3, 2, 1, 1)
    assert rows["dynamic"] == (1, 1, 1, "100.00", 1, 1, 0, 0)
    assert rows["total"] == (5, 6, 5, "83.33", 4, 3, 1, 1)

    total = next(row for row in report["summary"] if row["key"] == "total")
    assert total["money"]["spending"]["county"] == "12.35" and total["money"]["spending"]["total"] == "12.35"
    assert total["money"]["budget"]["total"] == "0.00"

    units = {u["code"]: u for u in report["units"]}
    assert (units["140981"]["rank"], units["140902"]["rank"]) == (1, 2)  # 100% ahead of 3 in 4
    assert counts(units["140902"]["annual"]) == (3, 4, 3, "75.00", 2, 2, 1, 1)
    assert counts(units["140902"]["total"])[:3] == (4, 5, 4)
    assert report["overdue"]["count"] == 1 and report["overdue"]["items"][0]["title"] == "县级逾期"
    assert "5处" in report["paragraph"]["zh"]
    assert report["previous"] is None  # nothing of 2023 in this ledger: no comparison


def test_the_period_and_level_parameters(api, report_ledger):
    q4 = api.get("city", "/api/v1/reports?jurisdiction=140900&year=2024&quarter=4").get_json()
    assert q4["period"]["kind"] == "quarter"
    # Q3 holds the 2024 list as well: the quarter comes with its previous one (环比)
    assert q4["previous"]["comparison"] == "period_on_period" and q4["previous"]["period"]["label_zh"] == "2024年第三季度"
    assert next(r for r in q4["summary"] if r["key"] == "total")["completed"] == 2  # 31 Oct and 1 Dec
    city_only = api.get("city", "/api/v1/reports?jurisdiction=140900&from=2024-01-01&to=2024-12-31&level=city")
    body = city_only.get_json()
    assert body["level_filter"] == "city" and body["period"]["kind"] == "range"
    assert next(r for r in body["summary"] if r["key"] == "total")["completed"] == 1


def test_a_county_sees_its_own_report_by_default(api, report_ledger):
    report = api.get("inspector", "/api/v1/reports?year=2024").get_json()
    assert report["jurisdiction"]["code"] == "140902"
    assert counts(next(r for r in report["summary"] if r["key"] == "total"))[:3] == (4, 5, 4)


def test_the_same_json_as_the_web_download(api, client, auth, report_ledger, people):
    query = "jurisdiction=140900&year=2024&min_rank=1"
    from_api = api.get("city", f"/api/v1/reports?{query}").get_json()
    auth.login(people["city"])
    downloaded = client.get(f"/reports/download?format=json&{query}")
    assert downloaded.status_code == 200
    assert json.loads(downloaded.data) == from_api


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_report_as_a_word_file(api, report_ledger):
    """format=docx, or Accept asking for Word: the web download's file, named after the report."""
    from docx import Document

    query = "/api/v1/reports?jurisdiction=140900&year=2024&min_rank=1"
    by_name = api.get("city", f"{query}&format=docx")
    assert by_name.status_code == 200 and by_name.mimetype == WORD
    assert "attachment" in by_name.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E5%BF%BB%E5%B7%9E%E5%B8%82" in by_name.headers["Content-Disposition"]  # 忻州市…
    doc = Document(io.BytesIO(by_name.data))
    assert "2024年，全市全年共完成道路交通安全隐患治理5处" in "".join(p.text for p in doc.paragraphs)
    assert len(doc.tables) >= 6 and doc.tables[0].rows[0].cells[0].text == "督办级别"
    by_accept = api.get("city", query, headers={"Accept": WORD})
    assert by_accept.status_code == 200 and by_accept.mimetype == WORD
    english = Document(io.BytesIO(api.get("city", f"{query}&format=docx&lang=en").data))
    assert english.tables[0].rows[0].cells[0].text == "Level"
    assert api.get("city", query, headers={"Accept": "*/*"}).mimetype == "application/json"
    assert api.get("city", f"{query}&format=json", headers={"Accept": WORD}).mimetype == "application/json"
    assert_problem(api.get("inspector", "/api/v1/reports?jurisdiction=140900&year=2024&format=docx"), 404)


def test_other_divisions_do_not_exist_for_the_caller(api, report_ledger):
    assert_problem(api.get("inspector", "/api/v1/reports?jurisdiction=140900&year=2024"), 404, "not_found")
    assert_problem(api.get("other_county", "/api/v1/reports?jurisdiction=140902&year=2024"), 404, "not_found")
    assert_problem(api.get("city", "/api/v1/reports?jurisdiction=140100&year=2024"), 404)  # another city
    assert_problem(api.get("city", "/api/v1/reports?jurisdiction=140999&year=2024"), 404)  # in reach, not a division
    assert api.get("other_county", "/api/v1/reports?year=2024").status_code == 200  # its own county


def test_no_token_is_a_401(api, report_ledger):
    body = assert_problem(api.get(None, "/api/v1/reports?year=2024"), 401)
    assert body["code"] == "unauthorized"


@pytest.mark.parametrize("query, fields", [
    ("", {"year"}),
    ("year=abc", {"year"}),
    ("year=²", {"year"}),
    ("year=1999", {"year"}),
    ("year=2024&quarter=5", {"quarter"}),
    ("year=2024&quarter=1&month=2", {"month"}),
    ("from=2024-01-01", {"to"}),
    ("from=2024-06-01&to=2024-05-01", {"to"}),
    ("from=2024-13-01&to=2024-12-31", {"from"}),
    ("year=2024&level=galactic", {"level"}),
    ("year=2024&min_rank=-1", {"min_rank"}),
    ("year=2024&jurisdiction=1409", {"jurisdiction"}),
    ("year=abc&level=galactic&min_rank=x", {"year", "level", "min_rank"}),
    ("year=2024&format=odt", {"format"}),
    ("year=2024&format=docx&lang=fr", {"lang"}),
    ("year=2024&colour=red", {"colour"}),
])
def test_bad_parameters_are_400s_naming_them(api, report_ledger, query, fields):
    body = assert_problem(api.get("city", f"/api/v1/reports?{query}"), 400, "invalid_parameter")
    assert set(body["fields"]) == fields, body


def test_a_wrong_parameter_is_named_in_the_readers_language(api, report_ledger):
    """The problem lists each wrong parameter under the form's label, in Chinese for a Chinese reader;
    `fields` keeps the parameter names programs use."""
    zh = api.get("city", "/api/v1/reports?year=2024&quarter=5", headers={"Accept-Language": "zh-CN"})
    body = assert_problem(zh, 400, "invalid_parameter")
    assert "季度应为1至4" in body["detail"] and "季度" in body["detail"] and set(body["fields"]) == {"quarter"}
    en = api.get("city", "/api/v1/reports?year=2024&quarter=5", headers={"Accept-Language": "en"})
    assert "Quarter is wrong: The quarter must be 1 to 4, not 5." in assert_problem(en, 400, "invalid_parameter")["detail"]
