"""Every route states who may call it, and the statement holds.

A route without a decision from `hazards.permissions` fails here by name, so a new route cannot forget;
every route not declared public refuses a caller who is not logged in; and under TESTING a view that
promised its service would decide, but answered without asking, fails loudly.
"""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing.converters import NumberConverter

from hazards import permissions
from tests.factories import user

pytestmark = pytest.mark.backend_only("spatialite")  # the URL map does not depend on the database


def _routes(app):
    return [rule for rule in app.url_map.iter_rules()]


def test_every_route_declares_an_authorization_decision(app):
    undecided = sorted({rule.endpoint for rule in _routes(app) if permissions.decision_for(app, rule.endpoint) is None})
    assert undecided == [], f"routes without an authorization decision from hazards.permissions: {undecided}"


def test_the_routes_of_every_kind_are_walked(app):
    """The walk above sees the web pages, the REST API, OGC API – Features and static files alike."""
    endpoints = {rule.endpoint for rule in _routes(app)}
    assert {"hazard_pages.detail", "api.get_hazard", "ogc.items", "static", "admin.users"} <= endpoints
    assert permissions.decision_for(app, "static").kind == "public"
    assert permissions.decision_for(app, "admin.users").kind == "requires"


def _sample_url(rule) -> str:
    """The rule's URL with a plausible value for each part (1 for ids, 'x' for names); a rule's fixed
    defaults (one view serving /admin/categories and /admin/measures) are its own."""
    values = {name: 1 if isinstance(rule._converters[name], NumberConverter) else "x"
              for name in rule.arguments if name in rule._converters}
    return rule.build(values, append_unknown=False)[1]


def test_every_route_not_declared_public_refuses_an_anonymous_caller(app, client):
    let_in, checked = [], 0
    for rule in _routes(app):
        if permissions.decision_for(app, rule.endpoint).kind == "public":
            continue
        url = _sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            checked += 1
            to_login = response.status_code == 302 and "/login" in response.headers.get("Location", "")
            if not (to_login or response.status_code == 401):
                let_in.append(f"{method} {url} ({rule.endpoint}): {response.status_code}")
    assert checked > 50 and let_in == []


def test_admin_pages_answer_403_to_people_who_are_not_admins(client, auth, session):
    auth.login(user(session, "supervisor", "140900"))
    session.commit()
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/categories", data={"code": "x", "name_zh": "甲", "name_en": "x"}).status_code == 403


def _bare_app() -> Flask:
    app = Flask(__name__)
    app.testing = True
    permissions.init_app(app)
    return app


def test_a_view_that_promised_a_check_and_never_made_one_fails_under_testing():
    app = _bare_app()

    @app.get("/forgetful")
    @permissions.checked_inside
    def forgetful():
        return "everything"

    @app.get("/careful")
    @permissions.checked_inside
    def careful():
        return "yes" if permissions.can_see(permissions.SYSTEM, "140902") else "no"

    with pytest.raises(AssertionError, match="forgetful.*without consulting hazards.permissions"):
        app.test_client().get("/forgetful")
    assert app.test_client().get("/careful").get_data(as_text=True) == "yes"


def test_a_refusal_is_not_held_against_a_view():
    """The audit looks at answers that give something out; a 404 or 403 gave nothing."""
    app = _bare_app()

    @app.get("/missing")
    @permissions.checked_inside
    def missing():
        return "no such thing", 404

    assert app.test_client().get("/missing").status_code == 404
