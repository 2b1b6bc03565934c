"""An admin keeps the organizations (单位) of their subtree: edit, deactivate, merge, each audited.

A deactivated unit is no longer offered on a hazard's page, yet the hazards naming it still show it;
merging moves every hazard and person of one unit to the other in one go, with each hazard's own
history saying so; a name already used in the division is refused in Chinese, not with a server error.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hazards.domain.enums import OrganizationKind, Status, SupervisionLevel
from hazards.domain.errors import InvalidInput
from hazards.models import AdminChange, FieldChange, Hazard, Organization, User
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from hazards.services.units import check_unit
from tests.factories import draft, user

ERROR_FLASH = 'class="flash error"'


def unit(session, name: str, code: str = "140902", kind=OrganizationKind.RESPONSIBLE) -> Organization:
    made = Organization(name=name, kind=kind, jurisdiction_code=code)
    session.add(made)
    session.flush()
    return made


def audit_rows(session, organization, kind: str | None = None) -> list[AdminChange]:
    session.expire_all()
    stmt = select(AdminChange).where(AdminChange.record_type == "organization",
                                     AdminChange.record_id == organization.id)
    if kind:
        stmt = stmt.where(AdminChange.kind == kind)
    return list(session.scalars(stmt.order_by(AdminChange.id)))


def fresh(session, model, row_id):
    session.expire_all()
    return session.get(model, row_id)


def listed_hazard(session, responsible: Organization | None = None, supervising: Organization | None = None,
                  title: str = "急弯") -> Hazard:
    return report_hazard(session, draft(
        title=title, status=Status.LISTED, level=SupervisionLevel.COUNTY, listed_on=draft().found_on,
        deadline=draft().found_on.replace(year=2030), responsible_unit=responsible.name if responsible else None,
        supervising_body=supervising.name if supervising else None), actor=SYSTEM)


def test_an_admin_renames_a_unit_and_the_change_is_audited(client, auth, session, people):
    road = unit(session, "忻府区交通局")
    session.commit()
    auth.login(people["county_admin"])
    response = client.post(f"/admin/organizations/{road.id}", data={
        "name": "忻府区交通运输局", "kind": "responsible", "jurisdiction_code": "140902"})
    assert response.status_code == 303
    assert fresh(session, Organization, road.id).name == "忻府区交通运输局"
    [row] = audit_rows(session, road, "organization_edited")
    assert row.before == {"name": "忻府区交通局"} and row.after == {"name": "忻府区交通运输局"}
    assert row.actor_name == people["county_admin"].login


def test_a_name_taken_in_the_division_is_refused_in_chinese_and_what_was_typed_stays(client, auth, session, people):
    unit(session, "忻府区交通运输局")
    other = unit(session, "忻府区公路段")
    session.commit()
    auth.login(people["county_admin"])
    for response in (
        client.post(f"/admin/organizations/{other.id}", data={
            "name": "忻府区交通运输局", "kind": "supervising", "jurisdiction_code": "140902"}),
        client.post("/admin/organizations", data={
            "name": "忻府区交通运输局", "kind": "supervising", "jurisdiction_code": "140902"}),
    ):
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and ERROR_FLASH in page
        assert "忻府区已有名为“忻府区交通运输局”的单位" in page and "Internal Server Error" not in page
        assert 'value="忻府区交通运输局"' in page and 'value="supervising" selected' in page
    assert fresh(session, Organization, other.id).name == "忻府区公路段"
    assert len(session.scalars(select(Organization)).all()) == 2


def test_the_same_name_in_another_division_is_fine(client, auth, session, people):
    unit(session, "交通运输局", "140902")
    session.commit()
    auth.login(people["admin"])
    response = client.post("/admin/organizations", data={"name": "交通运输局", "kind": "responsible",
                                                         "jurisdiction_code": "140921"})
    assert response.status_code == 303


def test_a_unit_moves_only_where_its_hazards_can_still_name_it(client, auth, session, people):
    road = unit(session, "忻府区交通运输局")
    listed_hazard(session, responsible=road)
    session.commit()
    auth.login(people["admin"])
    response = client.post(f"/admin/organizations/{road.id}", data={
        "name": "忻府区交通运输局", "kind": "responsible", "jurisdiction_code": "140921"})  # a sibling county
    assert response.status_code == 422 and "1 处隐患" in response.get_data(as_text=True)
    assert fresh(session, Organization, road.id).jurisdiction_code == "140902"
    up = client.post(f"/admin/organizations/{road.id}", data={
        "name": "忻府区交通运输局", "kind": "responsible", "jurisdiction_code": "140900"})  # the city above it
    assert up.status_code == 303 and fresh(session, Organization, road.id).jurisdiction_code == "140900"
    [row] = audit_rows(session, road, "organization_edited")
    assert (row.jurisdiction_code, row.previous_jurisdiction_code) == ("140900", "140902")


def test_a_deactivated_unit_is_offered_no_more_but_its_hazards_keep_it(client, auth, session, people):
    old = unit(session, "忻府区交通局")
    current = unit(session, "忻府区交通运输局")
    keeps = listed_hazard(session, responsible=old, title="甲")
    other = listed_hazard(session, title="乙")
    session.commit()
    auth.login(people["county_admin"])
    assert client.post(f"/admin/organizations/{old.id}/active", data={"active": "0"}).status_code == 303
    [row] = audit_rows(session, old, "organization_deactivated")
    assert row.before == {"active": True} and row.after == {"active": False}
    auth.logout()
    auth.login(people["county"])
    offered = client.get(f"/hazards/{other.id}").get_data(as_text=True)
    assert "忻府区交通运输局" in offered and "忻府区交通局" not in offered
    kept = client.get(f"/hazards/{keeps.id}").get_data(as_text=True)
    assert "忻府区交通局" in kept  # still its responsible unit, shown and selected
    assert f'<option value="{old.id}" selected>' in kept
    # naming it anew is refused (the workflow's unit check); a hazard already naming it may keep it
    with pytest.raises(InvalidInput, match="no longer in use"):
        check_unit(session, old.id, "140902", SupervisionLevel.COUNTY, "responsible_unit_id", current=None)
    assert check_unit(session, old.id, "140902", SupervisionLevel.COUNTY, "responsible_unit_id", current=old.id) == old
    assert check_unit(session, current.id, "140902", SupervisionLevel.COUNTY, "responsible_unit_id") == current


def test_merging_moves_hazards_and_people_in_one_audited_step(client, auth, session, people):
    duplicate = unit(session, "忻府区交通局")
    target = unit(session, "忻府区交通运输局")
    first = listed_hazard(session, responsible=duplicate, title="甲")
    second = listed_hazard(session, responsible=duplicate, title="乙")
    untouched = listed_hazard(session, responsible=target, title="丙")
    member = user(session, "inspector", "140902", login="xinfu-road")
    member.organization_id = duplicate.id
    session.commit()
    versions = {h.id: h.version for h in (first, second)}
    auth.login(people["county_admin"])
    page = client.get(f"/admin/organizations/{duplicate.id}").get_data(as_text=True)
    assert f'<option value="{target.id}"' in page  # offered as the unit to merge into
    response = client.post(f"/admin/organizations/{duplicate.id}/merge", data={"target_id": str(target.id)})
    assert response.status_code == 303
    session.expire_all()
    assert [session.get(Hazard, h.id).responsible_unit_id for h in (first, second, untouched)] == [target.id] * 3
    assert session.get(User, member.id).organization_id == target.id
    assert not session.get(Organization, duplicate.id).active and session.get(Organization, target.id).active
    for hazard in (first, second):  # each hazard's own history says who moved it from which unit to which
        change = session.scalar(select(FieldChange).where(FieldChange.hazard_id == hazard.id,
                                                          FieldChange.field == "responsible_unit_id"))
        assert (change.old_value, change.new_value) == (str(duplicate.id), str(target.id))
        assert change.changed_by_id == people["county_admin"].id
        assert session.get(Hazard, hazard.id).version == versions[hazard.id] + 1
    [row] = audit_rows(session, duplicate, "organization_merged")
    assert row.after["merged_into"] == "忻府区交通运输局" and row.after["users"] == ["xinfu-road"]
    assert sorted(row.after["hazards"]) == sorted([first.code, second.code])
    audit_page = client.get("/admin/audit?kind=organization_merged").get_data(as_text=True)
    assert "合并单位" in audit_page and first.code in audit_page


@pytest.mark.parametrize("case", ["itself", "other_kind", "other_county", "inactive"])
def test_a_merge_that_cannot_be_is_refused_and_moves_nothing(client, auth, session, people, case):
    source = unit(session, "忻府区交通局")
    hazard = listed_hazard(session, responsible=source)
    target = {
        "itself": source,
        "other_kind": unit(session, "忻府区安委会", kind=OrganizationKind.SUPERVISING),
        "other_county": unit(session, "定襄县交通运输局", "140921"),
        "inactive": unit(session, "忻府区交通运输局"),
    }[case]
    if case == "inactive":
        target.active = False
    session.commit()
    auth.login(people["admin"])
    response = client.post(f"/admin/organizations/{source.id}/merge", data={"target_id": str(target.id)})
    assert response.status_code == 422 and ERROR_FLASH in response.get_data(as_text=True)
    assert fresh(session, Hazard, hazard.id).responsible_unit_id == source.id
    assert fresh(session, Organization, source.id).active and audit_rows(session, source) == []


@pytest.mark.parametrize("method, path, form", [
    ("GET", "/admin/organizations/{id}", None),
    ("POST", "/admin/organizations/{id}", {"name": "改名", "kind": "responsible", "jurisdiction_code": "140981"}),
    ("POST", "/admin/organizations/{id}/active", {"active": "0"}),
    ("POST", "/admin/organizations/{id}/merge", {"target_id": "{own}"}),
])
def test_an_admin_of_140902_cannot_see_or_touch_a_unit_of_140981(client, auth, session, people, method, path, form):
    outsider = unit(session, "原平市交通运输局", "140981")
    own = unit(session, "忻府区交通运输局", "140902")
    session.commit()
    auth.login(people["county_admin"])
    data = {k: v.format(own=own.id) for k, v in form.items()} if form else None
    assert client.open(path.format(id=outsider.id), method=method, data=data).status_code == 404
    after = fresh(session, Organization, outsider.id)
    assert (after.name, after.active) == ("原平市交通运输局", True) and audit_rows(session, outsider) == []
    # nor merge one of its own into the other county's
    merged = client.post(f"/admin/organizations/{own.id}/merge", data={"target_id": str(outsider.id)})
    assert merged.status_code == 404 and fresh(session, Organization, own.id).active
    assert "原平市交通运输局" not in client.get("/admin/organizations").get_data(as_text=True)
