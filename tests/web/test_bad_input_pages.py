"""Input no person means but a page may still receive: a clear 4xx page, nothing changed, never a 500.
(Each case was found by tests/web/test_fuzz_forms.py.)"""

from __future__ import annotations

from sqlalchemy import func, select

from hazards.models import Hazard, User


def test_a_nul_character_in_a_query_or_a_form_is_a_400(client, auth, session, people):
    auth.login(people["city"])
    listing = client.get("/hazards/export?category=%00")
    assert listing.status_code == 400 and "空字符" in listing.get_data(as_text=True)
    assert client.get("/hazards?q=a%00b").status_code == 400
    auth.logout()
    auth.login(people["inspector"])
    posted = client.post("/hazards/new", data={"title": "井盖\x00缺失", "jurisdiction_code": "140902",
                                               "lon": "112.734", "lat": "38.417"})
    assert posted.status_code == 400
    assert session.scalar(select(func.count(Hazard.id))) == 0


def test_a_malformed_division_code_in_the_admin_form_is_a_marked_field(client, auth, session, people):
    auth.login(people["admin"])
    before = session.scalar(select(func.count(User.id)))
    response = client.post("/admin/users", data={"login": "new.person", "password": "a-long-pass-2024",
                                                 "role": "inspector", "jurisdiction_code": '="ab'})
    assert response.status_code == 422  # the form again, marked, as every refused admin form
    assert "6 位" in response.get_data(as_text=True) or "行政区划代码" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(User.id))) == before
