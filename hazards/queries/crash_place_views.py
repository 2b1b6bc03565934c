"""What the crash-prone places page and the map layer show of each place: its shape on the map (the
road section where the road is known, else its centre) and its crashes, fatal ones marked."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.geometry import to_geojson
from hazards.models import Crash, Jurisdiction
from hazards.services.crash_places import CandidatePlace, place_geometries

_CHUNK = 900


def division_names(session: Session, places: list[CandidatePlace], language: str) -> dict[str, str]:
    codes = sorted({p.division_code for p in places})
    names = {}
    for i in range(0, len(codes), _CHUNK):
        for code, name, name_en in session.execute(select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.name_en)
                                                   .where(Jurisdiction.code.in_(codes[i:i + _CHUNK]))):
            names[code] = name_en if language == "en" and name_en else name
    return names


def place_properties(place: CandidatePlace, division: str | None) -> dict:
    return {"rank": place.rank, "key": place.key, "kind": place.kind, "division_code": place.division_code,
            "division": division or place.division_code, "route_code": place.route_code, "stakes": place.stakes,
            "radius_m": place.radius_m, "crashes": place.crashes, "deaths": place.deaths,
            "injuries": place.injuries, "fatal": place.fatal, "first_on": place.first_on.isoformat(),
            "last_on": place.last_on.isoformat(),
            "closed_hazard": place.closed_hazard.code if place.closed_hazard else None,
            "offer": place.offer.code if place.offer else None}


def places_geojson(session: Session, places: list[CandidatePlace], language: str) -> dict:
    """The places as a FeatureCollection (a place drawn nowhere, a road unknown and no crash with a
    point, has a null geometry and is still listed)."""
    names = division_names(session, places, language)
    shapes = place_geometries(session, places)
    features = []
    for place in places:
        shape = shapes[place.key]
        features.append({"type": "Feature", "id": place.key, "geometry": to_geojson(shape) if shape else None,
                         "properties": place_properties(place, names.get(place.division_code))})
    return {"type": "FeatureCollection", "features": features}


def crash_points(session: Session, places: list[CandidatePlace]) -> dict[int, list[dict]]:
    """Each crash of the places that has a point: where, when, its form and toll; by crash id."""
    ids = sorted({i for p in places for i in p.crash_ids})
    found = {}
    for i in range(0, len(ids), _CHUNK):
        rows = session.execute(select(Crash.id, Crash.source_id, Crash.occurred_on, Crash.form, Crash.deaths,
                                      Crash.injuries, Crash.stake_m, func.ST_X(Crash.geom), func.ST_Y(Crash.geom))
                               .where(Crash.id.in_(ids[i:i + _CHUNK]), Crash.geom.is_not(None)))
        for cid, source_id, on, form, deaths, injuries, stake, x, y in rows:
            found[cid] = {"lon": round(float(x), 7), "lat": round(float(y), 7), "source_id": source_id,
                          "on": str(on), "form": form or "", "deaths": deaths, "injuries": injuries}
    return found
