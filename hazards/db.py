"""The database as a Flask extension: one engine per app, one session per app context.

Services take the session as their first argument and only `flush()`; whoever called them
(a view, a CLI command, a job) owns the commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from geo.engine import create_spatial_engine

EXTENSION_KEY = "hazards.db"


@dataclass
class DatabaseState:
    engine: Engine
    session_factory: sessionmaker


def init_app(app: Flask) -> None:
    engine = create_spatial_engine(app.config["DATABASE_URL"])
    app.extensions[EXTENSION_KEY] = DatabaseState(engine, sessionmaker(engine, expire_on_commit=False))
    app.teardown_appcontext(_close_session)


def state(app: Flask | None = None) -> DatabaseState:
    return (app or current_app).extensions[EXTENSION_KEY]


def get_engine() -> Engine:
    return state().engine


def get_session() -> Session:
    """The session of the current app context, opened on first use."""
    if "db_session" not in g:
        g.db_session = state().session_factory()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def insert_ignoring_duplicates(session: Session, table):
    """INSERT that skips rows whose unique key is taken, on either backend (ON CONFLICT DO NOTHING)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def insert_replacing_duplicates(session: Session, table, key: list[str]):
    """INSERT whose rows replace those with the same `key` columns, on either backend (ON CONFLICT DO UPDATE):
    two writers of the same rows at once both succeed, the later one's values kept."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    replaced = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in key and not c.primary_key}
    return statement.on_conflict_do_update(index_elements=key, set_=replaced)
