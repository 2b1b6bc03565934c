"""The database as a Flask extension: one engine per app, one session per app context.

Services take the session as their first argument and only `flush()`; whoever called them
(a view, a CLI command, a job) owns the commit.

Which transactions may write, on SQLite (see `sqlite_begin_mode`): a request with a reading method
(GET, HEAD, OPTIONS) reads, and its transactions take no lock; everything else (POST, PUT, PATCH,
DELETE, jobs, the CLI) may write and takes the write lock when it begins. Code that knows better
says so with `reading(session)` (a write flow's long read-only part, such as an import's checks)
or `writing(session)` (a reading request's one write, such as a token's last use).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from geo.engine import create_spatial_engine

EXTENSION_KEY = "hazards.db"


@dataclass
class DatabaseState:
    engine: Engine
    session_factory: sessionmaker


def init_app(app: Flask) -> None:
    engine = create_spatial_engine(app.config["DATABASE_URL"], sqlite_begin=sqlite_begin_mode)
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


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_declared_mode: ContextVar[str | None] = ContextVar("hazards_db_declared_mode", default=None)


def sqlite_begin_mode() -> str:
    """How a SQLite transaction begins: DEFERRED for reads, IMMEDIATE for anything that may write.

    The rule is the HTTP method's promise: GET, HEAD and OPTIONS change nothing, so their
    transactions begin DEFERRED and read a WAL snapshot without waiting for a writer, however long
    an import holds the write lock. POST, PUT, PATCH and DELETE, and everything outside a request
    (jobs, the CLI), begin IMMEDIATE: a transaction that reads and then writes must hold the write
    lock from its first read, or a concurrent commit makes its write fail at once with "database
    is locked" instead of waiting (busy_timeout cannot help a stale snapshot). A block declared with
    `reading` or `writing` overrides the rule. PostgreSQL never asks.
    """
    declared = _declared_mode.get()
    if declared is not None:
        return declared
    if has_request_context() and request.method in READING_METHODS:
        return "DEFERRED"
    return "IMMEDIATE"


@contextmanager
def reading(session: Session) -> Iterator[None]:
    """The block only reads: its queries run in a transaction of their own that takes no write lock
    on SQLite, ended when the block ends (the next one begins as the request's rule says).

    Whatever the session's open transaction holds is committed first, so call it before any change.
    """
    with _declared(session, "DEFERRED"):
        yield


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """The block writes although the request reads (a GET noting a token's last use): its queries run
    in a transaction of their own that begins with the write lock on SQLite. The block commits."""
    with _declared(session, "IMMEDIATE"):
        yield


@contextmanager
def _declared(session: Session, mode: str) -> Iterator[None]:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a declared read or write block must not start with unflushed changes")
    session.commit()  # ends the open transaction, begun under another rule
    token = _declared_mode.set(mode)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _declared_mode.reset(token)


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
