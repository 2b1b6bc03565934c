"""The API list's pages: statements built once for each view of the list and reused for all its pages.

A field app syncing asks for the same list page after page; only the cursor moves. Building the
statement (the permission and filter clauses, the item columns, the keyset condition) and computing
SQLAlchemy's cache key for it took about as long as the database spends on a page of 50, so the
statement is kept, keyed by everything it is made of, with the cursor as bound parameters
(`cursor_day` and `cursor_id`, or `cursor_id` alone when sorted by id). Kept statements carry their
cache key, so running one again only binds the cursor. Sorted by priority the statement is not kept
(`_priority_page`).

What the statement is made of: the backend, today (the overdue filter and the items' `overdue`), the
link prefixes, the sort, whether there is a cursor, the page size, the caller's visibility
(`permissions.visibility_key`) and every filter's value. A text search is never kept: which plan it
takes depends on what the index proposes at that moment (`text_search.matching`).

On SpatiaLite a page is read in two statements, in the request's one read transaction (one snapshot):
the page's ids, then their items. SQLite plans a statement again whenever a bound value may change its
plan (the division range, the cursor), and planning the items' hundred-odd terms cost a third of what
the database spends on a page; the items' statement takes only the list of ids and keeps its plan.
PostgreSQL plans every statement anyway (`geo.engine`: no server-side prepared statements), so there
the page is one statement. A hazard always has its division (a foreign key), so the ids' statement
needs no join to it.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date

from sqlalchemy import Integer, Select, String, bindparam, func, literal_column, select, tuple_, type_coerce
from sqlalchemy.engine import Connection, Row

from hazards import permissions
from hazards.models import Hazard, HazardPriority
from hazards.queries import hazard_json, priority
from hazards.queries.hazard_list import HazardFilters, filtered

#: Distinct views of the list kept per process; past this the whole store is dropped and refilled.
KEPT = 256
_KEPT: dict[tuple, Select] = {}
_ORDER = {"found": (Hazard.found_on.desc(), Hazard.id.desc()), "id": (Hazard.id.asc(),)}


def page_rows(conn: Connection, user, filters: HazardFilters, *, sort: str, cursor: dict, limit: int, today: date,
              links: hazard_json.LinkPrefixes) -> list[Row]:
    """One page of the list for `user`: limit + 1 rows (so the caller sees whether more follow), each the
    item's JSON (`hazard_json.as_items`) with its key (`found_on` as text, `id`). Sorted by `sort`
    ("found": newest found first; "id"); `cursor` is empty on the first page, else the last row's key
    (`cursor_day`, a date, and `cursor_id`; only `cursor_id` for "id")."""
    dialect = conn.dialect
    if sort == "priority":
        # Not kept: the score depends on today and on the weights in force. By the stored ranks while
        # they are today's (each row then carries its `priority_rank`), else every visible hazard is scored.
        stored = priority.stored_ranking_current(conn, today)
        return conn.execute(_priority_page(user, filters, bool(cursor), limit, today, dialect, links, stored),
                            cursor).all()
    split = dialect.name == "sqlite"
    stmt = _kept(("page", split, dialect.name, today, links, sort, bool(cursor), limit), filters, user,
                 lambda: _page(user, filters, sort, bool(cursor), limit, today, dialect, links, split))
    if not split:
        return conn.execute(stmt, cursor).all()
    ids = conn.execute(stmt, cursor).scalars().all()
    if not ids:
        return []
    items = _kept(("items", dialect.name, today, links, sort), None, None, lambda: _items(sort, today, dialect, links))
    return conn.execute(items, {"ids": json.dumps(ids)}).all()


def _kept(key: tuple, filters: HazardFilters | None, user, build) -> Select:
    if filters is not None:
        if filters.text:
            return build()
        key += (permissions.visibility_key(user), _filters_key(filters))
    stmt = _KEPT.get(key)
    if stmt is None:
        stmt = build()
        if len(_KEPT) >= KEPT:
            _KEPT.clear()
        _KEPT[key] = stmt
    return stmt


def _filters_key(filters: HazardFilters) -> tuple:
    """Every field's value (lists as tuples), so a filter added later is part of the key by itself."""
    values = (getattr(filters, f.name) for f in fields(filters))
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)


def _page(user, filters, sort, after_cursor, limit, today, dialect, links, ids_only: bool) -> Select:
    stmt = filtered(user, filters, today).order_by(*_ORDER[sort])
    if after_cursor:
        cursor_id = bindparam("cursor_id", type_=Hazard.id.type)
        if sort == "found":
            # A row-value comparison: both databases walk the (found_on, id) index from the cursor on
            # (an OR of the two conditions made SpatiaLite scan).
            cursor_day = bindparam("cursor_day", type_=Hazard.found_on.type)
            stmt = stmt.where(tuple_(Hazard.found_on, Hazard.id) < tuple_(cursor_day, cursor_id))
        else:
            stmt = stmt.where(Hazard.id > cursor_id)
    stmt = stmt.limit(limit + 1)
    if ids_only:
        return stmt.with_only_columns(Hazard.id)
    return hazard_json.as_items(stmt, dialect, today, links, *_keys())


def _priority_page(user, filters, after_cursor, limit, today, dialect, links, stored: bool) -> Select:
    """Highest priority first, closed hazards last (rank 0), then the newest; the cursor is
    (`cursor_rank`, `cursor_id`). `stored`: by the stored ranks (their index walked from the cursor),
    each row carrying its `priority_rank`; else the caller orders the rows by the score it computes
    from their facts (the same, as long as the ranks are today's)."""
    stmt = filtered(user, filters, today)
    ids = stmt.with_only_columns(Hazard.id)
    if stored:
        rank, key_id = HazardPriority.rank, HazardPriority.hazard_id
        keyed = priority.with_stored_rank(ids).order_by(*priority.STORED_ORDER)
    else:
        rank, key_id = priority.rank(priority.current_weights(), today), Hazard.id
        keyed = priority.with_history(ids).order_by(rank.desc(), Hazard.id.desc())
    if after_cursor:
        keyed = keyed.where(tuple_(rank, key_id) < tuple_(bindparam("cursor_rank", type_=Integer),
                                                           bindparam("cursor_id", type_=Hazard.id.type)))
    page = stmt.where(Hazard.id.in_(keyed.limit(limit + 1)))
    extra = ()
    if stored:
        extra = (select(HazardPriority.rank).where(HazardPriority.hazard_id == Hazard.id)
                 .scalar_subquery().label("priority_rank"),)
    return hazard_json.as_items(page, dialect, today, links, *_keys(), *extra)


def _items(sort, today, dialect, links) -> Select:
    """The items of the ids bound as `ids` (a JSON array), in the list's order (SQLite)."""
    ids = select(literal_column("value")).select_from(func.json_each(bindparam("ids", type_=String)))
    stmt = select(Hazard).where(Hazard.id.in_(ids)).order_by(*_ORDER[sort])
    return hazard_json.as_items(stmt, dialect, today, links, *_keys())


def _keys():
    # The cursor's key as the database holds it (its text on SpatiaLite): no date parsed for each row;
    # and the facts each item's priority is computed from (queries.priority.fact_columns).
    return type_coerce(Hazard.found_on, String).label("found_on"), Hazard.id, *priority.fact_columns()
