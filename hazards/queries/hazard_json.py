"""A hazard as the API shows it, written as JSON by the database: one statement reads a page of the list
(or one hazard) with its division's name, its units, its category and measure codes and its links, each
row already the item's JSON text, so the list only joins the texts and the single GET parses one.

Both the list and the single GET (and what a POST or PATCH answers) come from `item_columns`, so they
cannot drift apart. The fields, in the order `hazards.api.representations.HAZARD_FIELDS` names them:

- enums as their codes, dates as ISO 8601, timestamps (stored as naive UTC) as RFC 3339 with "Z";
- `overdue` judged today as `hazards.queries.completion.overdue` (the tally's and the report's);
- geometry as GeoJSON with every digit the database holds (shortest round-trip text): PostGIS writes it
  (`ST_AsGeoJSON` with 20 decimals is shortest round-trip); SpatiaLite's AsGeoJSON rounds to 15
  significant digits, so there the row carries the WKB and `geo.geometry.wkb_geojson` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, String, bindparam, case, cast, false, func, literal, literal_column, select, true
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from geo.geometry import wkb_geojson
from hazards.models import Category, Hazard, Jurisdiction, Measure, Organization, hazard_categories, hazard_measures
from hazards.queries import completion

_SUPERVISING = aliased(Organization, name="supervising_body")
_RESPONSIBLE = aliased(Organization, name="responsible_unit")

#: The hazard's own columns, in the API's order; how each is written depends on its kind.
PLAIN_FIELDS = (
    "id", "code", "title", "description", "source", "batch_year", "dynamic_add", "found_on", "found_by_id",
    "jurisdiction_code", "route_code", "road_name", "road_class", "direction", "start_m", "end_m", "place",
    "coordinate_input", "crash_prone", "crash_count", "death_count", "risk_grade", "school_zone", "level",
    "document_no", "listed_on", "deadline", "responsible_person", "responsible_contact", "plan_text",
    "measures_text", "temporary_controls", "planned_start", "planned_end", "status", "completed_on",
    "closure_requested_on", "accepted_on", "acceptance_note", "closed_on", "merged_into_id", "created_at",
    "updated_at", "version",
)
_FLAGS = frozenset({"dynamic_add", "crash_prone", "school_zone"})
_TIMESTAMPS = frozenset({"created_at", "updated_at"})
#: Pairs per JSON object call: PostgreSQL takes at most 100 arguments to json_build_object.
_CHUNK = 40


@dataclass(frozen=True)
class LinkPrefixes:
    """What comes before a hazard's id in its `self` (API) and `html` (page) links."""

    api: str
    html: str


class _Sql:
    """The JSON functions of one backend."""

    def __init__(self, dialect_name: str):
        self.pg = dialect_name == "postgresql"

    def obj(self, *pairs):
        return (func.json_build_object if self.pg else func.json_object)(*[a for k, v in pairs for a in (literal(k), v)])

    def flag(self, condition):
        if self.pg:
            return condition
        # SQLite has no boolean: write true/false (NULL stays null).
        return func.json(case((condition == 1, "true"), (condition == 0, "false")))

    def test(self, condition):
        """true or false, never null (a NULL in the condition reads false, as the Python predicate does)."""
        if self.pg:
            return case((condition, true()), else_=false())
        return func.json(case((condition, "true"), else_="false"))

    def timestamp(self, column):
        if self.pg:
            return func.to_char(column, literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"))
        return func.strftime("%Y-%m-%dT%H:%M:%SZ", column)

    def nested(self, value):
        """A JSON value from a subquery or CASE: SQLite would take it for a string without json()."""
        return value if self.pg else func.json(value)

    def codes(self, term, link, term_key):
        where = (link.c.hazard_id == Hazard.id, link.c[term_key] == term.id)
        if self.pg:
            agg = func.json_agg(aggregate_order_by(term.code, term.sort_order, term.id))
            return func.coalesce(select(agg).where(*where).scalar_subquery(), literal_column("'[]'::json"))
        ordered = (select(term.code.label("code")).where(*where).order_by(term.sort_order, term.id)
                   .correlate(Hazard).subquery())
        return func.json(select(func.json_group_array(ordered.c.code)).scalar_subquery())

    def unit(self, unit):
        return self.nested(case((unit.id.is_(None), None), else_=self.obj(("id", unit.id), ("name", unit.name))))

    def text_of(self, objects):
        """Several JSON objects' texts as one object's text (their members in order)."""
        texts = [o.cast(String) if self.pg else o for o in objects]
        if len(texts) == 1:
            return texts[0]
        parts = []
        for i, t in enumerate(texts):
            if self.pg:
                t = func.left(t, -1) if i == 0 else func.right(t, -1) if i == len(texts) - 1 else func.substr(t, 2, func.length(t) - 2)
            else:
                t = func.substr(t, 1, func.length(t) - 1) if i == 0 else func.substr(t, 2) if i == len(texts) - 1 else func.substr(t, 2, func.length(t) - 2)
            parts.append(t)
        out = parts[0]
        for t in parts[1:]:
            out = out.op("||")(literal(",")).op("||")(t)
        return out


def _pairs(sql: _Sql, today: date, links: LinkPrefixes) -> list:
    pairs = []
    for name in PLAIN_FIELDS:
        column = getattr(Hazard, name)
        if name in _FLAGS:
            value = sql.flag(column)
        elif name in _TIMESTAMPS:
            value = sql.timestamp(column)
        else:
            value = column
        pairs.append((name, value))
    api = bindparam("api_prefix", links.api, type_=String)
    html = bindparam("html_prefix", links.html, type_=String)
    id_text = Hazard.id.cast(String)
    pairs += [
        ("jurisdiction_name", Jurisdiction.name),
        ("overdue", sql.test(completion.overdue(today))),
        ("categories", sql.codes(Category, hazard_categories, "category_id")),
        ("measures", sql.codes(Measure, hazard_measures, "measure_id")),
        ("supervising_body", sql.unit(_SUPERVISING)),
        ("responsible_unit", sql.unit(_RESPONSIBLE)),
        ("links", sql.obj(("self", api.op("||")(id_text)), ("html", html.op("||")(id_text)))),
    ]
    if sql.pg:
        pairs.append(("geometry", cast(func.ST_AsGeoJSON(Hazard.geom, 20), JSON)))
    return pairs


def item_columns(dialect, today: date, links: LinkPrefixes) -> list:
    """`item` (the hazard's JSON text) and `wkb` (SpatiaLite: the geometry to add; PostGIS: NULL).

    The expression is large (a hundred-odd terms): building it and computing its cache key took more
    time than the database spends on a page. It is rendered to SQL text once per backend, day and link
    prefixes, and travels as a literal column (whose cache key is that text)."""
    key = (dialect.name, today, links)
    columns = _RENDERED.get(key)
    if columns is None:
        columns = _render(dialect, _item_columns(dialect.name, today, links))
        if len(_RENDERED) >= 16:
            _RENDERED.clear()
        _RENDERED[key] = columns
    return columns


_RENDERED: dict[tuple, list] = {}
_TOP_FROM = "\nFROM hazards JOIN jurisdictions ON "


def _item_columns(dialect_name: str, today: date, links: LinkPrefixes) -> list:
    sql = _Sql(dialect_name)
    pairs = _pairs(sql, today, links)
    item = sql.text_of([sql.obj(*pairs[i:i + _CHUNK]) for i in range(0, len(pairs), _CHUNK)])
    wkb = literal_column("NULL") if sql.pg else func.AsBinary(Hazard.geom)
    return [item.label("item"), wkb.label("wkb")]


def _render(dialect, columns: list) -> list:
    """The columns as literal SQL, rendered inside the FROM they are correlated with."""
    compiled = str(_joined(select(*columns)).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    head, found, _tail = compiled.rpartition(_TOP_FROM)
    texts = head.rstrip().removeprefix("SELECT ").rsplit(" AS item, ", 1) if found else []
    # A '%' would be doubled a second time for drivers with the pyformat paramstyle.
    if len(texts) != 2 or not texts[1].endswith(" AS wkb") or "%" in compiled and dialect.paramstyle != "qmark":
        return columns  # rendered in a shape not foreseen: keep the expression (slower, same result)
    return [literal_column(texts[0]).label("item"), literal_column(texts[1].removesuffix(" AS wkb")).label("wkb")]


def _joined(stmt: Select) -> Select:
    return (
        stmt.select_from(Hazard)
        .join(Jurisdiction, Jurisdiction.code == Hazard.jurisdiction_code)
        .outerjoin(_SUPERVISING, _SUPERVISING.id == Hazard.supervising_body_id)
        .outerjoin(_RESPONSIBLE, _RESPONSIBLE.id == Hazard.responsible_unit_id)
    )


def as_items(stmt: Select, dialect, today: date, links: LinkPrefixes, *keys) -> Select:
    """`stmt` (a select of Hazard with its WHERE, ORDER BY and LIMIT) reading item texts (and `keys`)."""
    return _joined(stmt.with_only_columns(*item_columns(dialect, today, links), *keys, maintain_column_froms=False))


def by_id(hazard_id: int, dialect, today: date, links: LinkPrefixes) -> Select:
    return as_items(select(Hazard).where(Hazard.id == hazard_id), dialect, today, links)


def item_text(row) -> str:
    """A row of `as_items` as the item's JSON text, with its geometry."""
    if row.wkb is None:
        return row.item
    return f'{row.item[:-1]},"geometry":{wkb_geojson(row.wkb)}}}'
