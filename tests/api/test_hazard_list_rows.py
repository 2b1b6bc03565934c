"""The API list reads flat rows; what a client gets must not differ from the single GET of each hazard,
nor reach past the caller's jurisdiction, nor lose or repeat a hazard between pages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from shapely.geometry import LineString, Point

from hazards import clock
from hazards.domain.enums import Direction, FundingSource, RiskGrade, Source, Status, SupervisionLevel
from tests.factories import draft, register_groups, section_draft

TODAY = clock.today()

#: Every field of a hazard in the API (the single GET adds funding_totals).
FIELDS = {
    "id", "code", "title", "description", "source", "batch_year", "dynamic_add", "found_on", "found_by_id",
    "jurisdiction_code", "route_code", "road_name", "road_class", "direction", "start_m", "end_m", "place",
    "coordinate_input", "crash_prone", "crash_count", "death_count", "risk_grade", "school_zone", "level",
    "document_no", "listed_on", "deadline", "responsible_person", "responsible_contact", "plan_text",
    "measures_text", "temporary_controls", "planned_start", "planned_end", "status", "completed_on",
    "closure_requested_on", "accepted_on", "acceptance_note", "closed_on", "merged_into_id", "created_at",
    "updated_at", "version", "jurisdiction_name", "overdue", "categories", "measures", "supervising_body",
    "responsible_unit", "geometry", "links", "priority",
}


@pytest.fixture
def varied(session, people):
    """Hazards that between them fill every field: units, measures, a section, an overdue one, a closed one."""
    ids = register_groups(session, {
        "listed": [draft(
            title="城区快速路急弯", description="夜间视距不良", source=Source.PUBLIC, dynamic_add=True,
            road_name="迎宾大道", direction=Direction.DOWN, place="忻州市忻府区北义井村",
            geometry=Point(112.7340123456789, 38.4170987654321),
            category_codes=["poor_sight", "sharp_curve", "junction"],
            measure_codes=["lighting", "alignment", "guardrail"], crash_prone=True, crash_count=3, death_count=1,
            risk_grade=RiskGrade.MAJOR, school_zone=True, level=SupervisionLevel.CITY,
            supervising_body="忻州市人民政府", document_no="忻安委〔2024〕3号", listed_on=date(2024, 3, 20),
            deadline=TODAY - timedelta(days=3), responsible_unit="忻府区交通运输局", responsible_person="王工",
            responsible_contact="0350-1234567", plan_text="拓宽弯道", measures_text="加装路灯",
            temporary_controls="限速40", planned_start=date(2024, 4, 1), planned_end=date(2024, 9, 30),
            status=Status.IN_REMEDIATION, budget=Decimal("123456.78"), funding_source=FundingSource.COUNTY,
            funding_date=date(2024, 4, 2),
        )],
        "closed": [section_draft(
            title="临水路段", level=SupervisionLevel.COUNTY, supervising_body="忻府区人民政府",
            listed_on=date(2024, 3, 10), deadline=date(2024, 12, 31), responsible_unit="忻府区交通运输局",
            status=Status.CLOSED, completed_on=date(2024, 6, 1), closure_requested_on=date(2024, 6, 2),
            accepted_on=date(2024, 6, 10), acceptance_note="验收合格", closed_on=date(2024, 6, 12),
            geometry=LineString([(112.70, 38.40), (112.7051234567, 38.4031234567)]),
        )],
        "plain": [draft(title="无类别", category_codes=[])],
    })
    session.commit()
    return [i for group in ids.values() for i in group]


def _single(api, who, hazard_id):
    response = api.get(who, f"/api/v1/hazards/{hazard_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    body.pop("funding_totals")
    return body


def test_a_page_of_the_list_equals_the_single_get_of_each_hazard(api, ledger, varied):
    items = api.get("city", "/api/v1/hazards?limit=500").get_json()["items"]
    assert {h["id"] for h in items} >= set(varied) | {h.id for h in ledger}
    for item in items:
        assert set(item) == FIELDS
        assert item == _single(api, "city", item["id"])

    listed, closed, plain = (next(h for h in items if h["id"] == i) for i in varied)
    # Categories and measures in the vocabulary's order, not the order they were given in.
    assert listed["categories"] == ["sharp_curve", "poor_sight", "junction"]
    assert listed["measures"] == ["alignment", "guardrail", "lighting"]
    assert plain["categories"] == [] and plain["measures"] == []
    assert listed["supervising_body"]["name"] == "忻州市人民政府"
    assert listed["responsible_unit"]["name"] == "忻府区交通运输局"
    assert plain["supervising_body"] is None and plain["responsible_unit"] is None
    assert listed["jurisdiction_name"] and listed["jurisdiction_code"] == "140902"
    assert listed["overdue"] is True and closed["overdue"] is False
    assert listed["status"] == "in_remediation" and listed["level"] == "city" and listed["risk_grade"] == "major"
    assert listed["deadline"] == (TODAY - timedelta(days=3)).isoformat() and listed["found_on"] == "2024-03-05"
    assert listed["created_at"].endswith("Z") and "T" in listed["created_at"]
    assert listed["geometry"] == {"type": "Point", "coordinates": [112.7340123456789, 38.4170987654321]}
    assert closed["geometry"]["coordinates"] == [[112.70, 38.40], [112.7051234567, 38.4031234567]]
    assert listed["links"] == {"self": f"/api/v1/hazards/{listed['id']}", "html": f"/hazards/{listed['id']}"}
    # Money stays exact text on the single GET.
    totals = api.get("city", f"/api/v1/hazards/{listed['id']}").get_json()["funding_totals"]
    assert "123456.78" in totals.values()


def test_what_the_api_writes_back_looks_as_the_list_shows_it(api, ledger):
    created = api.post("inspector", "/api/v1/hazards", json={
        "title": "新上报", "geometry": {"type": "Point", "coordinates": [112.735, 38.418]},
        "categories": ["junction", "sharp_curve"]})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["categories"] == ["sharp_curve", "junction"]
    listed = api.get("inspector", "/api/v1/hazards?limit=500").get_json()["items"]
    assert next(h for h in listed if h["id"] == body["id"]) == body
    changed = api.patch("inspector", f"/api/v1/hazards/{body['id']}", json={"version": body["version"], "place": "村口"})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json() == _single(api, "inspector", body["id"])


def test_an_inspector_of_another_county_sees_none_of_them(api, ledger, varied):
    xinfu = set(varied) | {h.id for h in ledger[:3]}
    seen = {h["id"] for h in api.get("other_inspector", "/api/v1/hazards?limit=500").get_json()["items"]}
    assert seen == {ledger[3].id}
    assert not seen & xinfu
    for hazard_id in xinfu:
        assert api.get("other_inspector", f"/api/v1/hazards/{hazard_id}").status_code == 404
    for qs in ("?jurisdiction=140902", "?category=sharp_curve", "?q=急弯", "?sort=id"):
        assert not {h["id"] for h in api.get("other_inspector", "/api/v1/hazards" + qs).get_json()["items"]} & xinfu


@pytest.mark.parametrize("sort", ["found", "id"])
def test_cursor_pages_continue_over_ties_in_the_sort_key(api, session, people, sort):
    # Eleven hazards found on two days: every page boundary falls between rows of the same day.
    days = [date(2024, 5, 1)] * 6 + [date(2024, 5, 2)] * 5
    ids = register_groups(session, {"tied": [draft(title=f"并列{n}", found_on=d) for n, d in enumerate(days)]})["tied"]
    session.commit()
    found_on = dict(zip(ids, days))
    expected = (sorted(ids, key=lambda i: (found_on[i], i), reverse=True) if sort == "found" else sorted(ids))

    seen, url, pages = [], f"/api/v1/hazards?limit=3&sort={sort}", 0
    while url:
        body = api.get("inspector", url).get_json()
        seen += [h["id"] for h in body["items"]]
        assert len(body["items"]) <= 3
        url, pages = body["links"].get("next"), pages + 1
        assert (url is None) == (body["next_cursor"] is None)
    assert seen == expected and pages == 4


def test_the_rendered_statement_reads_as_the_expression_it_was_rendered_from(app, session, ledger, varied):
    # The item's SQL is rendered to text once per day and link prefixes; the expression itself (kept
    # for shapes the rendering does not foresee) must give the very same items.
    from sqlalchemy import select

    from hazards.models import Hazard
    from hazards.queries import hazard_json

    dialect = session.get_bind().dialect
    links = hazard_json.LinkPrefixes(api="/api/v1/hazards/", html="/hazards/")
    rendered = hazard_json.item_columns(dialect, TODAY, links)
    assert all(type(c.element).__name__ == "ColumnClause" for c in rendered)  # the fast path is taken
    stmt = select(Hazard).where(Hazard.id.in_(varied + [h.id for h in ledger])).order_by(Hazard.id)
    texts = [session.execute(hazard_json._joined(stmt.with_only_columns(*columns, maintain_column_froms=False)))
             .all() for columns in (rendered, hazard_json._item_columns(dialect.name, TODAY, links))]
    assert [hazard_json.item_text(r) for r in texts[0]] == [hazard_json.item_text(r) for r in texts[1]]
