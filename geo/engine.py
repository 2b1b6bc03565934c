"""Engine setup for both spatial backends: SpatiaLite (embedded default) and PostGIS.

The pyenv CPython on the target machines is built without SQLite extension loading, so the
SpatiaLite backend runs on the `pysqlite3` driver, which can load `mod_spatialite`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url

SPATIALITE_MODULE = "mod_spatialite"


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


SQLITE_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE"})


def always_immediate() -> str:
    return "IMMEDIATE"


def create_spatial_engine(url: str | URL, *, sqlite_begin: Callable[[], str] = always_immediate,
                          **kwargs) -> Engine:
    """Create an engine whose connections can run spatial SQL, whatever the backend.

    A failed statement's parameters are kept out of exception messages and logs (`hide_parameters`):
    they may be a password hash, a token hash or a person's phone number.

    On SQLite, `sqlite_begin` is asked at each transaction's start how to begin it (see
    `_begin_sqlite_transaction`): "IMMEDIATE" for work that may write (the default), "DEFERRED"
    for work that only reads.
    """
    url = make_url(url)
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        # psycopg prepares a statement server-side after five runs, and PostgreSQL may then switch to a
        # generic plan that ignores the values: the map's cluster query went from 0.1 s to 0.46 s that
        # way, because the box in view decides the best plan. Plan each statement with its values.
        kwargs.setdefault("connect_args", {}).setdefault("prepare_threshold", None)
        # A database host that does not answer at all (not even to refuse) must fail a request within
        # seconds, so it can say "unavailable", rather than after the system's two-minute TCP timeout.
        kwargs["connect_args"].setdefault("connect_timeout", 10)
        # No JIT compilation: PostgreSQL compiles a statement whose estimated cost passes a threshold,
        # and for this application's statements (pages, counts, a province's windows) compiling costs
        # more than it saves: about 1 s on the list page's crash-effect count once statistics made it
        # look costly (670–880 ms a page against 116 ms), 0.3–0.4 s on crash identification.
        kwargs["connect_args"].setdefault("options", "-c jit=off")
        return create_engine(url, **kwargs)

    import pysqlite3.dbapi2 as sqlite_driver

    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url.set(drivername="sqlite+pysqlite"), module=sqlite_driver, **kwargs)
    event.listen(engine, "connect", _prepare_spatialite_connection)
    event.listen(engine, "begin", lambda conn: _begin_sqlite_transaction(conn, sqlite_begin()))
    return engine


def _prepare_spatialite_connection(dbapi_conn, _record) -> None:
    # The driver's own implicit transactions break SAVEPOINT and DDL ordering; SQLAlchemy
    # documents turning them off and emitting BEGIN ourselves (see _begin_sqlite_transaction).
    dbapi_conn.isolation_level = None
    dbapi_conn.enable_load_extension(True)
    dbapi_conn.load_extension(SPATIALITE_MODULE)
    dbapi_conn.enable_load_extension(False)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("SELECT count(*) FROM sqlite_master WHERE name = 'spatial_ref_sys'")
    if cur.fetchone()[0] == 0:
        # 1 = in one transaction: seconds instead of minutes for the EPSG table.
        cur.execute("SELECT InitSpatialMetadata(1)")
    cur.close()


def _begin_sqlite_transaction(conn, mode: str) -> None:
    """BEGIN IMMEDIATE for a transaction that may write, BEGIN DEFERRED for one that only reads.

    In WAL mode readers and the one writer do not block each other, but only if the readers take
    no lock: a DEFERRED transaction reads a snapshot and never waits for the writer. One that may
    write must begin IMMEDIATE: it takes the write lock up front, so busy_timeout does the waiting.
    A deferred transaction that reads and then writes fails at once with "database is locked"
    whenever another connection wrote meanwhile (its snapshot is stale, and SQLite cannot wait
    there without risking deadlock), so DEFERRED is only for work known to read.
    """
    if mode not in SQLITE_BEGIN_MODES:
        raise ValueError(f"unknown SQLite transaction mode {mode!r}")
    conn.exec_driver_sql(f"BEGIN {mode}")


def prepare_database(engine: Engine) -> None:
    """Make an empty database able to hold spatial tables (PostGIS extension, SpatiaLite metadata)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    else:
        with engine.connect():
            pass  # the connect hook has initialised the SpatiaLite metadata


def refresh_statistics(conn) -> None:
    """Update the query planner's statistics after the ledger has changed a lot.

    PostgreSQL's autovacuum keeps its own; SQLite has none until ANALYZE runs, and without them it
    answers "newest 50 of the city" by sorting every row of the city instead of walking the index
    on (found_on, id): about 100 times slower at 100,000 hazards. A full ANALYZE (with the STAT4
    samples that let SQLite estimate a code range) takes about 0.2 s at 100,000 hazards; a sampled
    one (`analysis_limit`) skips those samples and the planner keeps sorting.
    """
    conn.exec_driver_sql("ANALYZE")


def mark_all_visible(bind, *tables: str) -> None:
    """VACUUM (ANALYZE) these tables on PostgreSQL, in a connection of its own (VACUUM runs outside any
    transaction); nothing on SQLite, whose indexes need no visibility map.

    An index-only scan (crash identification walks the crashes' road-and-stake index instead of
    sorting a province's crashes) reads the table for every row on a page not yet marked all-visible,
    and the planner, seeing many such pages, sorts instead: 2.2 s against 0.9 s at a million crashes.
    Autovacuum marks pages after enough inserts; a large import and the nightly housekeeping call
    this so the next identification does not wait for it. Cheap when nothing changed: VACUUM skips
    pages already marked. SKIP_LOCKED: a table another transaction holds (a running ANALYZE, say) is
    left to autovacuum rather than waited for."""
    if bind.dialect.name != "postgresql":
        return
    engine = getattr(bind, "engine", bind)  # a session bound to a connection (tests) gives the connection
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.exec_driver_sql(f'VACUUM (ANALYZE, SKIP_LOCKED) "{table}"')
