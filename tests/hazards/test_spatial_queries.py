"""Bounding-box and distance queries give the same answers on both backends, through the index."""

from __future__ import annotations

import pytest
from shapely.geometry import LineString, Point
from sqlalchemy import select, text

from geo.spatial import BBox, BBoxError
from hazards import queries
from hazards.models import Hazard
from hazards.services.registration import report_hazard
from tests.factories import draft, section_draft

# A small grid of points around Xinfu district, 0.01° apart (about 870 m east-west, 1.1 km north-south).
GRID = [(round(112.70 + 0.01 * i, 2), round(38.40 + 0.01 * j, 2)) for i in range(5) for j in range(5)]


@pytest.fixture
def grid(session):
    ids = {}
    for lon, lat in GRID:
        ids[(lon, lat)] = report_hazard(session, draft(title=f"{lon:.2f},{lat:.2f}", geometry=Point(lon, lat))).id
    return ids


def test_bbox_returns_exactly_the_points_inside(session, grid):
    box = BBox(112.715, 38.405, 112.735, 38.425)
    expected = sorted(hid for (lon, lat), hid in grid.items()
                      if box.min_lon <= lon <= box.max_lon and box.min_lat <= lat <= box.max_lat)
    assert len(expected) == 4
    assert queries.list_hazard_ids_in_bbox(session, box) == expected


def test_bbox_finds_a_section_crossing_the_view_with_no_vertex_inside(session):
    line = report_hazard(session, section_draft(geometry=LineString([(112.60, 38.50), (112.90, 38.50)])))
    report_hazard(session, draft(geometry=Point(112.95, 38.60)))
    assert queries.list_hazard_ids_in_bbox(session, BBox(112.74, 38.49, 112.76, 38.51)) == [line.id]


def test_distance_in_metres_and_nearest_first(session, grid):
    origin = (112.72, 38.42)
    found = queries.list_hazards_near(session, *origin, 1000)
    ids_by_point = {v: k for k, v in grid.items()}
    points = [ids_by_point[hid] for hid, _ in found]
    # Within 1 km: the point itself, its two east-west neighbours (~870 m); north-south ones are ~1.1 km.
    assert points == [(112.72, 38.42), (112.71, 38.42), (112.73, 38.42)]
    distances = [d for _, d in found]
    assert distances[0] == pytest.approx(0, abs=0.01)
    assert distances[1] == pytest.approx(872.6, rel=0.005)


def test_a_far_point_is_not_near(session, grid):
    assert queries.list_hazards_near(session, 113.5, 39.5, 5000) == []


@pytest.mark.backend_only("spatialite")
def test_spatialite_bbox_uses_the_rtree(session, grid):
    stmt = select(Hazard.id).where(queries.in_bbox(session, BBox(112.7, 38.4, 112.72, 38.42)))
    compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = " | ".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "idx_hazards_geom VIRTUAL TABLE INDEX" in plan, plan
    assert "SCAN hazards" not in plan, plan


@pytest.mark.backend_only("postgis")
def test_postgis_bbox_can_use_the_gist_index(session, grid):
    session.execute(text("SET LOCAL enable_seqscan = off"))
    stmt = select(Hazard.id).where(queries.in_bbox(session, BBox(112.7, 38.4, 112.72, 38.42)))
    compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {compiled}")))
    assert "idx_hazards_geom" in plan, plan


@pytest.mark.parametrize(
    "raw, message",
    [
        ("1,2,3", "4 numbers"),
        ("a,b,c,d", "4 numbers"),
        ("112,38,111,39", "minimum"),
        ("112,95,113,96", "latitudes"),
        ("nan,1,2,3", "finite"),
    ],
)
def test_bad_bbox_is_refused_with_a_reason(raw, message):
    with pytest.raises(BBoxError, match=message):
        BBox.parse(raw)
