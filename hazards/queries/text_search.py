"""The hazard list's text search (`q`): the code, title or road name containing the text, through an index.

What matches is, and stays, exactly the plain `LIKE '%text%'` on those three columns: case-insensitive
for ASCII letters on SpatiaLite (SQLite's LIKE), case-sensitive on PostgreSQL (its LIKE); `%` and `_`
typed in the text are LIKE's wildcards, as they always were. Only how the rows are found changes:

- SpatiaLite: the FTS5 table `hazards_search` (trigram tokenizer, external content over `hazards`, kept
  in step by triggers; migration e5a1c9d3b7f2) proposes the rows holding every run of three or more
  characters of the text, and the LIKE decides among those few. The trigram index folds case at least as
  widely as LIKE does, so it never leaves out a row LIKE would keep. When it proposes more than BROAD
  rows, the plain scan is quicker (the list's first page of so common a text fills at once) and is used. A text with no run of three
  characters between wildcards (one or two characters, "G_8") cannot use trigrams: it is the plain
  LIKE scan, as before.
- PostgreSQL: pg_trgm GIN indexes on the three columns (same migration) serve the LIKE themselves.
"""

from __future__ import annotations

import re

from sqlalchemy import Boolean, and_, or_
from sqlalchemy import text as text_clause
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from hazards.models import Hazard

#: The FTS5 table on SpatiaLite, and its columns (the hazards columns it copies).
FTS_TABLE = "hazards_search"
SEARCHED = ("code", "title", "road_name")
#: The pg_trgm GIN indexes on PostgreSQL, one per searched column.
TRIGRAM_INDEXES = tuple(f"ix_hazards_{column}_trgm" for column in SEARCHED)

_WILDCARDS = re.compile(r"[%_]")


#: When the index proposes more rows than this, reading each of them and ordering them all costs more
#: than the scan (whose page, in the list's order, fills at once with rows this common): the plain LIKE.
BROAD = 10_000


def matching(text: str) -> ColumnElement[bool]:
    """The hazards whose code, title or road name contain `text` (already stripped)."""
    like = f"%{text}%"
    scan = or_(Hazard.code.like(like), Hazard.title.like(like), Hazard.road_name.like(like))
    phrase = fts_phrase(text)
    if phrase is None or _broad_on_sqlite(phrase):
        return scan
    return and_(_IndexedCandidates(Hazard.id, phrase), scan)


def _broad_on_sqlite(phrase: str) -> bool:
    """Whether the FTS5 index proposes more than BROAD rows (it stops counting there: about a
    millisecond). Either way the rows found are the same; only the plan differs."""
    from flask import has_app_context

    if not has_app_context():
        return False
    from hazards.db import get_session

    session = get_session()
    if session.get_bind().dialect.name != "sqlite":
        return False
    proposed = session.execute(
        text_clause(f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :phrase "
                    f"LIMIT {BROAD + 1})"), {"phrase": phrase}).scalar()
    return proposed > BROAD


def fts_phrase(text: str) -> str | None:
    """The FTS5 query for the runs of three or more characters between LIKE's wildcards, each a quoted
    string (taken literally: AND, OR, NEAR, * and quotes are text), all required; None when there is
    none, and the search is the plain scan."""
    runs = [run for run in _WILDCARDS.split(text) if len(run) >= 3]
    if not runs:
        return None
    return " ".join('"' + run.replace('"', '""') + '"' for run in runs)


class _IndexedCandidates(FunctionElement):
    """`hazards.id IN (rows of the trigram index matching the phrase)` on SQLite; on other databases
    nothing to add (their LIKE has its own index), written as a condition that is always true."""

    type = Boolean()
    inherit_cache = True
    name = "indexed_candidates"
    # A condition in itself: no "= 1" after it on SQLite, which would hide the rowid lookup from the planner.
    _is_implicitly_boolean = True


@compiles(_IndexedCandidates)
def _always(element, compiler, **kw) -> str:
    return "1 = 1"


@compiles(_IndexedCandidates, "sqlite")
def _fts5(element, compiler, **kw) -> str:
    id_column, phrase = list(element.clauses)
    return (f"{compiler.process(id_column, **kw)} IN "
            f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {compiler.process(phrase, **kw)})")
