"""The one Alembic history builds, on an empty database of each backend, exactly the models' schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from hazards import db as hazards_db
from hazards.models import Base
from tests.conftest import build_app


def _schema_differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _include_object}
        )
        return compare_metadata(context, Base.metadata)


def _include_object(obj, name, obj_type, reflected, compare_to):
    from geoalchemy2 import alembic_helpers

    from hazards.queries.text_search import TRIGRAM_INDEXES

    if obj_type == "table" and reflected and compare_to is None:
        return False  # the spatial backends' own tables, and SQLite's FTS5 search table with its shadow tables
    if obj_type == "index" and reflected and compare_to is None and name in TRIGRAM_INDEXES:
        return False  # PostgreSQL's pg_trgm indexes for the text search: no model can declare their operator class
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(backend, make_database, tmp_path):
    app = build_app(make_database(backend), tmp_path)
    engine = hazards_db.state(app).engine
    with app.app_context():
        upgrade()
        assert _schema_differences(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert {"hazards", "jurisdictions", "funding_entries", "status_changes", "attachments"} <= tables
        assert ("hazards_search" in tables) == (backend == "spatialite")  # the list search's FTS5 table
        downgrade(revision="base")
        assert "hazards" not in set(inspect(engine).get_table_names())
        upgrade()
        assert "hazards" in set(inspect(engine).get_table_names())
    engine.dispose()


def test_the_delivery_lease_migration_keeps_inbox_links_and_gives_failed_digests_another_try(
        backend, make_database, tmp_path):
    """SQLite rebuilds the deliveries table for its new state rule; with foreign keys on, that must not
    cut the inbox notes loose from their digests. A digest given up on before is tried again."""
    from sqlalchemy import text

    app = build_app(make_database(backend), tmp_path)
    engine = hazards_db.state(app).engine
    with app.app_context():
        upgrade(revision="b7d41f0c6e25-1")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO jurisdictions (code, name, level) VALUES ('140000', '山西省', 'province')"))
            conn.execute(text("INSERT INTO users (id, login, name, password_hash, role, jurisdiction_code, language,"
                              " active, created_at, session_version) VALUES (1, 'u', 'u', 'x', 'inspector', '140000',"
                              " 'zh', true, CURRENT_TIMESTAMP, 0)"))
            conn.execute(text("INSERT INTO deliveries (id, user_id, channel, state, payload, attempts, created_at)"
                              " VALUES (1, 1, 'inbox', 'sent', '{}', 1, CURRENT_TIMESTAMP),"
                              " (2, 1, 'email', 'failed', '{}', 5, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO notifications (user_id, title, body, created_at, delivery_id)"
                              " VALUES (1, 't', 'b', CURRENT_TIMESTAMP, 1)"))
        upgrade(revision="b7d41f0c6e25")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT delivery_id FROM notifications")).scalar() == 1
            assert conn.execute(text("SELECT state FROM deliveries WHERE id = 2")).scalar() == "pending"
        downgrade(revision="b7d41f0c6e25-1")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT delivery_id FROM notifications")).scalar() == 1
    engine.dispose()


def test_roads_keep_their_lines_through_the_multi_part_migration(backend, make_database, tmp_path):
    """A ledger with roads upgrades to multi-part lines and back without losing a road."""
    from sqlalchemy import text

    app = build_app(make_database(backend), tmp_path)
    engine = hazards_db.state(app).engine
    as_text = "ST_AsText(geom)" if backend == "postgis" else "AsText(geom)"
    from_text = "ST_GeomFromText" if backend == "postgis" else "GeomFromText"
    with app.app_context():
        upgrade(revision="5d2e8a71c3f4")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO jurisdictions (code, name, level) VALUES ('100000', '全国', 'national')"))
            conn.execute(text(f"INSERT INTO roads (route_code, division_code, road_class, start_m, length_m, geom) "
                              f"VALUES ('G208', '100000', 'G', 1000, 1500, "
                              f"{from_text}('LINESTRING(112.7 38.4, 112.71 38.41)', 4326))"))
        upgrade()
        with engine.connect() as conn:
            row = conn.execute(text(f"SELECT route_code, start_m, end_m, {as_text} FROM roads")).one()
        assert row[:3] == ("G208", 1000, None)
        assert row[3].replace(" ", "").upper().startswith("MULTILINESTRING((112.738.4,112.7138.41))")
        downgrade(revision="5d2e8a71c3f4")
        with engine.connect() as conn:
            assert conn.execute(text(f"SELECT {as_text} FROM roads")).scalar().replace(" ", "").upper() \
                == "LINESTRING(112.738.4,112.7138.41)"
    engine.dispose()


def test_a_ledger_with_people_and_notes_upgrades_to_event_notices(backend, make_database, tmp_path):
    """The notices migration adds columns to users without rebuilding that table: on SQLite a rebuild
    with foreign keys on fails at dropping a users table other rows point at. Old digests become links."""
    from sqlalchemy import text

    app = build_app(make_database(backend), tmp_path)
    engine = hazards_db.state(app).engine
    with app.app_context():
        upgrade(revision="5a2ef26478cf")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO jurisdictions (code, name, level, active)"
                              " VALUES ('140000', '山西省', 'province', true)"))
            conn.execute(text("INSERT INTO users (id, login, name, password_hash, role, jurisdiction_code, language,"
                              " active, created_at, session_version) VALUES (1, 'u', 'u', 'x', 'inspector', '140000',"
                              " 'zh', true, CURRENT_TIMESTAMP, 0)"))
            conn.execute(text("INSERT INTO deliveries (id, user_id, channel, state, payload, attempts, created_at)"
                              " VALUES (1, 1, 'inbox', 'sent', '{}', 1, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO notifications (user_id, title, body, created_at, delivery_id)"
                              " VALUES (1, 't', 'b', CURRENT_TIMESTAMP, 1)"))
        upgrade(revision="c41d7e2a9b10")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT login, notify_by_email, notify_by_webhook FROM users")).one() \
                == ("u", False, False)
            assert conn.execute(text("SELECT user_id, kind FROM notifications")).one() == (1, "reminder")
    engine.dispose()


def test_the_text_search_index_comes_and_goes_with_its_migration(backend, make_database, tmp_path):
    """Hazards already in the ledger are found through the index the migration builds; after a downgrade
    the ledger takes new hazards without it, and upgrading again indexes them too."""
    from sqlalchemy import select

    from hazards.models import Hazard
    from hazards.queries import text_search
    from hazards.services.reference import ReferenceData, ensure_reference_data
    from hazards.services.registration import register_hazards
    from tests.factories import draft

    app = build_app(make_database(backend), tmp_path)
    engine = hazards_db.state(app).engine

    def register(title: str) -> None:
        session = hazards_db.get_session()
        ensure_reference_data(session)
        register_hazards(session, [draft(title=title)], ref=ReferenceData(session))
        session.commit()

    def found(text: str) -> list[str]:
        session = hazards_db.get_session()
        titles = sorted(session.scalars(select(Hazard.title).where(text_search.matching(text))))
        session.rollback()  # no transaction left open across the migrations that follow
        return titles

    with app.app_context():
        upgrade(revision="c41d7e2a9b10")
        register("G208线K1052+300处急弯视距不良")
        upgrade()
        assert found("急弯视距") == ["G208线K1052+300处急弯视距不良"]
        downgrade(revision="c41d7e2a9b10")
        assert "hazards_search" not in set(inspect(engine).get_table_names())
        register("S317线平交路口视距不良")
        upgrade()
        assert found("视距不良") == ["G208线K1052+300处急弯视距不良", "S317线平交路口视距不良"]
        assert found("平交路口") == ["S317线平交路口视距不良"]
    engine.dispose()
