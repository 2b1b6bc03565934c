"""A geometry's GeoJSON text written straight from its WKB keeps every digit, as json.dumps would."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, mapping

from geo.geometry import wkb_geojson

SHAPES = [
    Point(112.73401234567891, 3.1234567890123457),
    Point(112.0, 38.4),
    LineString([(112.70, 38.40), (112.7051234567, 38.4031234567), (0.1 + 0.2, 1e-7)]),
    Polygon([(112.0, 38.0), (112.1, 38.0), (112.1, 38.1)]),
]


@pytest.mark.parametrize("geom", SHAPES, ids=lambda g: g.geom_type)
@pytest.mark.parametrize("byte_order", [0, 1], ids=["big-endian", "little-endian"])
def test_the_text_reads_back_as_the_same_coordinates(geom, byte_order):
    text = wkb_geojson(shapely.to_wkb(geom, byte_order=byte_order))
    assert json.loads(text) == json.loads(json.dumps(mapping(geom)))
    assert text == json.dumps(json.loads(json.dumps(mapping(geom))), separators=(",", ":"))
