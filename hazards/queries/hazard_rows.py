"""A hazard as one flat row: its own columns, its division's name, its two units, and its category and
measure codes aggregated in SQL, so the API's list and its single GET read everything in one statement
(no ORM objects, no follow-up loads). `hazards.api.representations.hazard_row` writes the row as JSON.
"""

from __future__ import annotations

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from hazards.models import Category, Hazard, Jurisdiction, Measure, Organization, hazard_categories, hazard_measures

#: Between the codes of one hazard's categories (or measures); codes are letters, digits, '-', '_' and '.'.
SEPARATOR = ","

_HAZARD_COLUMNS = tuple(c for c in Hazard.__table__.columns)
_SUPERVISING = aliased(Organization, name="supervising_body")
_RESPONSIBLE = aliased(Organization, name="responsible_unit")


def _codes(term, link, term_key, dialect_name: str):
    """The codes of a hazard's terms in their sort order, joined by SEPARATOR (NULL for none)."""
    where = (link.c.hazard_id == Hazard.id, link.c[term_key] == term.id)
    if dialect_name == "postgresql":
        agg = func.string_agg(term.code, aggregate_order_by(literal_column(f"'{SEPARATOR}'"), term.sort_order, term.id))
        return select(agg).where(*where).scalar_subquery()
    # SQLite keeps the order of the subquery it aggregates (group_concat takes no ORDER BY before 3.44).
    ordered = (select(term.code.label("code")).where(*where).order_by(term.sort_order, term.id)
               .correlate(Hazard).subquery())
    return select(func.group_concat(ordered.c.code, SEPARATOR)).scalar_subquery()


def row_columns(dialect_name: str) -> list:
    return [
        *_HAZARD_COLUMNS,
        Jurisdiction.name.label("jurisdiction_name"),
        _SUPERVISING.name.label("supervising_body_name"),
        _RESPONSIBLE.name.label("responsible_unit_name"),
        _codes(Category, hazard_categories, "category_id", dialect_name).label("category_codes"),
        _codes(Measure, hazard_measures, "measure_id", dialect_name).label("measure_codes"),
    ]


def as_rows(stmt: Select, dialect_name: str) -> Select:
    """`stmt` (a select of Hazard with its WHERE, ORDER BY and LIMIT) reading flat rows instead of entities."""
    return (
        stmt.with_only_columns(*row_columns(dialect_name), maintain_column_froms=False)
        .select_from(Hazard)
        .join(Jurisdiction, Jurisdiction.code == Hazard.jurisdiction_code)
        .outerjoin(_SUPERVISING, _SUPERVISING.id == Hazard.supervising_body_id)
        .outerjoin(_RESPONSIBLE, _RESPONSIBLE.id == Hazard.responsible_unit_id)
    )


def by_id(hazard_id: int, dialect_name: str) -> Select:
    return as_rows(select(Hazard).where(Hazard.id == hazard_id), dialect_name)


def codes(text: str | None) -> list[str]:
    return text.split(SEPARATOR) if text else []
