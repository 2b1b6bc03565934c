"""Logging in, the rate limit, CSRF, cookies and the language a person sees."""

from __future__ import annotations

import pytest

from tests.factories import user


def test_login_page_is_chinese_by_default_and_english_on_request(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Log in" in english and "登录" not in english


def test_pages_need_a_login(client):
    response = client.get("/hazards")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_is_refused_in_chinese(client, session):
    inspector = user(session)
    response = client.post("/login", data={"login": inspector.login, "password": "wrong-pass"})
    assert response.status_code == 401 and "账号或密码错误" in response.get_data(as_text=True)


def test_login_lands_an_inspector_on_my_hazards(client, auth, session):
    inspector = user(session)
    response = auth.login(inspector)
    assert response.status_code == 302
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "我的隐患" in page and inspector.name in page


def test_session_cookie_is_secure_and_http_only(client, auth, session):
    response = auth.login(user(session))
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_repeated_failures_are_rate_limited(client, session):
    inspector = user(session)
    for _ in range(5):
        client.post("/login", data={"login": inspector.login, "password": "nope-nope"})
    response = client.post("/login", data={"login": inspector.login, "password": "secret-pass"})
    assert response.status_code == 429 and "失败次数过多" in response.get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused(app, client, auth, session):
    inspector = user(session)
    auth.login(inspector)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/hazards/new", data={"title": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400


def test_language_follows_the_users_setting_after_login(client, auth, session):
    english_user = user(session, login="english-inspector")
    english_user.language = "en"
    session.flush()
    auth.login(english_user)
    page = client.get("/hazards/mine", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "My hazards" in page


def test_the_header_switch_changes_language_and_remembers_it(client, auth, session):
    inspector = user(session)
    auth.login(inspector)
    client.post("/language/en", data={"next": "/hazards/mine"})
    assert "My hazards" in client.get("/hazards/mine").get_data(as_text=True)
    session.refresh(inspector)
    assert inspector.language == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_login_never_redirects_off_site(client, session, target):
    inspector = user(session)
    response = client.post(f"/login?next={target}", data={"login": inspector.login, "password": "secret-pass"})
    assert "evil" not in response.headers["Location"]
