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

    if obj_type == "table" and reflected and compare_to is None:
        return False  # the spatial backends' own tables
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(backend, make_database, tmp_path):
    app = build_app(make_database(backend), tmp_path)
    engine = hazards_db.state(app).engine
    with app.app_context():
        upgrade()
        assert _schema_differences(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert {"hazards", "jurisdictions", "funding_entries", "status_changes", "attachments"} <= tables
        downgrade(revision="base")
        assert "hazards" not in set(inspect(engine).get_table_names())
        upgrade()
        assert "hazards" in set(inspect(engine).get_table_names())
    engine.dispose()
