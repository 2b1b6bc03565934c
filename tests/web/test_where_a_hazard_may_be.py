"""Location sanity (issue 12, finding 13): a hazard lies in the division it is logged in, where that
division's boundary is stored, give or take `BOUNDARY_TOLERANCE_M`; sections may be typed 下行."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, MultiPolygon, Point, box
from sqlalchemy import func, select

from geo.geometry import to_ewkt
from hazards.domain.drafts import DraftRejected
from hazards.domain.enums import Direction, RoadClass
from hazards.i18n import error_text
from hazards.models import Hazard, Jurisdiction
from hazards.services.registration import report_hazard
from hazards.services.roads import add_road
from tests.factories import draft, section_draft

XINFU_BOX = (112.5, 38.25, 112.95, 38.6)
YUANPING_BOX = (112.5, 38.6, 113.0, 39.0)  # Xinfu's northern neighbour
IN_YUANPING = (112.71, 38.80)  # 22 km north of Xinfu's boundary
ON_HAINAN = (110.35, 20.02)
# One kilometre west of Xinfu's western edge: a border road, inside the default 2 km tolerance.
ONE_KM_WEST = (XINFU_BOX[0] - 1000 / (111_320 * math.cos(math.radians(38.417))), 38.417)

FORM = {"title": "G208线急弯", "jurisdiction_code": "140902", "crs": "wgs84", "categories": ["sharp_curve"]}


@pytest.fixture
def boundaries(session):
    session.get(Jurisdiction, "140902").boundary = to_ewkt(MultiPolygon([box(*XINFU_BOX)]))
    session.get(Jurisdiction, "140981").boundary = to_ewkt(MultiPolygon([box(*YUANPING_BOX)]))
    session.commit()


def count(session):
    return session.scalar(select(func.count(Hazard.id)))


def _refusal(session, people, where) -> str:
    with pytest.raises(DraftRejected) as caught:
        report_hazard(session, draft(geometry=where), actor=people["inspector"])
    assert "location" in caught.value.details["fields"]
    return error_text(caught.value, "zh")


def test_a_xinfu_hazard_placed_in_yuanping_is_refused_naming_yuanping(session, people, boundaries):
    text = _refusal(session, people, Point(*IN_YUANPING))
    assert "位于原平市" in text and "忻府区边界外 22." in text


def test_a_hazard_on_hainan_is_refused_as_in_no_known_division(session, people, boundaries):
    text = _refusal(session, people, Point(*ON_HAINAN))
    assert "不在台账存有边界的任何行政区内" in text and "忻府区边界外" in text


def test_every_vertex_of_a_section_is_checked(session, people, boundaries):
    leaving = LineString([(112.70, 38.40), (112.71, 38.55), IN_YUANPING])
    with pytest.raises(DraftRejected) as caught:
        report_hazard(session, section_draft(geometry=leaving), actor=people["inspector"])
    assert "原平市" in error_text(caught.value, "zh")


def test_one_kilometre_outside_the_boundary_is_within_the_tolerance(session, people, boundaries):
    hazard = report_hazard(session, draft(geometry=Point(*ONE_KM_WEST)), actor=people["inspector"])
    assert hazard.id


def test_the_tolerance_is_a_setting(app, session, people, boundaries):
    app.config["BOUNDARY_TOLERANCE_M"] = 500
    try:
        _refusal(session, people, Point(*ONE_KM_WEST))
    finally:
        app.config["BOUNDARY_TOLERANCE_M"] = 2000


def test_without_a_stored_boundary_the_place_is_accepted_as_before(session, people):
    # No boundary for Xinfu in the reference data: nothing to check against.
    assert report_hazard(session, draft(geometry=Point(*ON_HAINAN)), actor=people["inspector"]).id


def test_the_logging_form_says_in_chinese_where_the_place_lies(client, auth, session, people, boundaries):
    auth.login(people["inspector"])
    response = client.post("/hazards/new", data={**FORM, "lon": str(IN_YUANPING[0]), "lat": str(IN_YUANPING[1])})
    assert response.status_code == 422
    assert "位于原平市" in response.get_data(as_text=True)
    assert count(session) == 0


@pytest.fixture
def g208(session, boundaries):
    """G208 numbered by the province, running north from Xinfu into Yuanping from K1000+000."""
    add_road(session, route_code="G208", division_code="140000", road_class=RoadClass.NATIONAL,
             coords=[(112.73, 38.30), (112.73, 38.90)], start_m=1_000_000)
    session.commit()


def test_route_and_stake_are_checked_against_the_divisions_stretch_of_the_road(client, auth, session, people, g208):
    auth.login(people["inspector"])
    # K1052+300 is 52.3 km up the road, past Xinfu's northern edge (about 33 km up).
    response = client.post("/hazards/new", data={**FORM, "route_code": "G208", "stakes": "K1052+300"})
    assert response.status_code == 422 and "位于原平市" in response.get_data(as_text=True)
    assert count(session) == 0
    inside = client.post("/hazards/new", data={**FORM, "route_code": "G208", "stakes": "K1010+000"})
    assert inside.status_code == 302


# --- 下行: sections typed high stake first ----------------------------------------------------------


def test_a_descending_section_is_stored_ascending_as_the_down_carriageway(client, auth, session, people):
    auth.login(people["inspector"])
    response = client.post("/hazards/new", data={
        **FORM, "route_code": "G208", "stakes": "K262+505~K257+015",
        "geometry_wkt": "LINESTRING(112.70 38.40, 112.71 38.405)"})
    assert response.status_code == 302, response.get_data(as_text=True)
    hazard = session.scalar(select(Hazard))
    assert (hazard.start_m, hazard.end_m, hazard.direction) == (257015, 262505, Direction.DOWN)
    assert "K257+015~K262+505" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_ledger_file_is_held_to_the_same_place_rule_row_by_row(session, people, boundaries, tmp_path):
    """An import places its rows by the same rule: a Xinfu row lying in Yuanping is a row error that
    says so; a row within the tolerance lands."""
    from hazards.i18n import translate_message
    from hazards.io.importer import import_hazards

    path = tmp_path / "ledger.csv"
    path.write_text("隐患名称,辖区代码,发现日期,经度,纬度\n"
                    f"错位的急弯,140902,2024-05-06,{IN_YUANPING[0]},{IN_YUANPING[1]}\n"
                    f"边界外一公里,140902,2024-05-06,{ONE_KM_WEST[0]},{ONE_KM_WEST[1]}\n", encoding="utf-8")
    report = import_hazards(session, path, actor=people["county"], dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "location")]
    assert report.valid_rows == 1
    assert "位于原平市" in translate_message(report.errors[0].template, report.errors[0].params, "zh")
