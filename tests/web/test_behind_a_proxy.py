"""Behind a reverse proxy (HAZARDS_PROXY_COUNT): each client keeps its own address for the login limits.

Without the setting every request comes from the proxy's address, so a few wrong passwords lock out
everyone behind it; with it, the address the trusted proxy wrote in X-Forwarded-For counts. Where no
proxy is declared (the default) the header is ignored, so a client cannot pass for another address.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from hazards import db as hazards_db
from hazards.app import create_app
from hazards.models import LoginAttempt
from hazards.services.reference import ensure_reference_data
from tests.factories import make_people

PROXY = "10.0.0.2"  # the reverse proxy: the only peer the app sees
OFFENDER, COLLEAGUE = "203.0.113.7", "203.0.113.8"
PER_ADDRESS_LIMIT = 3  # below the per-login limit (5), so only the per-address one is at work


@pytest.fixture(scope="module")
def apps(backend, make_database, tmp_path_factory):
    """Two apps on one database: one told it stands behind one proxy, one not told (the default)."""
    from flask_migrate import upgrade

    url = make_database(backend)
    settings = {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "LOGIN_MAX_FAILURES_PER_ADDRESS": PER_ADDRESS_LIMIT}
    made = {"proxied": create_app({**settings, "PROXY_COUNT": 1,
                                   "INSTANCE_PATH": str(tmp_path_factory.mktemp("proxied"))}),
            "direct": create_app({**settings, "INSTANCE_PATH": str(tmp_path_factory.mktemp("direct"))})}
    with made["proxied"].app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        made["logins"] = {name: person.login for name, person in make_people(session).items()}
        session.commit()
    yield made
    for app in (made["proxied"], made["direct"]):
        hazards_db.state(app).engine.dispose()


@pytest.fixture(autouse=True)
def no_failures_yet(apps):
    with apps["proxied"].app_context():
        session = hazards_db.get_session()
        session.execute(delete(LoginAttempt))
        session.commit()


def log_in(app, login: str, password: str, *, peer: str = PROXY, forwarded_for: str | None = None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return app.test_client().post("/login", data={"login": login, "password": password}, headers=headers,
                                  environ_base={"REMOTE_ADDR": peer})


def recorded_addresses(app) -> list[str]:
    with app.app_context():
        return sorted(set(hazards_db.get_session().scalars(select(LoginAttempt.remote_addr))))


def test_behind_one_proxy_each_client_has_its_own_failure_count(apps):
    app, logins = apps["proxied"], apps["logins"]
    for n in range(PER_ADDRESS_LIMIT):
        assert log_in(app, f"guess-{n}", "wrong-password", forwarded_for=OFFENDER).status_code == 401
    assert log_in(app, logins["county"], "secret-pass", forwarded_for=OFFENDER).status_code == 429
    # Same proxy, another client: not locked out by the first one's failures.
    assert log_in(app, logins["county"], "secret-pass", forwarded_for=COLLEAGUE).status_code == 302
    assert recorded_addresses(app) == [OFFENDER]


def test_a_client_behind_the_proxy_cannot_escape_its_count_with_a_header_of_its_own(apps):
    """The proxy appends the real client to what the client sent; only the last (trusted) entry counts."""
    app, logins = apps["proxied"], apps["logins"]
    for n in range(PER_ADDRESS_LIMIT):
        log_in(app, f"guess-{n}", "wrong-password", forwarded_for=f"198.51.100.{n}, {OFFENDER}")
    assert log_in(app, logins["county"], "secret-pass", forwarded_for=f"198.51.100.99, {OFFENDER}").status_code == 429


def test_without_the_setting_the_header_is_ignored(apps):
    """Not behind a proxy (the default): a client sending X-Forwarded-For is still counted by its own address."""
    app, logins = apps["direct"], apps["logins"]
    for n in range(PER_ADDRESS_LIMIT):
        log_in(app, f"guess-{n}", "wrong-password", peer=OFFENDER, forwarded_for=f"198.51.100.{n}")
    assert log_in(app, logins["county"], "secret-pass", peer=OFFENDER,
                  forwarded_for="198.51.100.99").status_code == 429
    assert recorded_addresses(app) == [OFFENDER]


def test_behind_a_proxy_without_the_setting_everyone_shares_the_proxys_count(apps):
    """What the setting is for: left at 0 behind a proxy, one client's failures lock out the others."""
    app, logins = apps["direct"], apps["logins"]
    for n in range(PER_ADDRESS_LIMIT):
        log_in(app, f"guess-{n}", "wrong-password", forwarded_for=OFFENDER)
    assert log_in(app, logins["county"], "secret-pass", forwarded_for=COLLEAGUE).status_code == 429
    assert recorded_addresses(app) == [PROXY]


def test_a_negative_proxy_count_stops_the_app_at_start(tmp_path):
    with pytest.raises(ValueError, match="HAZARDS_PROXY_COUNT"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test", "PROXY_COUNT": -1})
