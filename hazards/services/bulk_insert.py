"""Inserting many rows at the database's own bulk rate, inside the caller's transaction.

PostgreSQL: `COPY … FROM STDIN` (psycopg 3), the ids of a table's new rows taken from its own sequence
in one statement beforehand. SpatiaLite: one prepared statement run over plain tuples (`executemany`
of the DBAPI cursor), no ORM or SQL expression work per row. Values go through the columns' own bind
processing (enums as their values, money as the backend stores it, dates as SQLite's text), and a
geometry arrives as EWKT, read by the same database function as a Core insert binds it with; so a
row lands exactly as `session.execute(insert(table), rows)` would write it. On SpatiaLite the R*Tree of
a geometry column is filled in one statement after the rows instead of by its per-row trigger (about
a third less time for the hazards rows, measured at 10,000 rows); its entries are the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Table, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


class BulkInserter:
    """Insert rows (dicts keyed by column name) into tables on the session's connection."""

    def __init__(self, session: Session):
        self.session = session
        self.dialect = session.get_bind().dialect
        self.postgres = self.dialect.name == "postgresql"
        self._processors: dict[tuple[str, tuple[str, ...]], list] = {}
        self._pipeline = None  # PostgreSQL: statements sent and not yet waited for (`send`)
        self._waits_before = None  # the connection whose other statements wait for them first

    @property
    def _dbapi(self):
        # The connection of the session's transaction: what is written here commits or rolls back with it.
        return self.session.connection().connection.driver_connection

    @contextmanager
    def large_cache(self, kib: int = 128 * 1024) -> Iterator[None]:
        """SpatiaLite: a page cache large enough for a bulk write's indexes, for the duration of the block
        (with the default 2 MiB a 100k-row insert spills and re-reads index pages: 32 s against 24 s for
        the write phase at 100k rows, in one measurement under load)."""
        if self.postgres:
            yield
            return
        cur = self._dbapi.cursor()
        try:
            (before,) = cur.execute("PRAGMA cache_size").fetchone()
            cur.execute(f"PRAGMA cache_size = {-int(kib)}")
            yield
        finally:
            cur.execute(f"PRAGMA cache_size = {int(before)}")
            cur.close()

    def new_ids(self, table: Table, count: int) -> list[int]:
        """`count` fresh ids from the table's id sequence (PostgreSQL), ascending: the ids an INSERT of
        that many rows would have been given, taken at once so the rows can be copied with them."""
        with self._dbapi.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                        (table.name, count))
            return sorted(i for (i,) in cur.fetchall())

    def send(self, statements: list[tuple[str, dict | None]]) -> None:
        """PostgreSQL: send statements (SQL with psycopg's parameters) to run in order on the server without
        waiting for them (psycopg's pipeline mode), so the caller's Python goes on meanwhile; `wait` ends
        them, raising the first failure. Until `close`, any other statement the session runs waits first."""
        self.wait()
        if self._waits_before is None:
            self._waits_before = self.session.connection()
            event.listen(self._waits_before, "before_cursor_execute", self._wait_before)
        self._pipeline = self._dbapi.pipeline()
        self._pipeline.__enter__()
        driver_error = self.dialect.loaded_dbapi.Error
        try:
            with self._dbapi.cursor() as cur:
                for sql, params in statements:
                    cur.execute(sql, params)  # sent at once; the server runs each as it arrives
        except BaseException as exc:
            self.wait(failed=True)
            if isinstance(exc, driver_error):  # an earlier statement's failure, already come back
                raise DBAPIError.instance("pipelined import statements", None, exc, driver_error) from exc
            raise

    def wait(self, *, failed: bool = False) -> None:
        """Wait for the statements `send` sent; the first failure is raised as SQLAlchemy raises it (an
        IntegrityError for a clashing code). `failed`: the caller is already failing, so only end them."""
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is None:
            return
        driver_error = self.dialect.loaded_dbapi.Error
        if failed:
            try:
                pipeline.__exit__(RuntimeError, RuntimeError("abandoned"), None)
            except driver_error:
                pass
            return
        try:
            pipeline.__exit__(None, None, None)
        except driver_error as exc:
            raise DBAPIError.instance("pipelined import statements", None, exc, driver_error) from exc

    def close(self, *, failed: bool = False) -> None:
        """Wait for what `send` sent (see `wait`), and let the session's statements run unwatched again."""
        try:
            self.wait(failed=failed)
        finally:
            if self._waits_before is not None:
                event.remove(self._waits_before, "before_cursor_execute", self._wait_before)
                self._waits_before = None

    def _wait_before(self, *_args) -> None:
        self.wait()

    def insert(self, table: Table, columns: Sequence[str], rows: Sequence[dict], *, geometry: str | None = None,
               into: str | None = None) -> None:
        """Insert `rows` (each with every name in `columns`); `geometry` names the column holding EWKT.
        `into` names another table shaped like `table` (a staging table) to write them to instead; its
        columns not in `table` take their values as they are."""
        if rows:
            self.insert_tuples(table, columns, self.tuples(table, columns, rows), geometry=geometry, into=into)

    def tuples(self, table: Table, columns: Sequence[str], rows: Sequence[dict]) -> list[tuple]:
        """`rows` as `insert_tuples` takes them: each column's values through its bind processing."""
        processors = self._bind_processors(table, tuple(columns))
        # Column by column: one comprehension per column is far cheaper than one generator per row.
        values = []
        for name, process in zip(columns, processors):
            column = [row[name] for row in rows]
            values.append(column if process is None else [None if v is None else process(v) for v in column])
        return list(zip(*values))

    def insert_tuples(self, table: Table, columns: Sequence[str], tuples: list[tuple], *,
                      geometry: str | None = None, into: str | None = None) -> None:
        """Insert values already in the database's form (into the table named `into`, if given)."""
        name = into or table.name
        names = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            statement = f'COPY "{name}" ({names}) FROM STDIN'
        else:
            marks = ", ".join("GeomFromEWKT(?)" if c == geometry else "?" for c in columns)
            statement = f'INSERT INTO "{name}" ({names}) VALUES ({marks})'
        driver_error = self.dialect.loaded_dbapi.Error
        try:
            if self.postgres:
                # COPY's text input of a geometry column takes EWKT, read by the same parser as ST_GeomFromEWKT.
                with self._dbapi.cursor() as cur, cur.copy(statement) as copy:
                    for values in tuples:
                        copy.write_row(values)
            else:
                cur = self._dbapi.cursor()
                try:
                    with indexes_filled_after(cur, name, geometry):
                        cur.executemany(statement, tuples)
                finally:
                    cur.close()
        except driver_error as exc:  # as SQLAlchemy raises it (an IntegrityError for a clashing code)
            raise DBAPIError.instance(statement, None, exc, driver_error) from exc

    def _bind_processors(self, table: Table, columns: tuple[str, ...]) -> list:
        key = (table.name, columns)
        if key not in self._processors:
            self._processors[key] = [
                None if name not in table.c or table.c[name].type.__class__.__name__ == "Geometry"
                else table.c[name].type._cached_bind_processor(self.dialect)  # what a Core insert applies
                for name in columns
            ]
        return self._processors[key]


@contextmanager
def indexes_filled_after(cur, table: str, geometry: str | None) -> Iterator[None]:
    """SpatiaLite: the indexes a table's per-row triggers keep (the geometry column's R*Tree and its
    last-insert time; the hazards' full-text table) filled in one statement each after the rows: the
    triggers are set aside for the insert and put back as they were, inside the same transaction
    (SQLite's DDL is transactional: a failure restores them). The entries are those the triggers
    would have made; measured at 100,000 hazards, the full-text table alone saves a quarter of the
    hazards rows' insert."""
    from hazards.queries.text_search import FTS_TABLE, SEARCHED

    spatial = (f"gii_{table}_{geometry}", f"tmi_{table}_{geometry}") if geometry else ()
    search = f"{FTS_TABLE}_insert" if table == "hazards" else None
    names = [*spatial, *([search] if search else [])]
    if not names:
        yield
        return
    cur.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                f"AND name IN ({', '.join('?' * len(names))})", (table, *names))
    triggers = dict(cur.fetchall())
    if spatial and spatial[0] not in triggers:  # no spatial index on this column
        spatial = ()
    if not triggers:
        yield
        return
    cur.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table}"')
    (last_rowid,) = cur.fetchone()
    for name in triggers:
        cur.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
        if spatial:
            cur.execute(f'INSERT INTO "idx_{table}_{geometry}" (pkid, xmin, xmax, ymin, ymax) '
                        f'SELECT rowid, MbrMinX("{geometry}"), MbrMaxX("{geometry}"), MbrMinY("{geometry}"), '
                        f'MbrMaxY("{geometry}") FROM "{table}" WHERE rowid > ? AND "{geometry}" IS NOT NULL',
                        (last_rowid,))
        if spatial and spatial[1] in triggers:
            cur.execute("UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                        "WHERE lower(f_table_name) = lower(?) AND lower(f_geometry_column) = lower(?)",
                        (table, geometry))
        if search in triggers:  # as its trigger writes it: rowid = hazards.id (the rowid itself)
            columns = ", ".join(SEARCHED)
            cur.execute(f"INSERT INTO {FTS_TABLE} (rowid, {columns}) SELECT rowid, {columns} FROM \"{table}\" "
                        f"WHERE rowid > ?", (last_rowid,))
    finally:  # a failed insert leaves no row behind; the caller's rollback ends the transaction
        for sql in triggers.values():
            cur.execute(sql)
