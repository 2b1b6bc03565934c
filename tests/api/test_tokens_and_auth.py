"""Personal API tokens, Bearer authentication, CSRF rules and problem-details errors."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import select

from hazards.models import ApiToken
from hazards.services.tokens import hash_secret, issue_token, revoke_token, user_for_secret
from tests.api.helpers import assert_problem


@contextmanager
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_only_the_hash_is_stored_and_the_secret_finds_its_user(session, people):
    token, secret = issue_token(session, people["inspector"], "QGIS")
    assert secret.startswith("hzt_") and len(secret) > 40
    assert token.token_hash == hash_secret(secret) and secret not in token.token_hash
    assert user_for_secret(session, secret) is people["inspector"]
    assert token.last_used_at is not None
    assert user_for_secret(session, secret + "x") is None
    revoke_token(session, people["inspector"], token.id)
    assert user_for_secret(session, secret) is None


def test_me_with_a_token(api, people):
    response = api.get("inspector", "/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["login"] == people["inspector"].login
    assert "Set-Cookie" not in response.headers  # a token call opens no session


def test_no_token_wrong_token_revoked_token_inactive_user_are_401(client, api, session, people, tokens):
    body = assert_problem(client.get("/api/v1/me"), 401, "unauthorized")
    assert "Bearer" in client.get("/api/v1/me").headers["WWW-Authenticate"]
    assert body["type"].startswith("urn:")
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer hzt_nope"}), 401, "invalid_token")
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer "}), 401, "invalid_token")

    token = session.scalar(select(ApiToken).where(ApiToken.user_id == people["county"].id))
    revoke_token(session, people["county"], token.id)
    people["city"].active = False
    session.commit()
    assert_problem(api.get("county", "/api/v1/me"), 401, "invalid_token")
    assert_problem(api.get("city", "/api/v1/me"), 401, "invalid_token")


def test_the_session_works_for_reading(client, auth, people):
    auth.login(people["inspector"])
    assert client.get("/api/v1/me").get_json()["login"] == people["inspector"].login


def test_token_writes_need_no_csrf_but_session_writes_do(app, client, auth, api, people):
    auth.login(people["inspector"])  # the login form, with CSRF still off
    with csrf_enabled(app):
        # A token call carries no CSRF token and needs none: the API blueprints are exempt.
        assert api.post("county", "/api/v1/notifications/read").status_code == 200
        # The session cookie alone is what a cross-site form would send: refused.
        assert_problem(client.post("/api/v1/notifications/read"), 403, "csrf_failed")
        page = client.get("/profile/tokens").get_data(as_text=True)
        csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post("/api/v1/notifications/read", headers={"X-CSRFToken": csrf_token}).status_code == 200
        # Web forms stay protected whatever header comes with them.
        assert client.post("/profile/tokens", data={"name": "x"}, headers={
            "Authorization": f"Bearer {api.tokens['inspector']}"}).status_code == 400


def test_a_bearer_token_wins_over_the_session(client, auth, api, people):
    auth.login(people["inspector"])
    assert api.get("county", "/api/v1/me").get_json()["login"] == people["county"].login
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer hzt_wrong"}), 401)


def test_the_map_geojson_accepts_a_token_too(api):
    response = api.get("city", "/api/v1/hazards.geojson?bbox=112,38,113,39")
    assert response.status_code == 200 and response.get_json()["type"] == "FeatureCollection"


def test_errors_are_problem_documents(client, api):
    assert_problem(api.get("inspector", "/api/v1/no-such-thing"), 404)
    assert_problem(client.get("/api/v1/no-such-thing"), 404)
    assert_problem(client.get("/ogc/no/such/thing"), 404)
    not_allowed = assert_problem(api("inspector", "DELETE", "/api/v1/hazards"), 405)
    assert not_allowed["code"] == "method_not_allowed"
    # The web UI keeps its HTML error pages.
    web = client.get("/no-such-page")
    assert web.status_code == 404 and web.mimetype == "text/html"


def test_the_token_page_creates_shows_once_and_revokes(client, auth, session, people):
    auth.login(people["inspector"])
    page = client.get("/profile/tokens")
    assert page.status_code == 200
    created = client.post("/profile/tokens", data={"name": "QGIS 桌面"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-token"[^>]*>(hzt_[^<]+)<', created.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    # Shown once: the list page never carries it again.
    assert secret not in client.get("/profile/tokens").get_data(as_text=True)
    token = session.scalar(select(ApiToken).where(ApiToken.name == "QGIS 桌面"))
    assert client.post(f"/profile/tokens/{token.id}/revoke").status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert client.post("/profile/tokens", data={"name": " "}).status_code == 422


def test_someone_elses_token_cannot_be_revoked(client, auth, session, people, tokens):
    other = session.scalar(select(ApiToken).where(ApiToken.user_id == people["county"].id))
    auth.login(people["inspector"])
    assert client.post(f"/profile/tokens/{other.id}/revoke").status_code == 404
    assert session.get(ApiToken, other.id).revoked_at is None


def test_create_token_command_prints_a_working_token(runner, client, people):
    result = runner.invoke(args=["create-token", "--login", people["inspector"].login, "--name", "cron"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("hzt_")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    missing = runner.invoke(args=["create-token", "--login", "nobody"])
    assert missing.exit_code != 0 and "no user" in missing.output


def test_a_call_looks_its_token_up_once_and_speaks_its_users_language(api, session, people):
    """The token is checked once a call (it was checked again when the call first asked who its user
    is, for the language of its messages: two more statements per call, an eighth of a list page)."""
    from hazards.domain.enums import Status
    from hazards.permissions import SYSTEM
    from hazards.services.registration import report_hazard
    from tests.factories import draft
    from tests.statements import recorded

    report_hazard(session, draft(status=Status.VERIFIED), actor=SYSTEM)
    people["county"].language = "en"
    session.commit()
    api.get("county", "/api/v1/me")  # the token's first use is noted (a write); later calls only read
    with recorded(session.get_bind()) as statements:
        body = api.get("county", "/api/v1/hazards?limit=5").get_json()
    assert sum("api_tokens" in s for s in statements) == 1
    (item,) = body["items"]
    reasons = " ".join(c["reason"] for c in item["priority"]["components"])
    assert reasons and not any("\u4e00" <= ch <= "\u9fff" for ch in reasons)  # the user's English, not Chinese
