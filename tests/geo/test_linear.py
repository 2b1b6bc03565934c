"""Stakes along a road line: a point 12.3 km along lies 12.3 km along."""

from __future__ import annotations

import pytest

from geo.linear import LinearReferenceError, haversine_m, length_m, point_at, substring

# Three vertices heading roughly north-east through Xinfu district (about 1.5 km and 2.2 km legs).
ROAD = [(112.70, 38.40), (112.71, 38.41), (112.73, 38.415)]


def test_haversine_of_a_degree_of_latitude():
    assert haversine_m((112.0, 38.0), (112.0, 39.0)) == pytest.approx(111_195, rel=1e-3)


@pytest.mark.parametrize("metres", [0, 500, 1000, 1400, 2500, 3100])
def test_point_at_lies_that_far_along(metres):
    x = point_at(ROAD, metres)
    # distance along = distance to the point over the vertices passed
    walked = 0.0
    for a, b in zip(ROAD, ROAD[1:]):
        step = haversine_m(a, b)
        if walked + step >= metres:
            assert walked + haversine_m(a, x) == pytest.approx(metres, abs=0.5)
            break
        walked += step


def test_substring_keeps_inner_vertices_and_its_length():
    part = substring(ROAD, 1000, 3000)
    assert ROAD[1] in part
    assert length_m(part) == pytest.approx(2000, abs=1)


def test_beyond_the_road_is_an_error():
    with pytest.raises(LinearReferenceError, match="beyond"):
        point_at(ROAD, 50_000)
    with pytest.raises(LinearReferenceError):
        substring(ROAD, 2000, 1000)
