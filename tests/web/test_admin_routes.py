"""The admin's write forms over HTTP: organizations (单位) and hazard categories (隐患类型).

An admin's addition is in the database, on the admin list and where people pick it (the hazard page,
the logging form); anyone else is refused and nothing changes; bad input is shown as an error on the
form and nothing changes. (Error wording is not asserted: only that the page shows an error.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hazards.domain.enums import OrganizationKind, Status
from hazards.models import Category, Organization
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft

ERROR_FLASH = 'class="flash error"'


def organizations(session) -> list[tuple]:
    return session.execute(select(Organization.name, Organization.kind, Organization.jurisdiction_code)
                           .order_by(Organization.id)).all()


def categories(session) -> list[tuple]:
    return session.execute(select(Category.code, Category.name_zh, Category.name_en).order_by(Category.id)).all()


def assert_error_shown(response) -> None:
    """Bad input: the form again (not a redirect to success), with an error on it."""
    assert response.status_code in (200, 422), response.status_code
    assert ERROR_FLASH in response.get_data(as_text=True)


# --- organizations -------------------------------------------------------------------------------------


def test_admin_adds_an_organization_people_can_then_pick(client, auth, session, people):
    hazard = report_hazard(session, draft(status=Status.VERIFIED), actor=SYSTEM)
    session.commit()
    auth.login(people["admin"])
    response = client.post("/admin/organizations",
                           data={"name": "忻府区安委会<办>", "kind": "supervising", "jurisdiction_code": "140902"})
    assert response.status_code == 303
    assert organizations(session) == [("忻府区安委会<办>", OrganizationKind.SUPERVISING, "140902")]
    listing = client.get("/admin/organizations").get_data(as_text=True)
    assert "忻府区安委会&lt;办&gt;" in listing and "忻府区安委会<办>" not in listing
    auth.logout()
    auth.login(people["county"])
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "忻府区安委会&lt;办&gt;" in page  # offered as the supervising body when listing the hazard


@pytest.mark.parametrize("who", ["county", "inspector", "city"])
def test_only_admins_add_organizations(client, auth, session, people, who):
    auth.login(people[who])
    response = client.post("/admin/organizations",
                           data={"name": "某单位", "kind": "responsible", "jurisdiction_code": "140902"})
    assert response.status_code == 403
    assert organizations(session) == []


def test_an_admin_adds_no_organization_outside_their_jurisdiction(client, auth, session, people):
    auth.login(people["county_admin"])  # Xinfu's admin; Yuanping is a sibling county
    response = client.post("/admin/organizations",
                           data={"name": "原平市交通运输局", "kind": "responsible", "jurisdiction_code": "140981"})
    # Refused either way a person would notice: today the form comes back with an error on it; a 403
    # page (as for non-admins) would say the same. Never the success redirect.
    assert response.status_code != 303
    assert response.status_code == 403 or ERROR_FLASH in response.get_data(as_text=True)
    assert organizations(session) == []


def test_a_logged_out_visitor_adds_nothing(client, session):
    response = client.post("/admin/organizations",
                           data={"name": "某单位", "kind": "responsible", "jurisdiction_code": "140902"})
    assert response.status_code in (302, 401) and organizations(session) == []


@pytest.mark.parametrize("form", [
    {"name": "", "kind": "responsible", "jurisdiction_code": "140902"},
    {"name": "某单位", "kind": "bakery", "jurisdiction_code": "140902"},
    {"name": "某单位", "jurisdiction_code": "140902"},
    {"name": "某单位", "kind": "responsible", "jurisdiction_code": ""},
    {"name": "某" * 129, "kind": "responsible", "jurisdiction_code": "140902"},
])
def test_a_bad_organization_is_explained_and_nothing_is_added(client, auth, session, people, form):
    auth.login(people["admin"])
    assert_error_shown(client.post("/admin/organizations", data=form))
    assert organizations(session) == []


def test_an_organization_already_there_is_explained_not_added_twice(client, auth, session, people):
    session.add(Organization(name="忻府区交通运输局", kind=OrganizationKind.RESPONSIBLE, jurisdiction_code="140902"))
    session.commit()
    auth.login(people["admin"])
    response = client.post("/admin/organizations",
                           data={"name": "忻府区交通运输局", "kind": "responsible", "jurisdiction_code": "140902"})
    assert_error_shown(response)
    assert len(organizations(session)) == 1


def test_an_unknown_division_is_explained_and_nothing_is_added(client, auth, session, people):
    auth.login(people["admin"])
    response = client.post("/admin/organizations",
                           data={"name": "某单位", "kind": "responsible", "jurisdiction_code": "140999"})
    assert_error_shown(response)
    assert organizations(session) == []


# --- categories ----------------------------------------------------------------------------------------


def test_admin_adds_a_category_inspectors_can_then_choose(client, auth, session, people):
    before = categories(session)
    auth.login(people["county_admin"])
    response = client.post("/admin/categories", data={"code": "icy_bridge", "name_zh": "桥面结冰<易滑>",
                                                      "name_en": "Icy bridge deck"})
    assert response.status_code == 303
    assert categories(session) == before + [("icy_bridge", "桥面结冰<易滑>", "Icy bridge deck")]
    added = session.scalar(select(Category).where(Category.code == "icy_bridge"))
    assert added.sort_order > max(session.scalars(select(Category.sort_order).where(Category.code != "icy_bridge")))
    listing = client.get("/admin/categories").get_data(as_text=True)
    assert "桥面结冰&lt;易滑&gt;" in listing and "桥面结冰<易滑>" not in listing
    auth.logout()
    auth.login(people["inspector"])
    form = client.get("/hazards/new").get_data(as_text=True)
    assert 'value="icy_bridge"' in form and "桥面结冰&lt;易滑&gt;" in form


@pytest.mark.parametrize("who", ["county", "inspector", "province"])
def test_only_admins_add_categories(client, auth, session, people, who):
    before = categories(session)
    auth.login(people[who])
    response = client.post("/admin/categories", data={"code": "icy_bridge", "name_zh": "桥面结冰",
                                                      "name_en": "Icy bridge deck"})
    assert response.status_code == 403
    assert categories(session) == before


@pytest.mark.parametrize("form", [
    {"code": "sharp_curve", "name_zh": "又一个急弯", "name_en": "Another sharp curve"},  # the code is taken
    {"code": "", "name_zh": "桥面结冰", "name_en": "Icy bridge deck"},
    {"code": "icy_bridge", "name_zh": "", "name_en": "Icy bridge deck"},
    {"code": "icy_bridge", "name_zh": "桥面结冰", "name_en": ""},
    {"code": "x" * 33, "name_zh": "桥面结冰", "name_en": "Icy bridge deck"},
    {"code": "icy_bridge", "name_zh": "冰" * 65, "name_en": "Icy bridge deck"},
])
def test_a_bad_category_is_explained_and_nothing_is_added(client, auth, session, people, form):
    before = categories(session)
    auth.login(people["admin"])
    assert_error_shown(client.post("/admin/categories", data=form))
    assert categories(session) == before
