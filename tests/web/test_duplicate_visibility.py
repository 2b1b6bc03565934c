"""The duplicate warning on the logging form only ever offers hazards the inspector may see."""

from __future__ import annotations

import pytest
from shapely.geometry import Point
from sqlalchemy import func, select

from hazards.models import Hazard
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft, user

# FORM logs a sharp curve at (112.7340, 38.4170) in Xinfu; 0.00023° of longitude there is about 20 m.
FORM = {"title": "X012线K3+200处急弯", "jurisdiction_code": "140902", "lon": "112.7340", "lat": "38.4170",
        "crs": "wgs84", "categories": ["sharp_curve"]}
TWENTY_METRES_EAST = Point(112.73423, 38.4170)


def _open_sharp_curve(session, jurisdiction_code: str) -> Hazard:
    hazard = report_hazard(session, draft(title="邻近急弯", jurisdiction_code=jurisdiction_code,
                                          geometry=TWENTY_METRES_EAST, category_codes=["sharp_curve"]), actor=SYSTEM)
    session.commit()
    return hazard


@pytest.mark.parametrize("county, offered", [("140902", True), ("140981", False)],
                         ids=["own-county", "other-county"])
def test_a_nearby_hazard_is_offered_only_from_the_inspectors_own_county(client, auth, session, county, offered):
    nearby = _open_sharp_curve(session, county)
    auth.login(user(session, "inspector", "140902"))
    session.commit()

    response = client.post("/hazards/new", data=FORM)

    page = response.get_data(as_text=True)
    total = session.scalar(select(func.count(Hazard.id)))
    if offered:
        assert response.status_code == 200 and "是否为同一处" in page and nearby.code in page
        assert total == 1  # nothing logged until they say it is a different one
    else:
        # Logged at once: the other county's hazard is neither shown nor even hinted at.
        assert response.status_code == 302
        assert nearby.code not in client.get(response.headers["Location"]).get_data(as_text=True)
        assert total == 2
