"""The report's 治理成效 section on a planted before/after pattern: exact numbers, the exact sentence, in
every format the report offers; left out when the hazards completed in the period have no crash nearby."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook
from shapely.geometry import Point

from hazards.domain.crash_rules import EffectRule
from hazards.reports import build_report, parse_period
from hazards.reports.formats import export, tables, to_csv, to_html, to_json
from hazards.reports.wording import EFFECT_CAVEAT_EN, EFFECT_CAVEAT_ZH, effect_en, effect_zh
from hazards.reports.word import to_docx
from tests import factories
from tests.conftest import unavailable
from tests.crashes.effect_ledger import RULE, TODAY, closed, planted, planted_section

SENTENCE = ("期内完成治理的隐患中，2处治理后已满12个月：治理后12个月内事故3起，较治理前8起下降62.5%；"
            "死亡0人（治理前3人），受伤1人（治理前8人）。施工期间事故2起，不计入前后对比。")
SENTENCE_EN = ("Of the hazards completed in the period, 2 have had 12 months since the works ended: 3 crashes in the "
               "12 months after the works, down 62.5% from 8 in the 12 months before; 0 deaths (3 before) and "
               "1 injury (8 before). 2 crashes during the works are not compared.")


@pytest.fixture
def ledger(session):
    """甲 and 乙 closed in 2023 in Xinfu with crashes around them; 丁 closed in 2023 in Yuanping with one
    crash before (outside a Xinfu report, inside the city's); nothing closed in 2024 has a crash nearby."""
    planted(session)
    planted_section(session)
    closed(session, "丁", jurisdiction_code="140981", geometry=Point(112.71, 38.73), route_code="G108",
           start_m=500000, started_at=datetime(2023, 6, 1, 4), completed_on=date(2023, 7, 1),
           closed_on=date(2023, 7, 5))
    factories.crash(session, "丁-before", date(2023, 1, 1), lonlat=(112.71, 38.73), jurisdiction="140981")
    closed(session, "戊", geometry=Point(112.80, 38.50), route_code="G208", start_m=1090000,
           started_at=datetime(2024, 3, 1, 4), completed_on=date(2024, 4, 1), closed_on=date(2024, 4, 2))


def xinfu_2023(session, **options):
    return build_report(session, "140902", parse_period(2023), today=TODAY, effect_rule=RULE, **options)


def test_the_planted_pattern_comes_out_exact(session, ledger):
    effect = xinfu_2023(session).effect
    t = effect.totals
    assert (effect.closed, t.complete, t.incomplete) == (2, 2, 0)
    assert (t.before.crashes, t.before.deaths, t.before.injuries) == (8, 3, 8)
    assert (t.during.crashes, t.after.crashes, t.after.deaths, t.after.injuries) == (2, 3, 0, 1)
    assert [(r.title, r.before.crashes, r.during.crashes, r.after.crashes) for r in effect.rows] == [
        ("甲", 5, 2, 2), ("乙", 3, 0, 1)]
    city = build_report(session, "140900", parse_period(2023), today=TODAY, effect_rule=RULE).effect
    assert (city.closed, city.totals.before.crashes, [r.title for r in city.rows]) == (3, 9, ["丁", "甲", "乙"])


def test_the_sentence_says_the_numbers(session, ledger):
    report = xinfu_2023(session)
    assert effect_zh(report) == SENTENCE
    assert effect_en(report) == SENTENCE_EN


def test_a_rise_an_unchanged_count_and_a_rise_from_none(session):
    hazard = closed(session, "甲", started_at=datetime(2023, 3, 31, 17), completed_on=date(2023, 6, 30),
                    closed_on=date(2023, 7, 10))
    near = (112.7340, 38.4178)
    factories.crash(session, "after-1", date(2023, 8, 1), lonlat=near)
    assert "治理后12个月内事故1起，较治理前0起增加1起；" in effect_zh(xinfu_2023(session))
    factories.crash(session, "before-1", date(2023, 1, 1), lonlat=near)
    assert "治理后12个月内事故1起，与治理前持平（1起）；" in effect_zh(xinfu_2023(session))
    factories.crash(session, "after-2", date(2023, 9, 1), lonlat=near)
    factories.crash(session, "after-3", date(2023, 10, 1), lonlat=near)
    assert "治理后12个月内事故3起，较治理前1起增加200%；" in effect_zh(xinfu_2023(session))
    assert "3 crashes in the 12 months after the works, up 200% from 1" in effect_en(xinfu_2023(session))
    assert hazard.id


def test_an_after_window_still_running_is_not_in_the_totals(session, ledger):
    # 己 closed in Xinfu on 2026-09-02, its works ended 2026-08-30: three months after by 2026-11-30.
    closed(session, "己", geometry=Point(112.76, 38.45), route_code="G208", start_m=1070000,
           started_at=datetime(2026, 6, 1, 4), completed_on=date(2026, 8, 30), closed_on=date(2026, 9, 2))
    factories.crash(session, "己-before", date(2026, 5, 1), lonlat=(112.76, 38.45))
    report = build_report(session, "140902", parse_period(2026), today=TODAY, effect_rule=RULE)
    assert (report.effect.totals.complete, report.effect.totals.incomplete) == (0, 1)
    assert effect_zh(report) == "期内完成治理的隐患1处治理后均未满12个月，暂不作治理前后对比。"
    assert next(t for t in tables(report) if t.key == "effect").rows == []  # no totals to compare yet
    by_hazard = next(t for t in tables(report) if t.key == "effect_hazards")
    assert by_hazard.display_rows()[0][-1] == "治理后仅满3个月"
    # The months are the setting's.
    two = build_report(session, "140902", parse_period(2026), today=TODAY, effect_rule=EffectRule(months=2))
    assert effect_zh(two).startswith("期内完成治理的隐患中，1处治理后已满2个月：治理后2个月内事故0起")


def test_left_out_without_crashes_near_the_hazards_completed(session, ledger):
    report = build_report(session, "140902", parse_period(2024), today=TODAY, effect_rule=RULE)
    assert report.effect is None
    assert to_json(report)["effect"] is None
    assert "effect" not in [t.key for t in tables(report)] and "治理成效" not in to_html(report)


def test_json_csv_and_xlsx(session, ledger):
    report = xinfu_2023(session)
    block = to_json(report)["effect"]
    assert (block["months"], block["complete"], block["before"], block["after"]) == (
        12, 2, {"crashes": 8, "deaths": 3, "injuries": 8}, {"crashes": 3, "deaths": 0, "injuries": 1})
    assert block["change"]["crashes"] == {"change": -5, "change_pct": "-62.5"}
    assert block["change"]["deaths"] == {"change": -3, "change_pct": "-100.0"}
    assert block["hazards"][0]["works_start"] == "2023-04-01" and block["hazards"][0]["before_from"] == "2022-04-01"
    assert block["sentence"]["zh"] == SENTENCE and block["caveat"]["zh"] == EFFECT_CAVEAT_ZH
    assert json.loads(export(report, "json"))["effect"]["after"]["crashes"] == 3

    csv = to_csv(report)
    assert "【治理成效（治理前后各12个月，2处）】" in csv and SENTENCE in csv and "回归均值" in csv
    assert "事故（起）,8,2,3,-5,-62.50%" in csv

    book = load_workbook(io.BytesIO(export(report, "xlsx")))
    sheet = book["治理成效"]
    assert [c.value for c in sheet[2]][:5] == ["事故（起）", 8, 2, 3, -5]
    assert sheet.cell(2, 6).number_format == "0.00%"
    assert [c.value for c in book["治理成效明细"][2]][:2][1] == "甲"
    about = {row[0].value: row[1].value for row in book["说明"].iter_rows(min_row=2) if row[0].value}
    assert about["治理成效"] == SENTENCE and "回归均值" in about["说明"]


def test_html_in_zh_and_en(session, ledger):
    report = xinfu_2023(session)
    html = to_html(report)
    assert SENTENCE in html and "回归均值" in html and "治理成效明细（前后有事故的隐患）" in html
    english = to_html(report, "en")
    assert SENTENCE_EN in english and EFFECT_CAVEAT_EN in english and "Remediation effect by hazard" in english


def _pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        unavailable("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)  # pdftotext breaks lines and spaces Latin from Chinese


def test_pdf_prints_the_section(session, ledger, tmp_path):
    report = xinfu_2023(session)
    try:
        pdf = export(report, "pdf")
    except (ImportError, OSError) as exc:
        unavailable(f"WeasyPrint cannot render: {exc}")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = _pdf_text(path)
    assert re.sub(r"\s+", "", SENTENCE) in text and "回归均值" in text and "治理成效明细" in text
    if os.environ.get("HAZARDS_KEEP_PDF"):  # to look at the page: HAZARDS_KEEP_PDF=/tmp/effect.pdf
        shutil.copy(path, os.environ["HAZARDS_KEEP_PDF"])


def test_word_holds_the_section_and_libreoffice_prints_it(session, ledger, tmp_path):
    report = xinfu_2023(session)
    data = to_docx(report)
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert SENTENCE in paragraphs and EFFECT_CAVEAT_ZH in paragraphs
    assert any(p.endswith("治理成效（治理前后各12个月，2处）") for p in paragraphs)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        unavailable("LibreOffice (Debian libreoffice-writer) is not installed")
    path = tmp_path / "report.docx"
    path.write_bytes(data)
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(tmp_path)})
    text = _pdf_text(tmp_path / "report.pdf")
    assert re.sub(r"\s+", "", SENTENCE) in text and "回归均值" in text
    if os.environ.get("HAZARDS_KEEP_DOCX_PDF"):
        shutil.copy(tmp_path / "report.pdf", os.environ["HAZARDS_KEEP_DOCX_PDF"])
