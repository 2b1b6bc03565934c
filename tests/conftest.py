"""Shared fixtures: every database test runs once on SpatiaLite and once on PostGIS.

Each backend gets a fresh database built by the Alembic history (so every run also proves the
migrations), and each test runs inside a transaction that is rolled back afterwards.
"""

from __future__ import annotations

import contextvars
import os
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import sessionmaker

from hazards import db as hazards_db
from hazards.app import create_app
from hazards.services.reference import ensure_reference_data
from tests import factories

# The PostGIS half carries the `postgis` mark, so `-m "not postgis"` runs with no PostgreSQL at all.
BACKENDS = ["spatialite", pytest.param("postgis", marks=pytest.mark.postgis)]
PG_ADMIN_DSN = os.environ.get("HAZARDS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str):
    """A missing service is a skip on a laptop and a failure in CI, where it must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)", pytrace=False)
    pytest.skip(reason)


def _pg_admin():
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {exc}")


@pytest.fixture(scope="session")
def make_database(tmp_path_factory):
    """Factory for empty databases: make_database('spatialite'|'postgis') -> SQLAlchemy URL."""
    created: list[str] = []

    def make(backend: str) -> str:
        name = f"hazards_test_{uuid.uuid4().hex[:10]}"
        if backend == "spatialite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / (name + '.sqlite')}"
        with _pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            created.append(name)
        with _pg_database(name) as conn:
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except Exception as exc:  # noqa: BLE001 - reported as the reason
                unavailable(f"PostGIS extension not installed: {exc}")
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

    yield make
    if created:
        with _pg_admin() as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_database(name: str):
    import psycopg

    return psycopg.connect(PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name, autocommit=True)


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server on 127.0.0.1 (tests.servers.S3Server) for the bucket file store."""
    try:
        import moto.server  # noqa: F401 - only whether it is installed
    except ImportError as exc:
        unavailable(f"moto's S3 server is not installed: {exc}")
    from tests.servers import S3Server

    with S3Server() as server:
        yield server


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


def build_app(url: str, instance, **settings) -> "Flask":  # noqa: F821
    return create_app({
        "TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "test",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False, **settings,
    })


def ledger_app(url: str, instance) -> "Flask":  # noqa: F821
    """An app on the database at `url`, migrated and holding its reference data, committed."""
    from flask_migrate import upgrade

    app = build_app(url, instance)
    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        session.commit()
    return app


@pytest.fixture(scope="session")
def app(backend, make_database, tmp_path_factory):
    """An app on a freshly migrated database of the current backend, with reference data."""
    app = ledger_app(make_database(backend), tmp_path_factory.mktemp(f"instance-{backend}"))
    yield app
    hazards_db.state(app).engine.dispose()


@pytest.fixture
def session(app):
    """The app context's session, inside a transaction rolled back after the test."""
    state = hazards_db.state(app)
    # A task runs inside the app its Celery app was made with, and the current Celery app is the last
    # one built: tests that build apps of their own (empty databases, backups) must not leave theirs.
    app.extensions["celery"].set_current()
    app.extensions["celery"].set_default()
    connection = state.engine.connect()
    outer = connection.begin()
    original_factory = state.session_factory
    state.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        with app.app_context():
            yield hazards_db.get_session()
    finally:
        state.session_factory = original_factory
        outer.rollback()
        connection.close()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production, even while the test holds one.

    Flask would otherwise reuse the test's app context, sharing `g` (the logged-in user, the
    locale, the database session) between requests in a way no real server does.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, session):
    app.test_client_class = IsolatedClient
    return app.test_client()


class Auth:
    """Log the test client in and out as a given user."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = "secret-pass"):
        return self.client.post("/login", data={"login": user.login, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def people(session):
    """The shared cast (see tests.factories.CAST): every role at county, city and province level, and a
    sibling county's inspector and supervisor; committed, so the app's requests see them."""
    found = factories.make_people(session)
    session.commit()
    return found


@pytest.fixture
def ledger(session, people):
    """The shared small ledger (see tests.factories.small_ledger): 甲, 乙, 丙 in Xinfu and 丁 in Yuanping."""
    made = factories.small_ledger(session, people)
    session.commit()
    return made


@pytest.fixture
def runner(app, session):
    return app.test_cli_runner()


def pytest_collection_modifyitems(config, items):
    # `-m postgis` / `-m "not postgis"` select one backend's half of the suite, and a test marked
    # `backend_only("spatialite")` is not collected for the other backend (rather than skipped).
    keep, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        current = callspec.params.get("backend") if callspec else None
        only = item.get_closest_marker("backend_only")
        if only and current and current != only.args[0]:
            dropped.append(item)
            continue
        if current == "postgis":
            item.add_marker(pytest.mark.postgis)
        keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
