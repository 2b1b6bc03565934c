"""督办单位 and 责任单位 come from the hazard's division or those above it (issue 12, findings 11 and 13):
offered in that order, and any other refused with a field error, whichever way it arrives."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hazards import clock
from hazards.domain.enums import OrganizationKind, Status, SupervisionLevel
from hazards.domain.errors import InvalidInput
from hazards.models import Hazard, Organization
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from hazards.services.supervision import raise_level
from tests.api.helpers import assert_problem
from tests.factories import draft, register_groups

DEADLINE = (clock.today() + timedelta(days=90)).isoformat()
S, R = OrganizationKind.SUPERVISING, OrganizationKind.RESPONSIBLE
UNITS = {
    "ministry": ("公安部", S, "100000"),
    "province": ("山西省人民政府", S, "140000"),
    "city": ("忻州市人民政府", S, "140900"),
    "county": ("忻府区人民政府", S, "140902"),
    "sibling": ("原平市人民政府", S, "140981"),
    "county_roads": ("忻府区交通运输局", R, "140902"),
    "city_roads": ("忻州市公路中心", R, "140900"),
    "other_city_roads": ("太原市交通运输局", R, "140100"),
}


@pytest.fixture
def units(session):
    made = {key: Organization(name=name, kind=kind, jurisdiction_code=code) for key, (name, kind, code) in UNITS.items()}
    session.add_all(made.values())
    session.commit()
    return made


@pytest.fixture
def verified(session, people):
    (hazard_id,) = register_groups(session, {"h": [draft(title="待挂牌", status=Status.VERIFIED)]})["h"]
    session.commit()
    return session.get(Hazard, hazard_id)


def _list(api, hazard, body_id):
    return api.post("county", f"/api/v1/hazards/{hazard.id}/transitions", headers={"Accept-Language": "zh"}, json={
        "action": "list", "level": "county", "deadline": DEADLINE, "supervising_body_id": body_id})


def test_the_ministry_cannot_supervise_a_county_hazard(api, units, verified):
    body = assert_problem(_list(api, verified, units["ministry"].id), 422, "invalid_input")
    assert body["fields"] == {"supervising_body_id": "outside_division"}
    assert "公安部是全国的单位" in body["detail"]


def test_a_sibling_countys_government_is_refused(api, units, verified):
    body = assert_problem(_list(api, verified, units["sibling"].id), 422, "invalid_input")
    assert "原平市人民政府是原平市的单位" in body["detail"]


def test_an_unknown_organization_is_a_field_error_not_a_500(api, units, verified):
    body = assert_problem(_list(api, verified, 999999), 422, "invalid_input")
    assert body["fields"] == {"supervising_body_id": "unknown"}
    assert "999999" in body["detail"]


def test_the_hazards_own_or_a_higher_division_is_accepted(api, units, verified):
    listed = _list(api, verified, units["city"].id)
    assert listed.status_code == 200, listed.get_json()
    assert listed.get_json()["supervising_body"]["id"] == units["city"].id


def test_a_responsible_unit_of_another_city_is_refused(api, units, verified):
    body = assert_problem(api.post("county", f"/api/v1/hazards/{verified.id}/transitions", json={
        "action": "assign", "deadline": DEADLINE, "responsible_unit_id": units["other_city_roads"].id}), 422)
    assert body["fields"] == {"responsible_unit_id": "outside_division"}


def test_raising_the_level_checks_the_new_supervising_body(session, people, units, verified):
    with pytest.raises(InvalidInput) as caught:
        raise_level(session, verified.id, people["city"], SupervisionLevel.CITY, "事故多发",
                    supervising_body_id=units["ministry"].id)
    assert caught.value.details["fields"] == {"supervising_body_id": "outside_division"}
    raise_level(session, verified.id, people["city"], SupervisionLevel.CITY, "事故多发",
                supervising_body_id=units["city"].id)
    assert verified.supervising_body_id == units["city"].id


def test_a_ledger_naming_the_ministry_on_a_county_hazard_is_refused(session, units):
    with pytest.raises(InvalidInput) as caught:
        report_hazard(session, draft(level=SupervisionLevel.COUNTY, supervising_body="公安部"), actor=SYSTEM)
    assert caught.value.details["fields"] == {"supervising_body": "outside_division"}
    ministry_listed = report_hazard(session, draft(level=SupervisionLevel.MINISTRY, supervising_body="公安部"),
                                    actor=SYSTEM)
    assert ministry_listed.supervising_body_id == units["ministry"].id
    # A unit named for the first time is still added to the hazard's own division.
    new = report_hazard(session, draft(responsible_unit="忻府区豆罗镇人民政府"), actor=SYSTEM)
    assert new.responsible_unit.jurisdiction_code == "140902"


def test_the_page_offers_the_hazards_division_first_then_those_above(client, auth, people, units, verified):
    auth.login(people["county"])
    page = client.get(f"/hazards/{verified.id}").get_data(as_text=True)
    body_select = re.search(r'<select name="supervising_body_id">(.*?)</select>', page, re.S).group(1)
    offered = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', body_select)
    assert offered == ["忻府区人民政府", "忻州市人民政府", "山西省人民政府"]
    unit_select = re.search(r'<select name="responsible_unit_id">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', unit_select) == ["忻府区交通运输局", "忻州市公路中心"]
