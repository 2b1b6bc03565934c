"""Stakes pinned by kilometre posts: between two posts a stake lies in proportion, and back again."""

from __future__ import annotations

import pytest
from shapely.geometry import LineString, MultiLineString

from geo.calibration import CalibrationError, StakeScale, locate_point, route_coords
from geo.linear import haversine_m, length_m

# Due east along 30°N: about 96.4 km per degree of longitude.
LINE = [(110.0, 30.0), (110.1, 30.0), (110.2, 30.0)]


def test_without_posts_stakes_are_the_start_plus_the_distance():
    scale = StakeScale.build(10_000, 2_000)
    assert scale.along(7_000) == 5_000 and scale.stake_at(5_000) == 7_000
    assert scale.first == 2_000 and scale.last == 12_000


def test_between_posts_stakes_are_spread_over_the_drawn_length():
    # Drawn 4 km between K1 and K6 (5 stake km), then 1:1 past the last post.
    scale = StakeScale.build(10_000, 0, [(1_000, 1_000), (5_000, 6_000)])
    assert scale.along(3_500) == pytest.approx(3_000)
    assert scale.stake_at(3_000) == pytest.approx(3_500)
    assert scale.along(8_000) == pytest.approx(7_000)  # 2 km past K6, 1:1
    assert scale.last == 11_000


def test_an_end_stake_stretches_the_last_stretch():
    scale = StakeScale.build(10_000, 0, [], end_m=12_000)
    assert scale.along(6_000) == pytest.approx(5_000) and scale.last == 12_000


def test_stakes_that_do_not_grow_along_the_line_are_refused():
    with pytest.raises(CalibrationError, match="K3\\+000.*K5\\+000"):
        StakeScale.build(10_000, 0, [(2_000, 5_000), (4_000, 3_000)])
    with pytest.raises(CalibrationError):
        StakeScale.build(10_000, 5_000, [(2_000, 4_000)])


def test_a_post_at_the_start_or_end_stake_adds_nothing():
    scale = StakeScale.build(10_000, 0, [(3.0, 0), (9_990, 12_000)], end_m=12_000)
    assert scale.anchors == ((0.0, 0), (10_000, 12_000))


def test_a_point_beside_the_line_is_located_along_it():
    at = locate_point(LINE, 110.15, 30.001)
    assert at.lon == pytest.approx(110.15) and at.lat == pytest.approx(30.0)
    assert at.along_m == pytest.approx(haversine_m(LINE[0], (110.15, 30.0)), abs=1)
    assert at.offset_m == pytest.approx(111, abs=1)  # 0.001° of latitude
    before = locate_point(LINE, 109.9, 30.0)
    assert before.along_m == 0 and before.offset_m == pytest.approx(haversine_m((109.9, 30.0), LINE[0]), rel=1e-3)


def test_parts_are_walked_in_order_with_the_gap_bridged():
    multi = MultiLineString([LINE[:2], [(110.12, 30.0), (110.2, 30.0)]])
    coords = route_coords(multi)
    assert coords == [(110.0, 30.0), (110.1, 30.0), (110.12, 30.0), (110.2, 30.0)]
    assert length_m(coords) == pytest.approx(length_m(LINE), abs=0.01)  # the gap counts as road
    assert route_coords(LineString(LINE)) == LINE
