"""The supervisor's map page and its completion shading, and the dashboard's ranking of units, as a
user gets them: a legend in the page's language, shading that follows the batch year and level and
says what the completion report says, and the report's ranking on the dashboard (both backends)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from shapely.geometry import MultiPolygon, Point, box

from geo.geometry import to_ewkt
from hazards import clock
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Jurisdiction
from hazards.reports import build_report, parse_period
from tests.factories import draft, register_groups

TODAY = clock.today()
THIS_YEAR, LAST_YEAR = TODAY.year, TODAY.year - 1
XINFU, YUANPING = "140902", "140981"
L = SupervisionLevel


def hazard(title, where, *, batch, closed=None, level=L.COUNTY, status=Status.LISTED, categories=("sharp_curve",)):
    found = date(batch, 3, 1)
    return draft(title=title, jurisdiction_code=where, level=level, status=Status.CLOSED if closed else status,
                 category_codes=list(categories),
                 closed_on=closed, batch_year=batch, found_on=found, listed_on=found, deadline=date(batch, 10, 31),
                 geometry=Point(112.7 + 0.001 * len(title), 38.4 if where == XINFU else 38.8))


@pytest.fixture
def counties(session, people):
    """Xinfu and Yuanping with boundaries. Last year's list: Xinfu closed all 5 in that year, Yuanping 1 of 5.
    This year's: Xinfu 1 of 5 closed, Yuanping 5 of 5 (one of them city-listed, two 临水临崖 rather than 急弯).
    A rejected report in Xinfu."""
    for code, cell in {XINFU: box(112.5, 38.25, 112.95, 38.6), YUANPING: box(112.5, 38.6, 112.95, 39.0)}.items():
        session.get(Jurisdiction, code).boundary = to_ewkt(MultiPolygon([cell]))
    last_close = date(LAST_YEAR, 9, 1)
    this_close = min(TODAY, date(THIS_YEAR, 12, 31)) - timedelta(days=1)
    register_groups(session, {
        "xinfu_last": [hazard(f"忻府旧{i}", XINFU, batch=LAST_YEAR, closed=last_close) for i in range(5)],
        "yuanping_last": [hazard(f"原平旧{i}", YUANPING, batch=LAST_YEAR, closed=last_close if i == 0 else None)
                          for i in range(5)],
        "xinfu_this": [hazard(f"忻府新{i}", XINFU, batch=THIS_YEAR, closed=this_close if i == 0 else None) for i in range(5)],
        "yuanping_this": [hazard(f"原平新{i}", YUANPING, batch=THIS_YEAR, closed=this_close,
                                 level=L.CITY if i == 0 else L.COUNTY,
                                 categories=("roadside_danger",) if i < 2 else ("sharp_curve",)) for i in range(5)],
        "rejected": [hazard("不予认定", XINFU, batch=THIS_YEAR, status=Status.REJECTED)],
    })
    session.commit()


def shading(client, **params) -> dict:
    data = client.get("/maps/completion.geojson", query_string=params).get_json()
    return {f["id"]: f["properties"] for f in data["features"]} | {"caption": data["caption"]}


def test_the_shading_follows_the_batch_year_and_agrees_with_that_years_report(client, auth, people, counties, session):
    auth.login(people["city"])
    for year, expected in ((LAST_YEAR, {XINFU: "100.0%", YUANPING: "20.0%"}), (THIS_YEAR, {XINFU: "20.0%", YUANPING: "100.0%"})):
        shown = shading(client, batch_year=year)
        report = {u.code: u for u in build_report(session, "140900", parse_period(year), today=TODAY).units}
        for code, rate_text in expected.items():
            counts = report[code].annual
            assert (shown[code]["total"], shown[code]["closed"], shown[code]["rate_text"]) == (
                counts.total, counts.closed, rate_text), (year, code)
            assert shown[code]["rate"] == float(counts.rate) and shown[code]["rank"] == report[code].rank
        assert f"{year}年度清单治理率" in shown["caption"]
    every = shading(client)
    assert (every[XINFU]["total"], every[XINFU]["closed"]) == (10, 6)  # the rejected report never counts
    assert "历年清单治理率" in every["caption"]


def test_the_shading_follows_the_level_filter(client, auth, people, counties):
    auth.login(people["city"])
    shown = shading(client, batch_year=THIS_YEAR, level="city")
    assert (shown[YUANPING]["total"], shown[XINFU]["total"]) == (1, 0)
    assert shown[XINFU]["rate_text"] == "—" and shown["caption"].endswith("市级")
    assert client.get("/maps/completion.geojson?batch_year=1999").status_code == 400


def test_the_shading_follows_the_category_filter(client, auth, people, counties, session):
    auth.login(people["city"])
    shown = shading(client, batch_year=THIS_YEAR, category="roadside_danger")
    assert (shown[YUANPING]["total"], shown[YUANPING]["closed"], shown[XINFU]["total"]) == (2, 2, 0)
    assert "临水" in shown["caption"].rsplit(" · ", 1)[-1]  # the caption names the category chosen
    report = build_report(session, "140900", parse_period(THIS_YEAR), today=TODAY, category="roadside_danger")
    assert {u.code: u.annual.total for u in report.units if u.code in (XINFU, YUANPING)} == {XINFU: 0, YUANPING: 2}


def speaking(session, person, language: str):
    """The person has chosen the interface language in the header."""
    person.language = language
    session.commit()
    return person


def test_the_shading_speaks_the_page_language(client, auth, people, counties, session):
    auth.login(speaking(session, people["city"], "en"))
    english = client.get("/maps/completion.geojson", query_string={"batch_year": THIS_YEAR}).get_json()
    assert english["caption"].startswith(f"Completion rate of the {THIS_YEAR} list, as of ")
    assert {f["properties"]["name"] for f in english["features"]} == {"Xinfu", "Yuanping"}


LEGEND_ZH = ["图例", "逾期", "待核实", "已督办、待整改", "整改中", "已销号", "不予认定、重复合并", "点的大小：督办级别",
             "辖区底色：治理率", "清单内无隐患"]
LEGEND_EN = ["Legend", "Overdue", "Awaiting verification", "Listed, works not started", "In progress", "Closed",
             "Rejected or merged", "Size: supervision level", "Divisions shaded by completion rate", "Nothing on the list"]


@pytest.mark.parametrize("language, words, foreign", [("zh", LEGEND_ZH, "Legend"), ("en", LEGEND_EN, "图例")])
def test_the_legend_is_in_the_page_language(client, auth, people, session, language, words, foreign):
    auth.login(speaking(session, people["city"], language))
    page = client.get("/map").get_data(as_text=True)
    legend = page[page.index('id="map-legend"'):page.index("</details>", page.index('id="map-legend"'))]
    for word in words:
        assert word in legend, word
    assert foreign not in legend
    # The county tooltips' words come from the page too, in the same language.
    config = page[page.index('id="hazard-map-config"'):]
    rate = re.search(r'data-rate="([^"]*)"', config).group(1)
    assert rate == ("治理率" if language == "zh" else "Completion rate")


def test_the_dashboard_ranks_the_subordinate_units_as_the_report(client, auth, people, counties, session):
    auth.login(people["city"])
    page = client.get("/dashboard").get_data(as_text=True)
    table = page[page.index("<tbody>", page.index('class="unit-ranking"')):page.index("</tbody>", page.index('class="unit-ranking"'))]
    rows = [re.findall(r"<td[^>]*>(?:<a[^>]*>)?([^<]*)", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    rows = [[cell.strip() for cell in row] for row in rows]
    report = build_report(session, "140900", parse_period(THIS_YEAR), today=TODAY)
    assert [row[1] for row in rows] == [u.name for u in report.units]
    assert rows[0][:2] == ["1", "原平市"] and rows[1][:2] == ["2", "忻府区"]
    assert "不排名（清单内不足5处）" in rows[2][0]
    # A county with no divisions below it has nothing to rank.
    auth.logout()
    auth.login(people["county"])
    assert 'class="unit-ranking"' not in client.get("/dashboard").get_data(as_text=True)
