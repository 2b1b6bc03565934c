"""The two decisions on a crash-prone place: register it as a hazard (事故倒查), or mark it covered by a
hazard already in the ledger; after either, the place is no longer offered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import CrashLink, RoadClass, Source, Status
from hazards.domain.errors import Conflict, Forbidden, NotFound
from hazards.models import HazardCrash, StatusChange
from hazards.permissions import SYSTEM, can_review_crashes
from hazards.services.crash_places import identify, mark_covered, register_candidate
from hazards.services.roads import add_road
from tests import factories
from tests.crashes import planted
from tests.crashes.planted import RULE, XINFU


@pytest.fixture
def crashes(session, people):
    return planted.plant(session, clock.today())


def _place(session, actor, start_m=None, kind="road"):
    return next(p for p in identify(session, actor, XINFU, rule=RULE)
                if p.kind == kind and (start_m is None or p.start_m == start_m))


def _links(session, hazard):
    return {(link.crash_id, link.link) for link in session.scalars(select(HazardCrash)
                                                                   .where(HazardCrash.hazard_id == hazard.id))}


def test_registering_a_road_place_makes_a_crash_review_hazard_with_its_evidence(session, people, crashes):
    supervisor = people["county"]
    place = _place(session, supervisor, 1060000)
    hazard = register_candidate(session, supervisor, place.crash_ids, rule=RULE)
    assert hazard.title == "G208线K1060+000~K1060+400段事故多发"
    assert (hazard.source, hazard.crash_prone, hazard.crash_count, hazard.death_count) == \
        (Source.CRASH_REVIEW, True, 5, 0)
    assert (hazard.route_code, hazard.start_m, hazard.end_m, hazard.road_class) == \
        ("G208", 1060000, 1060400, RoadClass.NATIONAL)
    assert (hazard.jurisdiction_code, hazard.status, hazard.found_by_id) == (XINFU, Status.REPORTED, supervisor.id)
    assert "crash_prone" in [c.code for c in hazard.categories]
    assert _links(session, hazard) == {(i, CrashLink.EVIDENCE) for i in place.crash_ids}
    (first,) = session.scalars(select(StatusChange).where(StatusChange.hazard_id == hazard.id)).all()
    assert (first.action, first.changed_by_id, first.note) == ("report", supervisor.id, "事故倒查：5起事故，死亡0人")
    assert "A-0" in hazard.description
    # The place is gone, by its links and by the open hazard on its stakes.
    assert 1060000 not in [p.start_m for p in identify(session, supervisor, XINFU, rule=RULE)]


def test_a_road_place_on_a_known_road_becomes_a_section_along_it(session, people, crashes):
    add_road(session, route_code="S311", division_code="140000", road_class=RoadClass.PROVINCIAL,
             coords=[(112.60, 38.30), (112.90, 38.30)], start_m=0,
             posts=[(0, (112.60, 38.30)), (26000, (112.90, 38.30))])
    place = _place(session, people["county"], 20000)
    hazard = register_candidate(session, people["county"], place.crash_ids, rule=RULE)
    assert hazard.title == "S311线K20+000~K20+300段事故多发"
    from geo.geometry import from_db

    line = from_db(hazard.geom)
    assert line.geom_type == "LineString"
    assert line.coords[0][0] == pytest.approx(112.60 + 0.30 * 20000 / 26000, abs=1e-4)
    assert (hazard.crash_count, hazard.death_count) == (2, 4)


def test_a_road_place_with_no_road_and_no_coordinates_is_refused_plainly(session, people, crashes):
    from hazards.domain.errors import InvalidInput

    place = _place(session, people["county"], 3000)
    with pytest.raises(InvalidInput, match="X012 is not in the ledger's road network"):
        register_candidate(session, people["county"], place.crash_ids, rule=RULE)


def test_registering_a_radius_place_makes_a_point_hazard(session, people, crashes):
    place = _place(session, people["county"], kind="radius")
    hazard = register_candidate(session, people["county"], place.crash_ids, rule=RULE)
    assert hazard.title.startswith("忻府区（112.70") and hazard.title.endswith("附近事故多发")
    assert (hazard.route_code, hazard.crash_count) == (None, 6)
    from geo.geometry import from_db

    point = from_db(hazard.geom)
    assert (point.x, point.y) == pytest.approx((place.lon, place.lat))


def test_registering_the_same_place_twice_is_refused(session, people, crashes):
    place = _place(session, people["county"], 1060000)
    first = register_candidate(session, people["county"], place.crash_ids, rule=RULE)
    with pytest.raises(Conflict, match=f"already linked to hazard {first.code}"):
        register_candidate(session, people["city"], place.crash_ids, rule=RULE)


def test_marking_a_place_covered_links_its_crashes_and_it_is_gone(session, people, crashes):
    supervisor = people["county"]
    existing = factories.county_hazard(session, supervisor)  # at 112.734, 38.417: far from every place
    place = _place(session, supervisor, kind="radius")
    assert mark_covered(session, supervisor, existing, place.crash_ids) == 6
    assert _links(session, existing) == {(i, CrashLink.COVERED) for i in place.crash_ids}
    assert "radius" not in [p.kind for p in identify(session, supervisor, XINFU, rule=RULE)]
    with pytest.raises(Conflict):
        mark_covered(session, supervisor, existing, place.crash_ids)


def test_an_inspector_cannot_decide_on_a_place(session, people, crashes):
    place = _place(session, people["county"], 1060000)
    assert not can_review_crashes(people["inspector"], XINFU)
    with pytest.raises(Forbidden):
        register_candidate(session, people["inspector"], place.crash_ids, rule=RULE)
    with pytest.raises(Forbidden):
        register_candidate(session, SYSTEM, place.crash_ids, rule=RULE)


def test_crashes_outside_the_actors_reach_are_refused(session, people, crashes):
    place = _place(session, people["county"], 1060000)
    other = people["other_county"]
    with pytest.raises(NotFound):
        register_candidate(session, other, place.crash_ids, rule=RULE)
    theirs = factories.county_hazard(session, people["county"])
    with pytest.raises(NotFound):
        mark_covered(session, other, theirs, place.crash_ids)
    # Xinfu's supervisor cannot take in a Yuanping crash with Xinfu's either.
    with pytest.raises(NotFound):
        register_candidate(session, people["county"], place.crash_ids + (crashes["E2-0"],), rule=RULE)


@pytest.mark.parametrize("who, division, allowed", [
    ("county", XINFU, True), ("city", XINFU, True), ("province", XINFU, True), ("other_county", XINFU, False),
    ("inspector", XINFU, False), ("county_admin", XINFU, False), ("county", "140900", False),
])
def test_who_reviews_crashes(people, who, division, allowed):
    assert can_review_crashes(people[who], division) is allowed


def test_the_places_map_layer_draws_each_place_on_its_road_reading_the_roads_once(session, people, crashes):
    """A province's thousands of places on the map: the roads are read in one statement for all of them
    (it was one statement per place, 38 s for 11,629 places), each still drawn where it lies."""
    from hazards.queries.crash_place_views import places_geojson
    from tests.statements import recorded

    add_road(session, route_code="S311", division_code="140000", road_class=RoadClass.PROVINCIAL,
             coords=[(112.60, 38.30), (112.90, 38.30)], start_m=0,
             posts=[(0, (112.60, 38.30)), (26000, (112.90, 38.30))])
    add_road(session, route_code="X012", division_code=XINFU, road_class=RoadClass.COUNTY,
             coords=[(112.70, 38.50), (112.70, 38.60)], start_m=0,
             posts=[(0, (112.70, 38.50)), (11000, (112.70, 38.60))])
    places = identify(session, people["county"], XINFU, rule=RULE)
    with recorded(session.get_bind()) as statements:
        features = {f["id"]: f for f in places_geojson(session, places, "zh")["features"]}
    assert sum(1 for sql in statements if "FROM roads" in sql) == 1
    s311 = next(p for p in places if p.route_code == "S311")
    assert features[s311.key]["geometry"]["type"] == "LineString"
    assert features[s311.key]["geometry"]["coordinates"][0][0] == pytest.approx(112.60 + 0.30 * 20000 / 26000, abs=1e-4)
    x012 = next(p for p in places if p.route_code == "X012")
    assert features[x012.key]["geometry"]["coordinates"][0][1] == pytest.approx(38.50 + 0.10 * x012.start_m / 11000,
                                                                               abs=1e-4)
    g208 = next(p for p in places if p.start_m == 1060000)  # no G208 in the network: its crashes' centre
    assert features[g208.key]["geometry"]["type"] == "Point"
    assert list(features[g208.key]["geometry"]["coordinates"]) == [pytest.approx(g208.lon), pytest.approx(g208.lat)]
