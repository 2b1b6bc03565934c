"""The API list's page statement, built once for each view of the list and reused for all its pages.

A field app syncing asks for the same list page after page; only the cursor moves. Building the
statement (the permission and filter clauses, the item columns, the keyset condition) and computing
SQLAlchemy's cache key for it took about as long as the database spends on a page of 50, so the
statement is kept, keyed by everything it is made of, with the cursor as bound parameters
(`cursor_day` and `cursor_id`, or `cursor_id` alone when sorted by id). Kept statements carry their
cache key, so running one again only binds the cursor.

What the statement is made of: the backend, today (the overdue filter and the items' `overdue`), the
link prefixes, the sort, whether there is a cursor, the page size, the caller's visibility
(`permissions.visibility_key`) and every filter's value. A text search is never kept: which plan it
takes depends on what the index proposes at that moment (`text_search.matching`).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from sqlalchemy import Select, String, bindparam, tuple_, type_coerce

from hazards import permissions
from hazards.models import Hazard
from hazards.queries import hazard_json
from hazards.queries.hazard_list import HazardFilters, filtered

#: Distinct views of the list kept per process; past this the whole store is dropped and refilled.
KEPT = 256
_KEPT: dict[tuple, Select] = {}


def page_statement(user, filters: HazardFilters, *, sort: str, after_cursor: bool, limit: int, today: date,
                   dialect, links: hazard_json.LinkPrefixes) -> Select:
    """One page of the list for `user` (limit + 1 rows, so the caller sees whether more follow), each
    row the item's JSON (`hazard_json.as_items`) with its key (`found_on` as text, `id`). Sorted by
    `sort` ("found": newest found first; "id"); after a cursor, bind `cursor_day` (a date) and
    `cursor_id`, or only `cursor_id` for "id"."""
    if filters.text:
        return _built(user, filters, sort, after_cursor, limit, today, dialect, links)
    key = (dialect.name, today, links, sort, after_cursor, limit, permissions.visibility_key(user),
           _filters_key(filters))
    stmt = _KEPT.get(key)
    if stmt is None:
        stmt = _built(user, filters, sort, after_cursor, limit, today, dialect, links)
        if len(_KEPT) >= KEPT:
            _KEPT.clear()
        _KEPT[key] = stmt
    return stmt


def _filters_key(filters: HazardFilters) -> tuple:
    """Every field's value (lists as tuples), so a filter added later is part of the key by itself."""
    values = (getattr(filters, f.name) for f in fields(filters))
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)


def _built(user, filters, sort, after_cursor, limit, today, dialect, links) -> Select:
    stmt = filtered(user, filters, today)
    cursor_id = bindparam("cursor_id", type_=Hazard.id.type)
    if sort == "found":
        stmt = stmt.order_by(Hazard.found_on.desc(), Hazard.id.desc())
        if after_cursor:
            # A row-value comparison: both databases walk the (found_on, id) index from the cursor on
            # (an OR of the two conditions made SpatiaLite scan).
            cursor_day = bindparam("cursor_day", type_=Hazard.found_on.type)
            stmt = stmt.where(tuple_(Hazard.found_on, Hazard.id) < tuple_(cursor_day, cursor_id))
    else:
        stmt = stmt.order_by(Hazard.id.asc())
        if after_cursor:
            stmt = stmt.where(Hazard.id > cursor_id)
    # The cursor's key as the database holds it (its text on SpatiaLite): no date parsed for each row.
    keys = (type_coerce(Hazard.found_on, String).label("found_on"), Hazard.id)
    return hazard_json.as_items(stmt.limit(limit + 1), dialect, today, links, *keys)
