"""Alembic environment: one history for PostGIS and SpatiaLite.

GeoAlchemy2's helpers turn spatial columns and indexes into what each backend needs (AddGeometryColumn
and an R*Tree on SpatiaLite, a GiST index on PostGIS); batch mode lets ALTERs run on SQLite.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

from geo.engine import prepare_database
from hazards.db import state
from hazards.models import Base
from hazards.models.types import Money

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def include_object(obj, name, obj_type, reflected, compare_to):
    # PostGIS and SpatiaLite keep their own tables (spatial_ref_sys, topology, geometry_columns...).
    if obj_type == "table" and reflected and compare_to is None:
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def render_item(type_, obj, autogen_context):
    # Money is NUMERIC on PostGIS and whole fen on SQLite: spell that out so migrations never
    # import application code.
    if type_ == "type" and isinstance(obj, Money):
        return "sa.Numeric(precision=16, scale=2).with_variant(sa.BigInteger(), 'sqlite')"
    return alembic_helpers.render_item(type_, obj, autogen_context)


def run_migrations_online() -> None:
    engine = state(current_app).engine
    prepare_database(engine)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            include_object=include_object,
            process_revision_directives=alembic_helpers.writer,
            render_item=render_item,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported: run `hazards db upgrade` against a database")
run_migrations_online()
