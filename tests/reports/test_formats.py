"""The report's outputs: JSON (every number), CSV, XLSX cells, HTML, PDF; the `hazards report` command;
the web page, downloads and background jobs, limited to what the user may see."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from hazards import clock
from hazards.reports import build_report, parse_period
from hazards.reports.formats import export, tables, to_csv, to_html, to_json, to_pdf, to_xlsx
from hazards.reports.wording import paragraph_en, paragraph_zh
from tests.conftest import unavailable
from tests.factories import user
from tests.reports.xinzhou import TODAY

YEAR = parse_period(2024)
SOURCES = ("central", "province", "city", "county", "other")


@pytest.fixture
def report(session, xinzhou_ledger):
    return build_report(session, "140900", YEAR, today=TODAY)


@pytest.fixture
def reports_app(app):
    """The blueprint and the command, as hazards.web and hazards.cli register them (here until they do)."""
    from hazards.reports.commands import report_command
    from hazards.web.reports import bp

    if "reports" not in app.blueprints:
        app._got_first_request = False  # the session-wide app has served other tests' requests already
        app.register_blueprint(bp)
    if "report" not in app.cli.commands:
        app.cli.add_command(report_command)
    return app


def c(completed, total, closed, rate, on_time, ahead, open_, overdue) -> dict:
    return {"completed": completed, "total": total, "closed": closed, "rate": rate, "on_time": on_time,
            "ahead": ahead, "open": open_, "overdue": overdue}


ZERO = c(0, 0, 0, None, 0, 0, 0, 0)


def money(budget=None, allocation=None, spending=None) -> dict:
    """万元 strings by kind and source; sources not named are 0.00, the total is the parts' sum."""
    def kind(parts):
        parts = parts or {}
        full = {s: parts.get(s, "0.00") for s in SOURCES}
        return {**full, "total": f"{sum(float(v) for v in full.values()):.2f}"}
    return {"budget": kind(budget), "allocation": kind(allocation), "spending": kind(spending)}


NO_MONEY = money()


def test_json_every_number(report):
    data = to_json(report)
    assert data["schema"] == "hazards.reports.completion/1"
    assert data["jurisdiction"] == {"code": "140900", "name": "忻州市", "name_en": "Xinzhou", "level": "city",
                                    "scope_word": "全市"}
    assert data["period"] == {"kind": "year", "start": "2024-01-01", "end": "2024-12-31", "label_zh": "2024年",
                              "label_en": "2024", "years": [2024]}
    assert (data["level_filter"], data["as_of"], data["today"], data["min_rank"], data["money_unit"]) == (
        None, "2024-12-31", "2025-01-20", 5, "万元")
    central = {"central": "1000.00"}
    assert data["summary"] == [
        {"key": "ministry", "label_zh": "部级", "label_en": "Ministry", **c(20, 20, 20, "100.00", 20, 20, 0, 0),
         "money": money(central, {"central": "800.00"}, {"central": "750.00"})},
        {"key": "province", "label_zh": "省级", "label_en": "Province", **c(48, 48, 48, "100.00", 40, 0, 0, 0),
         "money": money(spending={"province": "1234.57"})},
        {"key": "ministry_province", "label_zh": "部省级", "label_en": "Ministry + province",
         **c(68, 68, 68, "100.00", 60, 20, 0, 0),
         "money": money(central, {"central": "800.00"}, {"central": "750.00", "province": "1234.57"})},
        {"key": "city", "label_zh": "市级", "label_en": "City", **c(5, 8, 5, "62.50", 5, 5, 3, 2),
         "money": money(spending={"city": "477.78"})},
        {"key": "county", "label_zh": "县级", "label_en": "County", **c(15, 17, 13, "76.47", 13, 13, 4, 1),
         "money": NO_MONEY},
        {"key": "none", "label_zh": "未挂牌", "label_en": "Not listed", **c(3, 3, 3, "100.00", 0, 0, 0, 0),
         "money": NO_MONEY},
        {"key": "annual", "label_zh": "年度清单合计", "label_en": "Annual list", **c(91, 96, 89, "92.71", 78, 38, 7, 3),
         "money": money(central, {"central": "800.00"}, {"central": "750.00", "province": "1234.57", "city": "477.78"})},
        {"key": "dynamic", "label_zh": "动态新增", "label_en": "Dynamic additions", **c(9, 10, 9, "90.00", 9, 9, 1, 1),
         "money": money(budget={"county": "12.35"})},
        {"key": "total", "label_zh": "合计（含动态新增）", "label_en": "Total incl. dynamic additions",
         **c(100, 106, 98, "92.45", 87, 47, 8, 4),
         "money": money({"central": "1000.00", "county": "12.35"}, {"central": "800.00"},
                        {"central": "750.00", "province": "1234.57", "city": "477.78"})},
    ]
    assert data["summary"][-1]["money"]["spending"]["total"] == "2462.35"
    units = data["units"]
    assert [u["code"] for u in units] == ["140981", "140902", *[f"1409{n}" for n in range(21, 33)], "140900"]
    assert units[0] == {"code": "140981", "name": "原平市", "name_en": "Yuanping", "own": False, "rank": 1,
                        "ranked": True, "annual": c(51, 51, 51, "100.00", 40, 0, 0, 0), "dynamic": ZERO,
                        "total": c(51, 51, 51, "100.00", 40, 0, 0, 0), "money": money(spending={"province": "1234.57"})}
    assert units[1] == {"code": "140902", "name": "忻府区", "name_en": "Xinfu", "own": False, "rank": 2,
                        "ranked": True, "annual": c(33, 34, 33, "97.06", 33, 33, 1, 1),
                        "dynamic": c(9, 10, 9, "90.00", 9, 9, 1, 1), "total": c(42, 44, 42, "95.45", 42, 42, 2, 2),
                        "money": money({"central": "1000.00", "county": "12.35"}, {"central": "800.00"},
                                       {"central": "750.00"})}
    assert units[2] == {"code": "140921", "name": "定襄县", "name_en": "Dingxiang", "own": False, "rank": None,
                        "ranked": False, "annual": c(2, 3, 0, "0.00", 0, 0, 3, 0), "dynamic": ZERO,
                        "total": c(2, 3, 0, "0.00", 0, 0, 3, 0), "money": NO_MONEY}
    assert all(u["annual"] == ZERO and u["rank"] is None and u["money"] == NO_MONEY for u in units[3:-1])
    assert units[-1] == {"code": "140900", "name": "忻州市本级", "name_en": "Xinzhou (own)", "own": True, "rank": None,
                         "ranked": False, "annual": c(5, 8, 5, "62.50", 5, 5, 3, 2), "dynamic": ZERO,
                         "total": c(5, 8, 5, "62.50", 5, 5, 3, 2), "money": money(spending={"city": "477.78"})}
    assert data["categories"] == [
        {"code": "sharp_curve", "label_zh": "急弯", "label_en": "Sharp curve", **c(20, 20, 20, "100.00", 20, 20, 0, 0)},
        {"code": "steep_grade", "label_zh": "陡坡", "label_en": "Steep grade", **c(15, 17, 13, "76.47", 13, 13, 4, 1)},
        {"code": "poor_sight", "label_zh": "视距不良", "label_en": "Poor sight distance",
         **c(20, 20, 20, "100.00", 20, 20, 0, 0)},
        {"code": "junction", "label_zh": "平交路口", "label_en": "Uncontrolled junction",
         **c(51, 51, 51, "100.00", 40, 0, 0, 0)},
        {"code": "through_village", "label_zh": "穿村过镇", "label_en": "Through a village or town",
         **c(9, 10, 9, "90.00", 9, 9, 1, 1)},
        {"code": "missing_guardrail", "label_zh": "缺护栏", "label_en": "Missing guardrail",
         **c(5, 8, 5, "62.50", 5, 5, 3, 2)},
    ]
    assert sorted(data["road_classes"], key=lambda r: r["completed"]) == [
        {"code": None, "label_zh": "其他道路", "label_en": "Other or unknown", "completed": 3, "roads": 0, "km": "0.000"},
        {"code": "urban", "label_zh": "城市道路", "label_en": "Urban road", "completed": 5, "roads": 1, "km": "0.000"},
        {"code": "Y", "label_zh": "乡道", "label_en": "Township road", "completed": 9, "roads": 1, "km": "0.000"},
        {"code": "X", "label_zh": "县道", "label_en": "County road", "completed": 15, "roads": 2, "km": "12.700"},
        {"code": "G", "label_zh": "国道", "label_en": "National road", "completed": 20, "roads": 1, "km": "0.000"},
        {"code": "S", "label_zh": "省道", "label_en": "Provincial road", "completed": 48, "roads": 1, "km": "60.000"},
    ]
    overdue = data["overdue"]
    assert (overdue["count"], overdue["limit"], len(overdue["items"])) == (4, 500, 4)
    first = overdue["items"][0]
    assert first == {"code": first["code"], "title": "C市级逾期0", "level": "city", "level_label_zh": "市级",
                     "jurisdiction_code": "140900", "jurisdiction_name": "忻州市", "responsible_unit": "忻州市住建局",
                     "deadline": "2024-10-31", "days_overdue": 61, "batch_year": 2024, "dynamic_add": False,
                     "lon": round(112.70 + 0.001 * len("C市级逾期0"), 6), "lat": 38.4}
    assert first["code"].startswith("140900-2024-")
    assert [(i["title"], i["days_overdue"], i["dynamic_add"]) for i in overdue["items"][1:]] == [
        ("C市级逾期1", 61, False), ("D县级次年销号", 61, False), ("F动态新增逾期", 31, True)]
    assert data["paragraph"]["zh"] == paragraph_zh(report)
    assert data["paragraph"]["zh"].endswith("全年投入治理资金2462万余元。")
    assert data["paragraph"]["en"].endswith("Funding spent: 24.62 million yuan.")
    assert json.loads(export(report, "json")) == data  # serialisable as it is


def test_csv(report):
    text = to_csv(report)
    lines = text.splitlines()
    assert lines[:4] == ["辖区,忻州市（140900）", "统计期间,2024年", "督办级别,全部", "未完成、逾期统计截至,2024-12-31"]
    start = lines.index("【按督办级别汇总】")
    assert lines[start + 1:start + 11] == [
        "督办级别,完成治理（期内）,清单内隐患,已完成,治理率,按期完成,提前完成,未完成,逾期,预算（万元）,到位（万元）,支出（万元）",
        "部级,20,20,20,100.00%,20,20,0,0,1000.00,800.00,750.00",
        "省级,48,48,48,100.00%,40,0,0,0,0.00,0.00,1234.57",
        "部省级,68,68,68,100.00%,60,20,0,0,1000.00,800.00,1984.57",
        "市级,5,8,5,62.50%,5,5,3,2,0.00,0.00,477.78",
        "县级,15,17,13,76.47%,13,13,4,1,0.00,0.00,0.00",
        "未挂牌,3,3,3,100.00%,0,0,0,0,0.00,0.00,0.00",
        "年度清单合计,91,96,89,92.71%,78,38,7,3,1000.00,800.00,2462.35",
        "动态新增,9,10,9,90.00%,9,9,1,1,12.35,0.00,0.00",
        "合计（含动态新增）,100,106,98,92.45%,87,47,8,4,1012.35,800.00,2462.35",
    ]
    assert "合计（含动态新增）,支出,750.00,1234.57,477.78,0.00,0.00,2462.35" in lines
    assert "忻府区,预算,1000.00,0.00,0.00,12.35,0.00,1012.35" in lines
    assert "1,原平市,140981,51,51,51,100.00%,40,0,0,0,0,0,0.00,0.00,1234.57" in lines
    assert "2,忻府区,140902,42,34,33,97.06%,33,33,1,1,10,9,1012.35,800.00,750.00" in lines
    assert "不排名（清单内不足5处）,定襄县,140921,2,3,0,0.00%,0,0,3,0,0,0,0.00,0.00,0.00" in lines
    assert "—,忻州市本级,140900,5,8,5,62.50%,5,5,3,2,0,0,0.00,0.00,477.78" in lines
    assert "急弯,20,20,20,100.00%,20,20,0,0" in lines and "缺护栏,5,8,5,62.50%,5,5,3,2" in lines
    assert "省道,48,1,60.0" in lines and "县道,15,2,12.7" in lines and "其他道路,3,0,0.0" in lines
    overdue = lines.index("【逾期未完成隐患清单】")
    assert lines[overdue + 1] == "隐患编号,隐患名称,督办级别,辖区,责任单位,整改期限,逾期天数,批次年度,动态新增"
    assert [line.split(",", 1)[1] for line in lines[overdue + 2:overdue + 6]] == [
        "C市级逾期0,市级,忻州市,忻州市住建局,2024-10-31,61,2024,否",
        "C市级逾期1,市级,忻州市,忻州市住建局,2024-10-31,61,2024,否",
        "D县级次年销号,县级,忻府区,忻府区交通运输局,2024-10-31,61,2024,否",
        "F动态新增逾期,县级,忻府区,豆罗镇人民政府,2024-11-30,31,2024,是",
    ]
    assert lines[-1] == paragraph_zh(report)
    assert export(report, "csv").startswith("\ufeff辖区".encode())  # BOM: Excel opens it as UTF-8


def test_xlsx_cells_are_typed(report):
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    assert book.sheetnames == ["说明", "汇总", "与上期对比", "资金", "下级辖区", "隐患类型", "道路类别", "督办工作",
                               "逾期清单"]
    about = book["说明"]
    assert about["A1"].value == "道路交通安全隐患治理完成情况报表"
    assert [about.cell(r, 2).value for r in range(2, 7)] == [
        "忻州市（140900）", "2024年", "全部", "2024-12-31", paragraph_zh(report)]
    summary = book["汇总"]
    assert [cell.value for cell in summary[1]] == [
        "督办级别", "完成治理（期内）", "清单内隐患", "已完成", "治理率", "按期完成", "提前完成", "未完成", "逾期",
        "预算（万元）", "到位（万元）", "支出（万元）"]
    rows = [[cell.value for cell in row] for row in summary.iter_rows(min_row=2)]
    assert rows[0] == ["部级", 20, 20, 20, 1, 20, 20, 0, 0, 1000, 800, 750]
    assert rows[6][:9] == ["年度清单合计", 91, 96, 89, pytest.approx(89 / 96, abs=1e-6), 78, 38, 7, 3]
    assert rows[8] == ["合计（含动态新增）", 100, 106, 98, pytest.approx(98 / 106, abs=1e-6), 87, 47, 8, 4,
                       1012.35, 800, 2462.35]
    assert summary["E9"].number_format == "0.00%" and summary["L10"].number_format == "0.00"
    assert summary["B2"].data_type == "n" and summary["L10"].data_type == "n"
    funding = [[cell.value for cell in row] for row in book["资金"].iter_rows(min_row=2)]
    assert ["合计（含动态新增）", "支出", 750, 1234.57, 477.78, 0, 0, 2462.35] in funding
    units = [[cell.value for cell in row] for row in book["下级辖区"].iter_rows(min_row=2)]
    assert units[0][:7] == [1, "原平市", "140981", 51, 51, 51, 1]
    assert units[2][:3] == ["不排名（清单内不足5处）", "定襄县", "140921"]
    roads = {row[0]: row[1:] for row in book["道路类别"].iter_rows(min_row=2, values_only=True)}
    assert roads["县道"] == (15, 2, 12.7) and roads["省道"] == (48, 1, 60)
    assert book["道路类别"]["D2"].number_format == "0.0##"
    overdue = book["逾期清单"]
    assert overdue["F2"].value == datetime(2024, 10, 31) and overdue["F2"].number_format == "yyyy-mm-dd"
    assert [cell.value for cell in overdue[5]][1:] == ["F动态新增逾期", "县级", "忻府区", "豆罗镇人民政府",
                                                      datetime(2024, 11, 30), 31, 2024, "是"]


def test_empty_report_reads_well_everywhere(session):
    report = build_report(session, "140921", YEAR, today=TODAY)
    data = to_json(report)
    assert all(row["rate"] is None for row in data["summary"])
    assert data["paragraph"]["zh"] == "2024年，全县全年暂无完成治理的道路交通安全隐患。2024年度清单内暂无道路交通安全隐患。"
    assert data["previous"] is None and "previous" not in [t.key for t in tables(report)]  # nothing in 2023 either
    assert "部级,0,0,0,—,0,0,0,0,0.00,0.00,0.00" in to_csv(report).splitlines()
    summary = load_workbook(io.BytesIO(to_xlsx(report)))["汇总"]
    assert summary["E2"].value == "—" and summary["B2"].value == 0
    assert "—" in to_html(report) and "暂无完成治理" in to_html(report)


def test_html_is_standalone(session, xinzhou_ledger, report):
    html = to_html(report)
    assert html.startswith("<!doctype html>") and "<svg" in html
    assert "http" not in html and "@import" not in html and "src=" not in html  # nothing to fetch on an intranet
    assert paragraph_zh(report) in html and "忻州市本级" in html and "C市级逾期0" in html
    english = to_html(report, "en")
    assert "Summary by supervision level" in english and "In 2024, 100 road traffic-safety hazards" in english


def test_pdf_shows_the_chinese_text(report, tmp_path):
    try:
        pdf = to_pdf(report)
    except (ImportError, OSError) as exc:  # WeasyPrint or its Pango libraries missing
        unavailable(f"WeasyPrint cannot render: {exc}")
    assert pdf.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        unavailable("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "忻州市2024年道路交通安全隐患治理完成情况" in text
    assert "2462万余元" in text and "按督办级别汇总" in text and "忻府区" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts  # a real CJK font is embedded, not boxes


# ---- the command ------------------------------------------------------------------------------------

def test_command_prints_the_paragraph(reports_app, runner, report):
    args = ["report", "--jurisdiction", "140900", "--year", "2024", "--today", "2025-01-20"]
    result = runner.invoke(args=[*args, "--format", "txt"])
    assert result.exit_code == 0, result.output
    assert result.output == paragraph_zh(report) + "\n"
    english = runner.invoke(args=[*args, "--format", "txt", "--lang", "en"])
    assert english.output.startswith("In 2024, 100 road traffic-safety hazards were remediated across Xinzhou")
    as_json = runner.invoke(args=[*args, "--format", "json"])
    assert json.loads(as_json.output) == to_json(report)
    quarter = runner.invoke(args=[*args, "--quarter", "3", "--level", "部省级", "--format", "json"])
    assert json.loads(quarter.output)["period"]["label_zh"] == "2024年第三季度"
    assert json.loads(quarter.output)["summary"][-1]["completed"] == 20  # ministry ones closed on 30 Sep


def test_command_writes_files(reports_app, runner, xinzhou_ledger, tmp_path):
    out = tmp_path / "q.xlsx"
    result = runner.invoke(args=["report", "--jurisdiction", "140900", "--from", "2024-03-01", "--to", "2024-06-30",
                                 "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book["说明"]["B3"].value == "2024年3月1日至2024年6月30日"
    assert book["汇总"]["B4"].value == 0 and book["汇总"]["B5"].value == 5  # 市级: the five closed on 1 June


@pytest.mark.parametrize("args, message", [
    (["--jurisdiction", "140900"], "Give a year"),
    (["--jurisdiction", "140900", "--year", "2024", "--from", "2024-01-01", "--to", "2024-02-01"], "not both"),
    (["--jurisdiction", "149999", "--year", "2024"], "No division has the code"),
    (["--jurisdiction", "14", "--year", "2024"], "6-digit"),
    (["--jurisdiction", "140900", "--year", "2024", "--level", "乡级"], "is not a supervision level"),
])
def test_command_refuses_bad_options(reports_app, runner, args, message):
    result = runner.invoke(args=["report", *args])
    assert result.exit_code == 2 and message in result.output


# ---- the web pages ------------------------------------------------------------------------------------

@pytest.fixture
def city_supervisor(session):
    return user(session, "supervisor", "140900")


def test_page_shows_the_form_then_the_report(reports_app, client, auth, xinzhou_ledger, city_supervisor):
    auth.login(city_supervisor)
    form = client.get("/reports")
    assert form.status_code == 200 and "治理完成情况报表" in form.get_data(as_text=True)
    assert "<svg" not in form.get_data(as_text=True)
    page = client.get("/reports?jurisdiction=140900&year=2024").get_data(as_text=True)
    assert "2024年，全市全年共完成道路交通安全隐患治理100处" in page and page.count("<svg") == 3  # levels, units, 2023–24 trend
    assert "/reports/download?" in page and "format=xlsx" in page
    assert client.get("/reports?year=2024&quarter=5").status_code == 400


def test_downloads(reports_app, client, auth, xinzhou_ledger, city_supervisor, session):
    auth.login(city_supervisor)
    query = "jurisdiction=140900&year=2024"
    expected = to_json(build_report(session, "140900", YEAR, today=clock.today()))
    as_json = client.get(f"/reports/download?format=json&{query}")
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    assert json.loads(as_json.data) == expected
    xlsx = client.get(f"/reports/download?format=xlsx&{query}")
    assert "attachment" in xlsx.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in xlsx.headers["Content-Disposition"]  # 忻州市2024年隐患治理报表.xlsx
    assert load_workbook(io.BytesIO(xlsx.data))["汇总"]["B10"].value == 100
    csv = client.get(f"/reports/download?format=csv&{query}")
    assert csv.mimetype == "text/csv" and "合计（含动态新增）,100,106" in csv.data.decode("utf-8-sig")
    assert client.get(f"/reports/download?format=doc&{query}").status_code == 400


def test_pdf_download(reports_app, client, auth, xinzhou_ledger, city_supervisor):
    auth.login(city_supervisor)
    try:
        pdf = client.get("/reports/download?format=pdf&jurisdiction=140900&year=2024")
    except (ImportError, OSError) as exc:
        unavailable(f"WeasyPrint cannot render: {exc}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_only_within_the_users_jurisdiction(reports_app, client, auth, xinzhou_ledger, session):
    auth.login(user(session, "supervisor", "140921"))  # Dingxiang county
    assert client.get("/reports?year=2024").status_code == 200  # its own county by default
    for code in ("140900", "140902", "140000"):
        assert client.get(f"/reports?jurisdiction={code}&year=2024").status_code == 404
        assert client.get(f"/reports/download?format=json&jurisdiction={code}&year=2024").status_code == 404
    # Not a division code at all: a wrong parameter, named as such (as the API does).
    assert client.get("/reports?jurisdiction=abc&year=2024").status_code == 400
    assert client.get("/reports/download?format=json&jurisdiction=abc&year=2024").status_code == 400
    own = json.loads(client.get("/reports/download?format=json&jurisdiction=140921&year=2024").data)
    assert own["summary"][-1]["completed"] == 2


def test_anonymous_users_are_sent_to_log_in(reports_app, client):
    assert client.get("/reports?year=2024").status_code in (302, 401)


def test_background_job_builds_the_file(eager_jobs, client, auth, xinzhou_ledger, city_supervisor, session):
    auth.login(city_supervisor)
    started = client.post("/reports/jobs", data={"jurisdiction": "140900", "year": "2024", "format": "xlsx"},
                          headers={"Accept": "application/json"})
    assert started.status_code == 202
    task_id = started.json["task_id"]
    status = client.get(f"/reports/jobs/{task_id}").json
    assert status["state"] == "SUCCESS" and status["step"] == status["of"] == 3
    assert status["filename"] == "忻州市2024年隐患治理报表.xlsx"
    file = client.get(status["file_url"])
    assert file.status_code == 200 and load_workbook(io.BytesIO(file.data))["汇总"]["B10"].value == 100
    page = client.post("/reports/jobs", data={"jurisdiction": "140900", "year": "2024", "format": "csv"})
    assert page.status_code == 302 and "job=" in page.headers["Location"]
    assert "文件已生成" in client.get(page.headers["Location"]).get_data(as_text=True)
    auth.logout()
    auth.login(user(session, "supervisor", "140921"))
    assert client.get(f"/reports/jobs/{task_id}").status_code == 404
    assert client.get(f"/reports/jobs/{task_id}/file").status_code == 404


def test_a_job_not_started_yet_is_followed_only_by_the_session_that_asked(reports_app, client, auth, session,
                                                                          city_supervisor, monkeypatch):
    """Before a worker picks a job up it names no division: only the browser that asked may poll it."""
    import tasks.report_jobs  # noqa: F401 - registers the task

    celery = reports_app.extensions["celery"]
    sent = []
    monkeypatch.setattr(celery.tasks["tasks.build_report"], "delay",
                        lambda *args: sent.append(args) or celery.AsyncResult("job-not-started-yet"))
    auth.login(city_supervisor)
    started = client.post("/reports/jobs", data={"jurisdiction": "140900", "year": "2024", "format": "xlsx"},
                          headers={"Accept": "application/json"})
    assert started.status_code == 202 and len(sent) == 1
    assert client.get("/reports/jobs/job-not-started-yet").json["state"] == "PENDING"
    assert client.get("/reports/jobs/someone-elses-job").status_code == 404
    auth.logout()
    auth.login(user(session, "supervisor", "140900", login="another.city"))
    assert client.get("/reports/jobs/job-not-started-yet").status_code == 404


def test_job_progress_is_reported(reports_app, session, xinzhou_ledger, monkeypatch):
    from tasks.report_jobs import build_report_job

    states = []
    monkeypatch.setattr(build_report_job, "update_state", lambda **kw: states.append(kw), raising=False)
    result = build_report_job.apply(args=["140900", {"year": "2024"}, None, "json", "zh", 5, "2025-01-20", None])
    assert result.successful(), result.traceback
    assert [(s["state"], s["meta"]["step"], s["meta"]["of"], s["meta"]["what"]) for s in states] == [
        ("PROGRESS", 1, 3, "query"), ("PROGRESS", 2, 3, "render"), ("PROGRESS", 3, 3, "write")]
    assert result.result["jurisdiction"] == "140900" and result.result["format"] == "json"


def test_titles_and_units_that_look_like_formulas_stay_text(session):
    from hazards.services.reference import ReferenceData
    from hazards.services.registration import register_hazards
    from tests.reports.test_build import spec

    title, unit = '=HYPERLINK("http://evil.example/","点我查看")', "@SUM(1+1)单位"
    register_hazards(session, [spec(title, deadline=date(2024, 11, 1), unit=unit)], ref=ReferenceData(session))
    report = build_report(session, "140902", YEAR, today=date(2024, 11, 15))
    assert [o.title for o in report.overdue] == [title]

    csv_text = to_csv(report)
    assert f"'{title}".replace('"', '""') in csv_text and f"'{unit}" in csv_text
    assert "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text

    sheet = load_workbook(io.BytesIO(to_xlsx(report)))["逾期清单"]
    cells = {cell.value: cell for cell in sheet[2]}
    assert title in cells and cells[title].data_type == "s"  # shown as its words, not run as a formula
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_title_with_a_control_character_still_downloads_as_xlsx(session, client, auth, people):
    """XLSX cannot hold control characters; one pasted into a title must not stop the list's download
    or the report: it shows as a visible mark."""
    from hazards.services.reference import ReferenceData
    from hazards.services.registration import register_hazards
    from tests.reports.test_build import spec

    register_hazards(session, [spec("井盖\x07缺失", deadline=date(2024, 11, 1))], ref=ReferenceData(session))
    session.commit()
    report = build_report(session, "140902", YEAR, today=date(2024, 11, 15))
    sheet = load_workbook(io.BytesIO(to_xlsx(report)))["逾期清单"]
    assert "井盖\ufffd缺失" in [cell.value for cell in sheet[2]]
    auth.login(people["county"])
    listing = client.get("/hazards/export?format=xlsx")
    assert listing.status_code == 200
    titles = [row[1] for row in load_workbook(io.BytesIO(listing.data)).active.iter_rows(values_only=True)]
    assert "井盖\ufffd缺失" in titles


# ---- the previous period beside this one (与上年对比) -----------------------------------------------------

COMPARISON_ROWS = [  # the fixture's 2024 against its 2023 (two completed, four on the list, no money)
    "完成治理（期内）,100,2,98,4900.00%", "年度清单内隐患,96,4,92,2300.00%", "清单内已完成,89,2,87,4350.00%",
    "治理率（%）,92.71,50.00,42.71,—", "按期完成,78,2,76,3800.00%", "其中提前完成,38,2,36,1800.00%", "逾期,3,0,3,—",
    "预算（万元）,1012.35,0.00,1012.35,—", "到位（万元）,800.00,0.00,800.00,—", "支出（万元）,2462.35,0.00,2462.35,—",
]


def test_the_previous_year_beside_this_one_in_every_format(report):
    (table,) = [t for t in tables(report) if t.key == "previous"]
    assert [t.key for t in tables(report)][:3] == ["summary", "previous", "money"]
    assert (table.title("zh"), table.title("en")) == ("与上年对比（同比）", "Compared with the previous year")
    assert [",".join(row) for row in table.display_rows()] == COMPARISON_ROWS
    lines = to_csv(report).splitlines()
    start = lines.index("【与上年对比（同比）】")
    assert lines[start + 1:start + 12] == ["项目,本期（2024年）,上期（2023年）,增减,增减幅度", *COMPARISON_ROWS]
    sheet = load_workbook(io.BytesIO(to_xlsx(report)))["与上期对比"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0] == ["完成治理（期内）", 100, 2, 98, 49]
    assert rows[3] == ["治理率（%）", 92.71, 50, 42.71, "—"] and rows[9] == ["支出（万元）", 2462.35, 0, 2462.35, "—"]
    assert sheet["B11"].data_type == "n" and sheet["E2"].number_format == "0.00%"
    assert "与上年对比（同比）" in to_html(report) and "Compared with the previous year" in to_html(report, "en")
    previous = to_json(report)["previous"]
    assert previous["comparison"] == "year_on_year" and previous["period"]["label_zh"] == "2023年"
    assert previous["as_of"] == "2023-12-31"
    total = next(row for row in previous["summary"] if row["key"] == "total")
    assert {k: total[k] for k in ("completed", "total", "closed", "rate")} == {
        "completed": 2, "total": 4, "closed": 2, "rate": "50.00"}
    assert previous["changes"][0] == {"key": "completed", "label_zh": "完成治理（期内）",
                                      "label_en": "Completed in the period", "this": 100, "previous": 2,
                                      "change": 98, "change_pct": "4900.00"}
    assert previous["changes"][3]["change"] == "42.71" and previous["changes"][3]["change_pct"] is None
    assert previous["changes"][-1] == {"key": "spending", "label_zh": "支出（万元）", "label_en": "Spent (10k yuan)",
                                       "this": "2462.35", "previous": "0.00", "change": "2462.35", "change_pct": None}


def test_a_quarter_is_compared_with_the_quarter_before(session, xinzhou_ledger):
    report = build_report(session, "140900", parse_period(2024, quarter_=1), today=TODAY)
    (table,) = [t for t in tables(report, "en") if t.key == "previous"]
    assert table.title("zh") == "与上季度对比（环比）" and table.title("en") == "Compared with the previous quarter"
    assert [c.en for c in table.columns][1:3] == ["This period (Q1 2024)", "Previous (Q4 2023)"]
    assert table.display_rows("en")[0] == ["Completed in the period", "2", "2", "0", "0.00%"]
    assert to_json(report)["previous"]["comparison"] == "period_on_period"


def test_a_running_year_is_compared_with_the_same_part_of_the_last(session, xinzhou_ledger):
    report = build_report(session, "140900", YEAR, today=date(2024, 11, 15))
    (table,) = [t for t in tables(report) if t.key == "previous"]
    assert table.title("zh") == "与上年同期对比（同比）"
    assert [c.zh for c in table.columns][1:3] == ["本期（2024年）", "上期（2023年1月1日至2023年11月15日）"]
    assert to_json(report)["previous"]["period"]["end"] == "2023-11-15"
    assert paragraph_en(report).startswith("In 2024 to date, 100 road traffic-safety hazards were remediated")
