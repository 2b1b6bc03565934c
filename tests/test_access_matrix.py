"""The role × division × action matrix (issue 12): every kind of person, at county, city and province level
and in a sibling county, tries every family of action on a hazard of their own division, of a sibling
division and of the division above them, through pages, the REST API, OGC API, exports, attachments,
reports, imports and the duplicate check. What each should get is written once, in EXPECTED.

Answers: "ok" (2xx), "403", "404", "shown" / "not shown" (the hazard in a list, a map, an export or the
duplicate warning), "row error" (an import row refused, nothing written).
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from shapely.geometry import Point

from hazards.domain.enums import AttachmentPhase
from hazards.services.attachments import add_attachment
from hazards.services.registration import report_hazard
from hazards.services.tokens import issue_token
from hazards.storage import current_store
from tests.factories import CAST, draft, jpeg, user

# One hazard per division, each at its own spot (about 1.5 km apart, so no two are duplicates).
DIVISIONS = {"140902": (112.734, 38.417), "140981": (112.750, 38.417), "140900": (112.766, 38.417),
             "140100": (112.782, 38.417), "140000": (112.798, 38.417)}
# Whose hazard is a person's own, their sibling division's, and the division above them.
RELATIVES = {
    "140902": {"own": "140902", "sibling": "140981", "above": "140900"},
    "140981": {"own": "140981", "sibling": "140902", "above": "140900"},
    "140900": {"own": "140900", "sibling": "140100", "above": "140000"},
    "140000": {"own": "140000"},  # no sibling province, nothing above, in the reference divisions
}
ROLES = {"inspector": "inspector", "supervisor": "supervisor", "admin": "admin"}

# The one table: action -> answer on the person's own division's hazard, by role. On a sibling's or a
# higher division's hazard every action answers as the last column says, whatever the role.
EXPECTED = {
    #  action                inspector      supervisor     admin          sibling / above
    "hazard page":          ("ok",          "ok",          "ok",          "404"),
    "list":                 ("shown",       "shown",       "shown",       "not shown"),
    "map data":             ("shown",       "shown",       "shown",       "not shown"),
    "api get":              ("ok",          "ok",          "ok",          "404"),
    "api patch":            ("ok",          "ok",          "403",         "404"),
    "api transition":       ("403",         "ok",          "403",         "404"),
    "api funding":          ("ok",          "ok",          "403",         "404"),
    "api attachments":      ("ok",          "ok",          "ok",          "404"),
    "ogc item":             ("ok",          "ok",          "ok",          "404"),
    "ogc items":            ("shown",       "shown",       "shown",       "not shown"),
    "export":               ("shown",       "shown",       "shown",       "not shown"),
    "api list":             ("shown",       "shown",       "shown",       "not shown"),
    "attachment download":  ("ok",          "ok",          "ok",          "404"),
    "report page":          ("ok",          "ok",          "ok",          "404"),
    "report api":           ("ok",          "ok",          "ok",          "404"),
    "import":               ("ok",          "ok",          "ok",          "row error"),
    "duplicate check":      ("shown",       None,          None,          "not shown"),
}
_COLUMN = {"inspector": 0, "supervisor": 1, "admin": 2}


def expected(action: str, role: str, relation: str):
    row = EXPECTED[action]
    return row[_COLUMN[role]] if relation == "own" else row[3]


@pytest.fixture
def world(session):
    """A hazard in each division, each with a photo, logged by an inspector of that division."""
    hazards = {}
    for code, (lon, lat) in DIVISIONS.items():
        finder = user(session, "inspector", code, login=f"finder-{code}")
        hazard = report_hazard(session, draft(title=f"矩阵{code}", jurisdiction_code=code, geometry=Point(lon, lat),
                                              category_codes=["sharp_curve"], found_on=date(2024, 3, 5)),
                               actor=finder)
        photo = add_attachment(session, hazard.id, finder, data=jpeg(), filename="before.jpg",
                               phase=AttachmentPhase.BEFORE, store=current_store())
        hazards[code] = (hazard, photo)
    session.commit()
    return hazards


def _shown(text: str, hazard) -> str:
    return "shown" if hazard.code in text else "not shown"


def _status(response) -> str:
    if 200 <= response.status_code < 300:
        return "ok"
    return str(response.status_code)


def _attempt(action, client, api, hazard, photo, division, person):
    """What `person` gets when trying `action` on `hazard` (of `division`)."""
    hid = hazard.id
    if action == "hazard page":
        return _status(client.get(f"/hazards/{hid}"))
    if action == "list":
        return _shown(client.get("/hazards?per_page=100").get_data(as_text=True), hazard)
    if action == "map data":
        return _shown(client.get("/api/v1/hazards.geojson?bbox=112.7,38.4,112.81,38.43&zoom=16").get_data(as_text=True),
                      hazard)
    if action == "api get":
        return _status(api("GET", f"/api/v1/hazards/{hid}"))
    if action == "api patch":
        return _status(api("PATCH", f"/api/v1/hazards/{hid}", json={"version": hazard.version, "place": "桥南"}))
    if action == "api transition":
        return _status(api("POST", f"/api/v1/hazards/{hid}/transitions",
                           json={"action": "verify"}))
    if action == "api funding":
        return _status(api("POST", f"/api/v1/hazards/{hid}/funding",
                           json={"kind": "spending", "source": "county", "amount": "1000.00",
                                 "entry_date": "2024-04-01"}))
    if action == "api attachments":
        return _status(api("GET", f"/api/v1/hazards/{hid}/attachments"))
    if action == "ogc item":
        return _status(api("GET", f"/ogc/collections/hazards/items/{hid}"))
    if action == "ogc items":
        return _shown(api("GET", "/ogc/collections/hazards/items?limit=100").get_data(as_text=True), hazard)
    if action == "export":
        return _shown(client.get("/hazards/export?format=csv").get_data(as_text=True), hazard)
    if action == "api list":
        return _shown(api("GET", "/api/v1/hazards?limit=100").get_data(as_text=True), hazard)
    if action == "attachment download":
        return _status(client.get(f"/attachments/{photo.id}"))
    if action == "report page":
        return _status(client.get(f"/reports?jurisdiction={division}&year=2024"))
    if action == "report api":
        return _status(api("GET", f"/api/v1/reports?jurisdiction={division}&year=2024"))
    if action == "import":
        lon, lat = DIVISIONS[division]
        text = f"隐患名称,经度,纬度,辖区代码,发现日期\n导入{division},{lon},{lat},{division},2024-03-01\n"
        response = api("POST", "/api/v1/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(text.encode()), "ledger.csv"), "dry_run": "true"})
        if response.status_code != 200:
            return _status(response)
        return "row error" if response.get_json()["error_count"] else "ok"
    if action == "duplicate check":
        lon, lat = DIVISIONS[division]
        response = client.post("/hazards/new", data={
            "title": "矩阵急弯", "jurisdiction_code": person.jurisdiction_code, "lon": str(lon + 0.0002),
            "lat": str(lat), "crs": "wgs84", "categories": ["sharp_curve"]})
        return _shown(response.get_data(as_text=True), hazard)
    raise AssertionError(action)


@pytest.mark.parametrize("who", list(CAST))
def test_role_division_action_matrix(app, client, auth, session, people, world, who):
    person = people[who]
    role = person.role.value
    secret = issue_token(session, person, "matrix")[1]
    session.commit()
    auth.login(person)

    def api(method, path, **kwargs):
        return client.open(path, method=method, headers={"Authorization": f"Bearer {secret}"}, **kwargs)

    wrong = []
    for relation, division in RELATIVES[person.jurisdiction_code].items():
        hazard, photo = world[division]
        for action in EXPECTED:
            want = expected(action, role, relation)
            if want is None:
                continue
            got = _attempt(action, client, api, hazard, photo, division, person)
            if got != want:
                wrong.append(f"{action} on {relation} ({division}): expected {want}, got {got}")
    assert wrong == [], f"{who} ({role}, {person.jurisdiction_code}):\n" + "\n".join(wrong)
