"""The SQL statements a piece of work sends, for tests that a page or a call does not ask the database
once per row (or per place, or twice for the same thing)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def recorded(bind):
    """Within the block, every statement sent through `bind` (an engine or connection), in order."""
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(bind, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", seen)
