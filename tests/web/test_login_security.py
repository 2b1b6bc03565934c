"""Logins and sessions as an attacker would probe them: a copied session cookie, login names guessed by
the answer's delay, and the failure limits per login name and per address."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hazards.models import LoginAttempt
from hazards.services import login_throttle, users

OFFICE = {"REMOTE_ADDR": "10.14.9.1"}  # one unit's NAT: everyone there shares the address


def log_in(client, login: str, password: str = "secret-pass", address: dict = OFFICE):
    return client.post("/login", data={"login": login, "password": password}, environ_base=address)


def copied_session_cookie(client) -> str:
    return client.get_cookie("session").value


def is_signed_in(client) -> bool:
    page = client.get("/hazards/mine")
    return page.status_code == 200


# --- a session that logout, or a new password, really ends ----------------------------------------------


def test_a_session_cookie_replayed_after_logout_is_not_logged_in(client, auth, session, people):
    auth.login(people["county"])
    stolen = copied_session_cookie(client)
    assert client.get("/hazards").status_code == 200
    auth.logout()
    client.set_cookie("session", stolen)
    page = client.get("/hazards")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    api = client.get("/api/v1/hazards")
    assert api.status_code == 401


def test_logout_ends_the_copy_on_another_machine_too(app, client, auth, session, people):
    auth.login(people["county"])
    elsewhere = app.test_client()
    elsewhere.set_cookie("session", copied_session_cookie(client))
    assert is_signed_in(elsewhere)
    auth.logout()
    assert not is_signed_in(elsewhere)


def test_logging_in_again_after_logout_works(client, auth, session, people):
    auth.login(people["county"])
    auth.logout()
    auth.login(people["county"])
    assert is_signed_in(client)


# --- the same hash work for an unknown login as for a wrong password ------------------------------------


@pytest.fixture
def hash_checks(monkeypatch):
    """Every stored hash a login attempt checks a password against."""
    checked = []
    real = users.check_password_hash

    def spy(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(users, "check_password_hash", spy)
    return checked


def test_an_unknown_login_costs_the_same_hash_check_as_a_wrong_password(client, session, people, hash_checks):
    assert log_in(client, people["county"].login, "wrong-password").status_code == 401
    assert log_in(client, "nobody-by-this-name", "wrong-password").status_code == 401
    real_user, unknown = hash_checks
    method = lambda stored: stored.split("$", 1)[0]  # noqa: E731 - e.g. "pbkdf2:sha256:1000" or "scrypt:..."
    assert len(hash_checks) == 2 and method(unknown) == method(real_user)


def test_an_inactive_users_login_also_costs_one_hash_check(client, session, people, hash_checks):
    people["county"].active = False
    session.commit()
    assert log_in(client, people["county"].login).status_code == 401
    assert len(hash_checks) == 1


# --- failure limits: per login name, and per address apart ---------------------------------------------


def test_five_failures_for_one_login_lock_that_login_from_any_address(client, session, people):
    for n in range(5):
        log_in(client, people["county"].login, "wrong-password", {"REMOTE_ADDR": f"10.0.0.{n + 1}"})
    refused = log_in(client, people["county"].login, address={"REMOTE_ADDR": "10.0.0.99"})
    assert refused.status_code == 429 and "失败次数过多" in refused.get_data(as_text=True)


def test_colleagues_behind_one_address_do_not_lock_each_other_out(client, session, people):
    # Five people of one office each mistype once, from the office's one address.
    for name in ("inspector", "county", "county_admin", "city_inspector", "city"):
        assert log_in(client, people[name].login, "wrong-password").status_code == 401
    assert log_in(client, people["province"].login).status_code == 302
    assert is_signed_in(client)


def test_one_address_trying_many_logins_is_stopped_at_its_own_limit(app, client, session, people):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    assert limit == 50
    for n in range(limit - 1):
        assert login_throttle.claim_attempt(session, f"guess-{n}", OFFICE["REMOTE_ADDR"], window_minutes=15,
                                            max_failures=5, max_failures_per_address=limit)
    session.commit()
    assert log_in(client, "guess-last", "wrong-password").status_code == 401  # the limit-th failure
    assert log_in(client, people["county"].login).status_code == 429
    assert log_in(client, people["county"].login, address={"REMOTE_ADDR": "10.99.0.1"}).status_code == 302


def test_the_per_address_limit_is_a_setting(app, client, session, people):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        for name in ("inspector", "county", "city"):
            log_in(client, people[name].login, "wrong-password")
        assert log_in(client, people["province"].login).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 50


def test_a_successful_login_forgets_that_logins_failures(client, session, people):
    for _ in range(4):
        log_in(client, people["county"].login, "wrong-password")
    assert log_in(client, people["county"].login).status_code == 302
    client.post("/logout")
    for _ in range(4):
        log_in(client, people["county"].login, "wrong-password")
    assert log_in(client, people["county"].login).status_code == 302


def test_the_throttle_counts_names_and_addresses_apart(session):
    limits = {"window_minutes": 15, "max_failures": 2, "max_failures_per_address": 3}

    def claim(login, address):
        return login_throttle.claim_attempt(session, login, address, **limits)

    assert claim("zhang", "10.1.1.1") and claim("li", "10.1.1.1")
    assert claim("zhang", "10.2.2.2")  # zhang's second failure, from elsewhere
    assert not claim("zhang", "10.3.3.3")  # the name has failed twice: refused from any address
    assert claim("wang", "10.1.1.1")  # the address's third
    assert not claim("zhao", "10.1.1.1")  # the address has failed three times: refused for any name
    assert claim("zhao", "10.4.4.4")
    # A refused attempt is not counted: it never reached a password.
    assert session.scalar(select(func.count(LoginAttempt.id))) == 5

