"""Writing new hazards into the ledger (登记建档): one at a time from a form, or thousands from a file.

Both build their rows here, so a hazard gets its code, categories, measures, the money it arrives with
and its first history row the same way whatever brought it in: `register_hazards` writes them with
Core inserts, `BulkRegistration` (a file's import) with the database's bulk path.
"""

from __future__ import annotations

from dataclasses import fields

import sqlalchemy
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from geo.geometry import to_ewkt
from hazards import permissions
from hazards.domain.divisions import is_within, subtree_prefix, unit_divisions
from hazards.domain.drafts import DraftRejected, FieldProblem, HazardDraft, check_draft
from hazards.domain.enums import OrganizationKind
from hazards.domain.errors import N_, Forbidden
from hazards.models import FundingEntry, Hazard, Organization, StatusChange, User, hazard_categories, hazard_measures
from hazards.models.base import utcnow
from hazards.services import notifications
from hazards.services.bulk_insert import BulkInserter
from hazards.services.codes import allocate_codes
from hazards.services.crash_history import refresh_crash_history
from hazards.services.funding import opening_funding_rows, record_opening_funding
from hazards.services.placement import placement_problem
from hazards.services.priority_ranking import rank_hazards, ranking_statement
from hazards.services.units import outside_division
from hazards.services.reference import ReferenceData

_NOT_COLUMNS = {"geometry", "category_codes", "measure_codes", "supervising_body", "responsible_unit",
                "budget", "spent", "funding_source", "funding_date"}  # money: the funding ledger's lines
_COLUMN_FIELDS = [f.name for f in fields(HazardDraft) if f.name not in _NOT_COLUMNS]


def report_hazard(session: Session, draft: HazardDraft, *, actor: User | permissions.SystemActor) -> Hazard:
    """Register one hazard (上报), refusing it with every problem named if any rule fails.

    The hazard must lie where `actor` may report; jobs and commands pass `permissions.SYSTEM`.
    """
    if not permissions.can_report_in(actor, draft.jurisdiction_code):
        raise Forbidden(N_("You may not report hazards in %(division)s."), {"division": draft.jurisdiction_code})
    ref = ReferenceData(session)
    problems = check_draft(draft, ref)
    misplaced = placement_problem(session, draft.jurisdiction_code, draft.geometry)
    if misplaced:
        problems.append(misplaced)
    if draft.jurisdiction_code in ref.retired_jurisdictions:
        # A historic ledger may still name it (the import); a new report goes to the division that took over.
        problems.append(FieldProblem("jurisdiction_code", N_(
            "division %(code)s is no longer in the division registry; report the hazard in the division that "
            "took its place"), {"code": draft.jurisdiction_code}))
    if problems:
        raise DraftRejected(problems)
    (hazard_id,) = register_hazards(session, [draft], ref=ref, actor_id=actor.id, action="report")
    # The crashes already on record at its place, so its priority counts them from the start (a file's
    # import leaves that to the nightly job, which counts every open hazard in one statement).
    refresh_crash_history(session, [hazard_id])
    hazard = session.get(Hazard, hazard_id)
    notifications.hazard_reported(session, hazard, actor)
    return hazard


def register_hazards(
    session: Session,
    drafts: list[HazardDraft],
    *,
    ref: ReferenceData,
    actor_id: int | None = None,
    action: str = "import",
    note: str | None = None,
) -> list[int]:
    """Insert checked drafts in bulk (a handful of statements, not one per hazard); returns their ids.

    Their priority ranks are the caller's to write (`report_hazard` ranks as it counts the crash
    history, the demo ranks its ledger); until then the list sorted by priority scores live
    (`hazards.queries.priority.stored_ranking_current`)."""
    if not drafts:
        return []
    codes = allocate_codes(session, [d.code for d in drafts], [(d.jurisdiction_code, d.batch_year) for d in drafts])
    now = utcnow()
    rows = _hazard_rows(session, drafts, codes, ref=ref, actor_id=actor_id, action=action, now=now)

    # Core executemany, then the ids by code: RETURNING in parameter order makes SQLite fall back
    # to one statement per row, which is ten times slower.
    session.execute(insert(Hazard.__table__), rows)
    ids_by_code = _ids_by_code(session, [r["code"] for r in rows])
    ids = [ids_by_code[r["code"]] for r in rows]

    category_rows, measure_rows, history_rows = _linked_rows(ids, drafts, ref=ref, actor_id=actor_id, action=action,
                                                             note=note, now=now)
    if category_rows:
        session.execute(insert(hazard_categories), category_rows)
    if measure_rows:
        session.execute(insert(hazard_measures), measure_rows)
    session.execute(insert(StatusChange), history_rows)
    record_opening_funding(session, list(zip(ids, drafts)), actor_id=actor_id, note=note)
    session.flush()
    return ids


class BulkRegistration:
    """The rows `register_hazards` writes, for a file's drafts, written by the database's bulk path.

    Every draft has its code already, taken for the whole file beforehand (`take_codes`), so no counter
    is touched here. `add` takes the drafts chunk by chunk (in file order) and `finish` completes the
    write (`abandon` instead after a failure); all run in the caller's transaction, which commits or rolls back all of it.

    - PostgreSQL: each chunk's hazards rows (with their category and measure ids as arrays) and funding
      lines are `COPY`-ed into temporary staging tables, which have no index, constraint or trigger to
      keep, then moved by one INSERT … SELECT per table (hazards in file order, so their ids follow it
      as an INSERT of the rows would hand them out; categories, measures, the first history rows and
      the funding lines joined to the new hazards by code), and the new hazards ranked. The moves are
      pipelined: the server runs them while Python reads and prepares the next chunk, so the two cores
      work at once.
    - SpatiaLite: each chunk is one prepared executemany per table, the R*Tree and the full-text table
      filled after the rows (`BulkInserter`); SQLite works in this process, so a staging table would
      only add a copy.
    """

    def __init__(self, session: Session, *, ref: ReferenceData, actor_id: int | None, action: str = "import",
                 note: str | None = None):
        self.session, self.ref, self.actor_id, self.action, self.note = session, ref, actor_id, action, note
        self.bulk = BulkInserter(session)
        self.now = utcnow()
        self.count = self.lines = 0  # hazards and funding lines so far
        if self.bulk.postgres:
            for staging, table in _STAGING.items():
                session.execute(text(f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
                                     f"SELECT * FROM {table.name} WITH NO DATA"))
            session.execute(text("ALTER TABLE hazard_staging DROP COLUMN id, ADD COLUMN n integer, "
                                 "ADD COLUMN category_ids integer[], ADD COLUMN measure_ids integer[]"))
            session.execute(text("ALTER TABLE funding_staging DROP COLUMN id, ADD COLUMN line integer"))
            session.execute(text("CREATE TEMPORARY TABLE hazard_new (id integer) ON COMMIT DROP"))
            # Each chunk's hazards ranked as they are moved: in the list sorted by priority from the
            # start, as a hazard registered one by one.
            self._ranking = _driver_statement(session, ranking_statement(session, select(_NEW.c.id)))

    def add(self, drafts: list[HazardDraft]) -> None:
        if not drafts:
            return
        codes = [d.code for d in drafts]
        if not all(codes):
            raise ValueError("BulkRegistration needs drafts with their codes")
        self.session.flush()  # units named for the first time are rows before the hazards that point at them
        rows = _hazard_rows(self.session, drafts, codes, ref=self.ref, actor_id=self.actor_id, action=self.action,
                            now=self.now)
        if self.bulk.postgres:
            self._stage(drafts, rows)
        else:
            self._insert(drafts, rows)
        self.count += len(drafts)

    def _insert(self, drafts: list[HazardDraft], rows: list[dict]) -> None:
        session, bulk, table = self.session, self.bulk, Hazard.__table__
        columns = [c.name for c in table.columns if c.name in rows[0]]
        last_id = session.scalar(select(func.max(table.c.id))) or 0
        bulk.insert(table, columns, rows, geometry="geom")
        # One writer at a time on SQLite: every row above the highest id before the insert is one of these.
        ids_by_code = dict(session.execute(select(table.c.code, table.c.id).where(table.c.id > last_id)).all())
        ids = [ids_by_code[d.code] for d in drafts]
        category_rows, measure_rows, history_rows = _linked_rows(ids, drafts, ref=self.ref, actor_id=self.actor_id,
                                                                 action=self.action, note=self.note, now=self.now)
        bulk.insert(hazard_categories, ["hazard_id", "category_id"], category_rows)
        bulk.insert(hazard_measures, ["hazard_id", "measure_id"], measure_rows)
        bulk.insert(StatusChange.__table__, list(history_rows[0]), history_rows)
        funding_rows = opening_funding_rows(list(zip(ids, drafts)), actor_id=self.actor_id, note=self.note,
                                            now=self.now)
        if funding_rows:
            bulk.insert(FundingEntry.__table__, list(funding_rows[0]), funding_rows)
        rank_hazards(session, ids)  # in the list sorted by priority from the start

    def _stage(self, drafts: list[HazardDraft], rows: list[dict]) -> None:
        """Copy the chunk into the staging tables (once the server has moved the previous chunk out of
        them: what can be made before, is) and send its move."""
        category_ids, measure_ids = self.ref.category_ids, self.ref.measure_ids
        for n, (row, draft) in enumerate(zip(rows, drafts), start=self.count):
            row["n"] = n
            row["category_ids"] = [category_ids[c] for c in dict.fromkeys(draft.category_codes)]
            row["measure_ids"] = [measure_ids[m] for m in dict.fromkeys(draft.measure_codes)]
        hazards, funding = Hazard.__table__, FundingEntry.__table__
        staged = self.bulk.tuples(hazards, list(rows[0]), rows)
        # A line's hazard is its row number until the move knows the hazard's id.
        lines = opening_funding_rows(list(enumerate(drafts, start=self.count)), actor_id=self.actor_id,
                                     note=self.note, now=self.now)
        for line, row in enumerate(lines, start=self.lines):
            row["line"] = line
        self.lines += len(lines)
        staged_lines = self.bulk.tuples(funding, list(lines[0]), lines) if lines else []
        self.bulk.wait()
        self.bulk.insert_tuples(hazards, list(rows[0]), staged, geometry="geom", into="hazard_staging")
        if lines:
            self.bulk.insert_tuples(funding, list(lines[0]), staged_lines, into="funding_staging")
        self._move()

    def _move(self) -> None:
        """Send the statement that moves the staged chunk into the ledger's tables, and empty the staging
        tables; the server runs them while this process prepares the next chunk (`BulkInserter.send`).
        One statement: the new hazards' ids come back from their INSERT and are joined to the chunk's
        own staged rows, never to the whole ledger."""
        columns = ", ".join(f'"{c.name}"' for c in Hazard.__table__.columns if c.name != "id")
        funding = [c.name for c in FundingEntry.__table__.columns if c.name not in ("id", "hazard_id")]
        params = {"action": self.action, "actor_id": self.actor_id, "now": self.now, "note": self.note}
        self.bulk.send([
            (f"WITH new AS (INSERT INTO hazards ({columns}) SELECT {columns} FROM hazard_staging ORDER BY n "
             f"RETURNING id, code), "
             f"s AS MATERIALIZED (SELECT new.id, t.n, t.status, t.category_ids, t.measure_ids "
             f"FROM new JOIN hazard_staging t ON t.code = new.code), "
             f"i AS (INSERT INTO hazard_new (id) SELECT id FROM new), "
             f"c AS (INSERT INTO hazard_categories (hazard_id, category_id) "
             f"SELECT s.id, u.id FROM s CROSS JOIN LATERAL unnest(s.category_ids) AS u(id)), "
             f"m AS (INSERT INTO hazard_measures (hazard_id, measure_id) "
             f"SELECT s.id, u.id FROM s CROSS JOIN LATERAL unnest(s.measure_ids) AS u(id)), "
             f"f AS (INSERT INTO funding_entries (hazard_id, {', '.join(funding)}) "
             f"SELECT s.id, {', '.join(f'f.{c}' for c in funding)} FROM funding_staging f JOIN s ON s.n = f.hazard_id "
             f"ORDER BY f.line) "
             "INSERT INTO status_changes (hazard_id, action, from_status, to_status, changed_by_id, changed_at, note) "
             "SELECT s.id, %(action)s, NULL, s.status, %(actor_id)s, %(now)s, %(note)s FROM s ORDER BY s.n",
             params),
            self._ranking,
            ("TRUNCATE hazard_staging, funding_staging, hazard_new", None),
        ])

    def finish(self) -> None:
        """Wait for the last chunk's statements (PostgreSQL), raising what failed in any of them."""
        if self.bulk.postgres:
            self.bulk.close()
            self.session.execute(text("DROP TABLE hazard_staging, funding_staging, hazard_new"))

    def abandon(self) -> None:
        """After a failure: leave the connection fit for the caller's rollback."""
        if self.bulk.postgres:
            self.bulk.close(failed=True)


#: PostgreSQL: the ids of the hazards a chunk's move wrote (temporary, of this transaction), to rank them.
_NEW = sqlalchemy.table("hazard_new", sqlalchemy.column("id"))
#: PostgreSQL's staging tables (temporary, of this transaction) and the tables they are shaped after.
_STAGING = {"hazard_staging": Hazard.__table__, "funding_staging": FundingEntry.__table__}


def _driver_statement(session: Session, statement) -> tuple[str, None]:
    """A Core statement as the driver's SQL, its values written in as the type's literals, for
    statements sent with others (`BulkInserter.send`). Only for values of our own making: the day,
    the weights, status and level names."""
    compiled = statement.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    return compiled.string.replace("%%", "%"), None  # sent without parameters: a % is itself


def _hazard_rows(session: Session, drafts: list[HazardDraft], codes: list[str], *, ref: ReferenceData,
                 actor_id: int | None, action: str, now) -> list[dict]:
    """The hazards table's row of each draft (all but the id)."""
    rows = []
    for draft, code in zip(drafts, codes):
        # A shallow copy: asdict() would deep-copy every shapely geometry.
        values = {name: getattr(draft, name) for name in _COLUMN_FIELDS}
        values["code"] = code
        # A draft read back from an import's spool carries its geometry as EWKT already.
        values["geom"] = draft.geometry if isinstance(draft.geometry, str) else to_ewkt(draft.geometry)
        values["found_by_id"] = actor_id if action == "report" else None
        values["supervising_body_id"] = _organization_id(
            session, ref, draft.supervising_body, draft, OrganizationKind.SUPERVISING, "supervising_body"
        )
        values["responsible_unit_id"] = _organization_id(
            session, ref, draft.responsible_unit, draft, OrganizationKind.RESPONSIBLE, "responsible_unit"
        )
        values.update(version=1, created_at=now, updated_at=now)
        rows.append(values)
    return rows


def _linked_rows(ids: list[int], drafts: list[HazardDraft], *, ref: ReferenceData, actor_id: int | None, action: str,
                 note: str | None, now) -> tuple[list[dict], list[dict], list[dict]]:
    """Each new hazard's categories, measures and first history row."""
    category_rows = [
        {"hazard_id": hid, "category_id": ref.category_ids[c]}
        for hid, d in zip(ids, drafts) for c in dict.fromkeys(d.category_codes)
    ]
    measure_rows = [
        {"hazard_id": hid, "measure_id": ref.measure_ids[m]}
        for hid, d in zip(ids, drafts) for m in dict.fromkeys(d.measure_codes)
    ]
    history_rows = [
        {"hazard_id": hid, "action": action, "from_status": None, "to_status": d.status,
         "changed_by_id": actor_id, "changed_at": now, "note": note}
        for hid, d in zip(ids, drafts)
    ]
    return category_rows, measure_rows, history_rows


def _ids_by_code(session: Session, codes: list[str], chunk: int = 900) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in range(0, len(codes), chunk):
        part = codes[i : i + chunk]
        found.update(session.execute(select(Hazard.code, Hazard.id).where(Hazard.code.in_(part))).all())
    return found


def _organization_id(session, ref: ReferenceData, name, draft: HazardDraft, kind, field: str) -> int | None:
    """Units are named in ledgers, not numbered: the nearest unit of that name in the hazard's division or
    one above it (a county hazard may name the city's 公路中心), added the first time it appears. A
    name known only above what the hazard may name (公安部 on a county-supervised hazard) is refused."""
    if not name:
        return None
    allowed = unit_divisions(draft.jurisdiction_code, draft.level)
    key = (name, tuple(allowed))
    if key not in ref.organization_cache:
        above = [
            (len(subtree_prefix(code)), code, oid)
            for (known, code), oid in ref.organizations.items()
            if known == name and is_within(draft.jurisdiction_code, code)
        ]
        usable = [entry for entry in above if entry[1] in allowed]
        if usable:
            ref.organization_cache[key] = max(usable)[2]
        elif above:
            raise outside_division(session, name, max(above)[1], draft.jurisdiction_code, field)
        else:
            org = Organization(name=name, kind=kind, jurisdiction_code=draft.jurisdiction_code)
            session.add(org)
            session.flush()
            ref.organizations[(name, draft.jurisdiction_code)] = org.id
            ref.organization_cache[key] = org.id
    return ref.organization_cache[key]
