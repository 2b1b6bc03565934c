"""Passwords: the rules every way of setting one obeys, a person's own change, and an admin's reset."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hazards.domain.passwords import is_common
from hazards.models import User
from hazards.services import users

NEW = "kuaisu-xiuli-2026"  # long, not common
ERROR_FLASH = 'class="flash error"'


def can_log_in(app, login: str, password: str) -> bool:
    return app.test_client().post("/login", data={"login": login, "password": password}).status_code == 302


def signed_in_copy(app, client):
    """Another machine holding a copy of `client`'s session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    assert other.get("/hazards/mine").status_code == 200
    return other


def is_signed_in(client) -> bool:
    return client.get("/hazards/mine").status_code == 200


# --- the rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["12345678", "password1", "qwertyuiop", "1234567890", "abc123456",
                                      "woaini1314", "88888888", "a123456789", "demo12345"])
def test_the_common_list_holds_what_people_try_first(password):
    assert is_common(password) and is_common(password.upper())


@pytest.mark.parametrize("password, says", [("short-pw1", "至少需要 10 个字符"), ("1234567890", "最常见的密码"),
                                            ("Password123", "最常见的密码"), ("woaini1314", "最常见的密码")])
def test_an_admin_cannot_create_a_user_with_a_weak_password(client, auth, session, people, password, says):
    auth.login(people["admin"])
    response = client.post("/admin/users", data={"login": "new-one", "name": "新同事", "password": password,
                                                 "role": "inspector", "jurisdiction_code": "140902"})
    assert ERROR_FLASH in response.get_data(as_text=True) and says in response.get_data(as_text=True)
    assert session.scalar(select(User.id).where(User.login == "new-one")) is None


def test_the_command_line_refuses_a_common_password(runner, session):
    result = runner.invoke(args=["create-user", "--login", "cli-user", "--password", "qwertyuiop",
                                 "--role", "inspector", "--jurisdiction", "140902"])
    assert result.exit_code == 1 and "among the most common" in result.output
    assert session.scalar(select(User.id).where(User.login == "cli-user")) is None


# --- a person changes their own password -------------------------------------------------------------------


def change(client, current="secret-pass", new=NEW, repeat=None):
    return client.post("/profile/password", data={"current_password": current, "new_password": new,
                                                  "repeat_password": new if repeat is None else repeat})


def test_the_change_password_page_is_linked_from_every_page(client, auth, session, people):
    auth.login(people["inspector"])
    assert 'href="/profile/password"' in client.get("/hazards/mine").get_data(as_text=True)
    assert 'href="/profile/password"' in client.get("/profile/tokens").get_data(as_text=True)
    page = client.get("/profile/password").get_data(as_text=True)
    assert "修改密码" in page and 'name="current_password"' in page


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, client, auth, session, people):
    inspector = people["inspector"]
    auth.login(inspector)
    elsewhere = signed_in_copy(app, client)
    response = change(client)
    assert response.status_code == 303
    assert "密码已修改" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert is_signed_in(client) and not is_signed_in(elsewhere)
    assert can_log_in(app, inspector.login, NEW) and not can_log_in(app, inspector.login, "secret-pass")


@pytest.mark.parametrize("form, says", [
    ({"current": "not-my-password"}, "当前密码不正确"),
    ({"new": "1234567890"}, "最常见的密码"),
    ({"new": "short-pw1"}, "至少需要 10 个字符"),
    ({"repeat": NEW + "x"}, "两次输入的新密码不一致"),
])
def test_a_refused_change_leaves_the_password_and_sessions_as_they_were(app, client, auth, session, people,
                                                                       form, says):
    inspector = people["inspector"]
    auth.login(inspector)
    elsewhere = signed_in_copy(app, client)
    response = change(client, **form)
    assert response.status_code == 422 and says in response.get_data(as_text=True)
    assert is_signed_in(elsewhere) and can_log_in(app, inspector.login, "secret-pass")


def test_the_change_needs_a_login(client):
    response = client.post("/profile/password", data={"current_password": "x", "new_password": NEW,
                                                      "repeat_password": NEW})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- an admin resets a password ------------------------------------------------------------------------


def reset(client, who, password=NEW):
    return client.post(f"/admin/users/{who.id}/password", data={"password": password})


def test_an_admin_resets_a_password_from_the_users_page(app, client, auth, session, people):
    inspector = people["inspector"]
    victim = app.test_client()
    victim.post("/login", data={"login": inspector.login, "password": "secret-pass"})
    auth.login(people["admin"])
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'action="/admin/users/{inspector.id}/password"' in page and "重置密码" in page
    response = reset(client, inspector)
    assert response.status_code == 303
    assert "已重置" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not is_signed_in(victim)
    assert can_log_in(app, inspector.login, NEW) and not can_log_in(app, inspector.login, "secret-pass")


def test_an_admin_cannot_reset_outside_their_division(app, client, auth, session, people):
    auth.login(people["county_admin"])  # Xinfu's admin
    for outsider in (people["other_inspector"], people["city"]):  # Yuanping's inspector, the city's supervisor
        assert reset(client, outsider).status_code == 404
        assert can_log_in(app, outsider.login, "secret-pass")
    assert client.post("/admin/users/999999/password", data={"password": NEW}).status_code == 404


@pytest.mark.parametrize("who", ["county", "inspector", "city"])
def test_only_admins_reset_passwords(app, client, auth, session, people, who):
    auth.login(people[who])
    assert reset(client, people["inspector"]).status_code == 403
    assert can_log_in(app, people["inspector"].login, "secret-pass")


def test_an_admin_reset_to_a_weak_password_is_refused(app, client, auth, session, people):
    auth.login(people["admin"])
    response = reset(client, people["inspector"], "88888888")
    assert response.status_code == 422 and "至少需要 10 个字符" in response.get_data(as_text=True)
    response = reset(client, people["inspector"], "a123456789")
    assert response.status_code == 422 and "最常见的密码" in response.get_data(as_text=True)
    assert can_log_in(app, people["inspector"].login, "secret-pass")


def test_every_way_of_setting_a_password_checks_it(session, people):
    with pytest.raises(users.UserError):
        users.create_user(session, login="x-user", password="password1", role="inspector", jurisdiction_code="140902")
    with pytest.raises(users.UserError):
        users.change_own_password(session, people["inspector"], current="secret-pass", new="woaini1314",
                                  repeated="woaini1314")
    with pytest.raises(users.UserError):
        users.reset_password(session, people["inspector"], "qwertyuiop")
