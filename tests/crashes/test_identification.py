"""Finding crash-prone places (事故多发点段) in a generated set of crashes with places planted in it
(tests/crashes/planted.py): exactly the planted ones, none of the near-misses, ranked by deaths."""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import Point

from hazards import clock
from hazards.domain.enums import Status, SupervisionLevel
from hazards.domain.errors import NotFound
from hazards.permissions import SYSTEM
from hazards.services.crash_places import identify
from hazards.services.registration import report_hazard
from tests import factories
from tests.crashes import planted
from tests.crashes.planted import ACROSS_EXPECTED, EXPECTED, PLACES, RULE, XINFU, YUANPING


@pytest.fixture
def crashes(session, people):
    made = planted.plant(session, clock.today())
    session.flush()
    return made


def _shape(place):
    return (place.kind, place.route_code, place.start_m, place.end_m, place.crashes, place.deaths, place.fatal)


def test_finds_exactly_the_planted_places_ranked_by_deaths_then_fatal_then_crashes(session, people, crashes):
    places = identify(session, people["county"], XINFU, rule=RULE)
    assert [_shape(p) for p in places] == list(EXPECTED.values())
    assert [p.rank for p in places] == [1, 2, 3, 4, 5]
    for place, name in zip(places, EXPECTED):
        assert place.crash_ids == planted.ids_of(crashes, PLACES[name])
        assert place.division_code == XINFU


def test_a_radius_place_has_its_centre_and_reach(session, people, crashes):
    (place,) = [p for p in identify(session, people["county"], XINFU, rule=RULE) if p.kind == "radius"]
    assert place.lon == pytest.approx(112.70 + 2.5 * planted.STEP_70M, abs=1e-6)
    assert place.lat == pytest.approx(planted.LAT)
    assert 170 <= place.radius_m <= 180  # 2.5 steps of 70 m from the centre to the farthest crash


def test_a_national_road_is_one_road_across_a_county_line_for_whoever_sees_both(session, people, crashes):
    city = identify(session, people["city"], "140900", rule=RULE)
    assert ACROSS_EXPECTED in [_shape(p) for p in city]
    (across,) = [p for p in city if p.start_m == 1070000]
    assert across.division_code == XINFU  # three of its five crashes
    assert len(city) == len(EXPECTED) + 1
    # Xinfu's supervisor sees only Xinfu's three crashes there: no place.
    assert 1070000 not in [p.start_m for p in identify(session, people["county"], XINFU, rule=RULE)]


def test_another_countys_supervisor_sees_nothing_of_xinfu(session, people, crashes):
    assert identify(session, people["other_county"], "140981", rule=RULE) == []
    with pytest.raises(NotFound):
        identify(session, people["other_county"], XINFU, rule=RULE)


def test_the_period_ends_where_asked(session, people, crashes):
    today = clock.today()
    # Ending 35 days ago leaves the first crash of each road place out (30 days ago): four of five.
    places = identify(session, people["county"], XINFU, end=today - timedelta(days=35), rule=RULE)
    assert "by_crashes" not in [n for n, e in EXPECTED.items() if e in [_shape(p) for p in places]]


def _hazard(session, actor, *, status=Status.REPORTED, **overrides):
    today = clock.today()
    values = dict(title="已登记隐患", found_on=today, batch_year=today.year, route_code=None, start_m=None,
                  category_codes=["crash_prone"])
    if status is Status.CLOSED:
        values.update(level=SupervisionLevel.COUNTY, status=Status.CLOSED, closed_on=today, listed_on=today,
                      deadline=today)
    values.update(overrides)
    return report_hazard(session, factories.draft(**values), actor=SYSTEM)


def test_a_place_an_open_hazard_covers_by_its_stakes_is_not_returned(session, people, crashes):
    # Its line is drawn kilometres away: the stakes alone decide.
    _hazard(session, SYSTEM, route_code="G208", start_m=1060350, end_m=1060900,
            geometry=factories.section_draft().geometry)
    names = [n for n, e in EXPECTED.items() if e in [_shape(p) for p in identify(session, people["county"], XINFU,
                                                                                  rule=RULE)]]
    assert names == ["by_deaths", "by_fatal", "long_run", "by_radius"]


def test_a_hazard_on_the_same_county_road_number_in_the_next_county_neither_covers_nor_is_offered(
        session, people, crashes):
    # X012 is numbered within each county: Yuanping's X012 K3 is another road than Xinfu's, even for the
    # city's supervisor, who sees both.
    _hazard(session, SYSTEM, jurisdiction_code=YUANPING, route_code="X012", start_m=3000, end_m=3450,
            geometry=Point(112.71, 38.73))
    (place,) = [p for p in identify(session, people["city"], "140900", rule=RULE) if _shape(p) == EXPECTED["by_fatal"]]
    assert place.offer is None
    _hazard(session, SYSTEM, route_code="X012", start_m=3000, end_m=3450, geometry=factories.section_draft().geometry)
    assert EXPECTED["by_fatal"] not in [_shape(p) for p in identify(session, people["city"], "140900", rule=RULE)]


def test_a_place_an_open_hazard_lies_near_is_not_returned(session, people, crashes):
    # 150 m north of the second crash of the radius place: within cover_m (200 m).
    _hazard(session, SYSTEM, geometry=Point(112.70 + planted.STEP_70M, planted.LAT + 150 / 110_574))
    places = identify(session, people["county"], XINFU, rule=RULE)
    assert "radius" not in [p.kind for p in places]


def test_a_place_next_to_a_closed_hazard_is_returned_and_says_so(session, people, crashes):
    # Closed 100 days ago; the radius place's crashes came 40 to 65 days ago: a new case after the works.
    long_ago = clock.today() - timedelta(days=100)
    closed = _hazard(session, SYSTEM, status=Status.CLOSED, found_on=long_ago - timedelta(days=60),
                     listed_on=long_ago - timedelta(days=50), deadline=long_ago, completed_on=long_ago,
                     closed_on=long_ago, geometry=Point(112.70 + planted.STEP_70M, planted.LAT + 150 / 110_574))
    (place,) = [p for p in identify(session, people["county"], XINFU, rule=RULE) if p.kind == "radius"]
    assert place.closed_hazard.code == closed.code
    assert 145 <= place.closed_hazard.distance_m <= 155
    assert place.offer is None


def test_crashes_a_closed_hazard_was_remediated_for_are_not_offered_again(session, people, crashes):
    # The same closed hazard, its works ended 10 days ago: the crashes of 40 to 65 days ago led to it.
    lately = clock.today() - timedelta(days=10)
    _hazard(session, SYSTEM, status=Status.CLOSED, found_on=lately - timedelta(days=90), completed_on=lately,
            closed_on=lately, geometry=Point(112.70 + planted.STEP_70M, planted.LAT + 150 / 110_574))
    assert "radius" not in [p.kind for p in identify(session, people["county"], XINFU, rule=RULE)]


def test_an_open_hazard_farther_than_cover_is_offered(session, people, crashes):
    near = _hazard(session, SYSTEM, geometry=Point(112.70, planted.LAT + 400 / 110_574))
    (place,) = [p for p in identify(session, people["county"], XINFU, rule=RULE) if p.kind == "radius"]
    assert place.offer.code == near.code and 395 <= place.offer.distance_m <= 405
    assert place.closed_hazard is None


def test_the_command_prints_the_ranked_places(session, people, crashes, runner, app, monkeypatch):
    import json

    for name, value in (("CRASH_MIN_DEATHS", 4), ("CRASH_MIN_FATAL", 3), ("CRASH_MIN_CRASHES", 5)):
        monkeypatch.setitem(app.config, name, value)
    session.commit()
    text = runner.invoke(args=["crashes", "identify", "--jurisdiction", XINFU])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert "5 crash-prone places" in lines[0] and "ranked by deaths" in lines[0]
    assert lines[2].split()[:3] == ["1", "S311", "K20+000~K20+300"]
    out = runner.invoke(args=["crashes", "identify", "--jurisdiction", "140900", "--json"])
    document = json.loads(out.output)
    assert [p["stakes"] for p in document["places"]][:2] == ["K20+000~K20+300", "K3+000~K3+450"]
    assert len(document["places"]) == 6
    bad = runner.invoke(args=["crashes", "identify", "--jurisdiction", XINFU, "--from", "2026-13-01"])
    assert bad.exit_code != 0 and "not a date" in bad.output


def test_a_period_reaching_before_the_calendar_starts_is_cut_there(session, people):
    from datetime import date

    from hazards.services.crash_places import months_before, period_for

    assert months_before(date(2026, 11, 30), 36) == date(2023, 12, 1)
    assert months_before(date(2026, 5, 31), 3) == date(2026, 3, 1)  # 31 Feb is no day: after 28 Feb
    assert period_for(RULE, end=date(2, 1, 1)).start == date.min


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_databases_windows_agree_with_a_plain_count(session, people, seed):
    rows = planted.random_road_rows(seed)
    planted.plant(session, clock.today(), rows)
    places = identify(session, SYSTEM, "140900", rule=RULE)
    found = {(p.route_code, p.road_key, p.start_m, p.end_m, p.crashes, p.deaths) for p in places}
    assert found == planted.places_by_counting(rows)
    assert found  # the draw makes some places
