"""Who may close a hazard on the spot and who may edit a closed one (issue 12, findings 3 and 5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import AttachmentPhase, Status, SupervisionLevel
from hazards.models import FieldChange, Hazard
from hazards.services.attachments import add_attachment
from hazards.storage import current_store
from tests.api.helpers import assert_problem
from tests.factories import draft, jpeg, register_groups

TODAY = clock.today()


@pytest.fixture
def reported(session, people, app):
    """Two freshly reported Xinfu hazards, one not listed and one listed by the city, each with an after photo."""
    ids = register_groups(session, {
        "unlisted": [draft(title="未挂牌")],
        "city": [draft(title="市级挂牌", level=SupervisionLevel.CITY)],
    })
    for hazard_id in (ids["unlisted"][0], ids["city"][0]):
        add_attachment(session, hazard_id, people["inspector"], data=jpeg(), filename="after.jpg",
                       phase=AttachmentPhase.AFTER, store=current_store())
    session.commit()
    return session.get(Hazard, ids["unlisted"][0]), session.get(Hazard, ids["city"][0])


def _fix_on_spot(api, who, hazard):
    return api.post(who, f"/api/v1/hazards/{hazard.id}/transitions", json={
        "action": "fix_on_spot", "reason": "当场补设警示桩", "completed_on": TODAY.isoformat()})


def test_an_inspector_cannot_close_a_city_listed_hazard_on_the_spot(api, reported, session):
    _unlisted, city = reported
    assert_problem(_fix_on_spot(api, "inspector", city), 403, "forbidden")
    offered = api.get("inspector", f"/api/v1/hazards/{city.id}/transitions").get_json()["items"]
    assert "fix_on_spot" not in {t["action"] for t in offered}
    session.expire_all()
    assert session.get(Hazard, city.id).status is Status.REPORTED


def test_an_inspector_closes_an_unlisted_hazard_on_the_spot(api, reported):
    unlisted, _city = reported
    offered = api.get("inspector", f"/api/v1/hazards/{unlisted.id}/transitions").get_json()["items"]
    assert "fix_on_spot" in {t["action"] for t in offered}
    closed = _fix_on_spot(api, "inspector", unlisted)
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "closed"


def test_the_hazard_page_offers_fix_on_spot_only_where_it_may_be_taken(client, auth, people, reported):
    unlisted, city = reported
    auth.login(people["inspector"])
    assert "立即整改销号" in client.get(f"/hazards/{unlisted.id}").get_data(as_text=True)
    assert "立即整改销号" not in client.get(f"/hazards/{city.id}").get_data(as_text=True)


@pytest.fixture
def closed_province_hazard(session, people):
    found = date(2024, 3, 5)
    (hazard_id,) = register_groups(session, {"closed": [draft(
        title="省级挂牌已销号", level=SupervisionLevel.PROVINCE, status=Status.CLOSED, document_no="晋安办〔2024〕7号",
        listed_on=found, deadline=found + timedelta(days=180), closed_on=found + timedelta(days=120),
        crash_count=1)]})["closed"]
    session.commit()
    return session.get(Hazard, hazard_id)


PATCH = {"document_no": "伪造〔2024〕1号", "death_count": 9, "crash_count": 9}


@pytest.mark.parametrize("who", ["inspector", "county", "city_inspector", "city", "province_inspector"])
def test_field_users_and_lower_supervisors_cannot_edit_a_closed_province_hazard(api, session, closed_province_hazard,
                                                                                  who):
    hazard = closed_province_hazard
    assert_problem(api.patch(who, f"/api/v1/hazards/{hazard.id}", json={"version": hazard.version, **PATCH}),
                   403, "forbidden")
    session.expire_all()
    kept = session.get(Hazard, hazard.id)
    assert (kept.document_no, kept.death_count) == ("晋安办〔2024〕7号", 0)
    assert not session.scalars(select(FieldChange).where(FieldChange.hazard_id == hazard.id)).all()


def test_the_province_supervisor_edits_a_closed_province_hazard_and_it_is_audited(api, session, people,
                                                                                  closed_province_hazard):
    hazard = closed_province_hazard
    edited = api.patch("province", f"/api/v1/hazards/{hazard.id}", json={"version": hazard.version, **PATCH})
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["document_no"] == "伪造〔2024〕1号"
    audit = session.scalars(select(FieldChange).where(FieldChange.hazard_id == hazard.id)).all()
    assert {(c.field, c.old_value, c.new_value, c.changed_by_id) for c in audit} == {
        ("document_no", "晋安办〔2024〕7号", "伪造〔2024〕1号", people["province"].id),
        ("death_count", "0", "9", people["province"].id),
        ("crash_count", "1", "9", people["province"].id),
    }


def test_the_edit_link_follows_the_same_rule(client, auth, people, closed_province_hazard):
    hazard = closed_province_hazard
    edit_link = f"/hazards/{hazard.id}/edit"
    auth.login(people["county"])
    assert edit_link not in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert client.get(edit_link).status_code == 403
    auth.logout()
    auth.login(people["province"])
    assert edit_link in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert client.get(edit_link).status_code == 200
