"""Writing what happened to the demo hazards: status trail, level and deadline changes, extensions,
money and events, as bulk inserts (one statement per table, however many hazards).

`register_hazards` has already written each hazard and a first history row that goes straight to the
hazard's final status; that row is replaced by the report (上报) itself, dated the day the hazard was
found, followed by every later step.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Table, bindparam, delete, insert, text, update
from sqlalchemy.orm import Session

from hazards.clock import as_stored
from hazards.demo.lifecycle import Actor
from hazards.demo.people import actor_login, police_unit
from hazards.demo.places import COUNTY_BY_CODE
from hazards.demo.scenario import HazardPlan
from hazards.domain.enums import Status
from hazards.domain.reminder_rules import ESCALATE
from hazards.models import (
    DeadlineChange,
    ExtensionRequest,
    FundingEntry,
    Hazard,
    HazardEvent,
    LevelChange,
    ReminderSent,
    StatusChange,
)


class Clock:
    """Working-hours timestamps for one hazard's records, strictly increasing within a day."""

    def __init__(self, index: int):
        self._start = 8 * 60 + 30 + (index * 37) % 240
        self._tick = 0

    def at(self, day: date) -> datetime:
        self._tick += 1
        minutes = min(self._start + self._tick * 7, 17 * 60 + 50)
        return as_stored(datetime.combine(day, time(minutes // 60, minutes % 60)))  # working hours, local


def write_history(session: Session, plans: list[HazardPlan], ids: list[int], users: dict[str, int],
                  organizations: dict[tuple[str, str], int]) -> dict[str, int]:
    """Insert every plan's history rows; returns how many rows of each kind were written."""

    def who(actor: Actor | None) -> int | None:
        return users.get(actor_login(*actor)) if actor else None

    steps, levels, deadlines, extensions, money, events, hazard_rows = [], [], [], [], [], [], []
    escalations = []
    for index, (plan, hazard_id) in enumerate(zip(plans, ids)):
        life, draft, clock = plan.life, plan.draft, Clock(index)
        reported_at = clock.at(draft.found_on)
        steps.append({"hazard_id": hazard_id, "action": "report", "from_status": None, "to_status": Status.REPORTED,
                      "changed_by_id": who(("inspector", draft.jurisdiction_code)), "changed_at": reported_at,
                      "note": "排查发现，登记建档"})
        # Rows of every kind are stamped in date order, so the timeline reads as it happened.
        dated = [(s.on, 0, s) for s in life.steps] + [(c.on, 1, c) for c in life.levels] + \
                [(c.on, 2, c) for c in life.deadlines] + [(e.requested_on, 3, e) for e in life.extensions] + \
                [(m.on, 4, m) for m in life.funding] + [(e.on, 5, e) for e in life.events]
        last = reported_at
        for on, kind, row in sorted(dated, key=lambda item: (item[0], item[1])):
            at = clock.at(on)
            last = max(last, at)
            if kind == 0:
                steps.append({"hazard_id": hazard_id, "action": row.action, "from_status": row.from_status,
                              "to_status": row.to_status, "changed_by_id": who(row.actor), "changed_at": at,
                              "note": row.note})
            elif kind == 1:
                levels.append({"hazard_id": hazard_id, "from_level": row.old, "to_level": row.new,
                               "changed_by_id": who(row.actor), "changed_at": at, "note": row.note})
            elif kind == 2:
                deadlines.append({"hazard_id": hazard_id, "from_deadline": row.old, "to_deadline": row.new,
                                  "changed_by_id": who(row.actor), "changed_at": at, "note": row.note})
            elif kind == 3:
                decided = at + (row.decided_on - on) if row.decided_on else None  # same hour, later day
                extensions.append({"hazard_id": hazard_id, "requested_deadline": row.requested_deadline,
                                   "reason": row.reason, "state": row.state, "requested_by_id": who(row.requester),
                                   "requested_at": at, "decided_by_id": who(row.decider) if decided else None,
                                   "decided_at": decided, "decision_note": _decision_note(row.state)})
            elif kind == 4:
                money.append({"hazard_id": hazard_id, "kind": row.kind, "source": row.source, "amount": row.amount,
                              "entry_date": row.on, "note": row.note, "created_by_id": who(row.actor),
                              "created_at": at})
            else:
                events.append({"hazard_id": hazard_id, "kind": row.kind, "happened_on": row.on, "note": row.note,
                               "document_no": row.document_no, "created_by_id": who(row.actor), "created_at": at})
        if life.escalated_on:
            escalations.append({"hazard_id": hazard_id, "stage": ESCALATE, "deadline": life.deadline,
                                "as_of": life.escalated_on, "created_at": clock.at(life.escalated_on)})
        county = COUNTY_BY_CODE[draft.jurisdiction_code]
        hazard_rows.append((
            hazard_id, reported_at, last, organizations.get((police_unit(county), county.code)),
            who(life.accepted_by), ids[plan.merged_into] if plan.merged_into is not None else None,
        ))

    # register_hazards wrote one row per hazard going straight to its final status; the trail
    # written here starts with the report itself, so that row is replaced.
    status_table = StatusChange.__table__
    for chunk in _chunks(ids, 1000):
        session.execute(delete(status_table).where(status_table.c.hazard_id.in_(chunk)))
    _update_hazards(session, hazard_rows)
    written = {}
    for model, rows in ((StatusChange, steps), (LevelChange, levels), (DeadlineChange, deadlines),
                        (ExtensionRequest, extensions), (FundingEntry, money), (HazardEvent, events),
                        (ReminderSent, escalations)):
        bulk_insert(session, model.__table__, rows)
        written[model.__tablename__] = len(rows)
    session.flush()
    return written


def _decision_note(state) -> str | None:
    return {"granted": "同意延期", "refused": "理由不充分，不予延期"}.get(state.value)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def bulk_insert(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert many rows that all have the same keys, in as few round trips as the backend allows.

    SQLite: one Core executemany (the ORM's bulk insert would split the rows into a statement per
    run of rows with the same None columns). PostgreSQL: COPY, since psycopg's executemany still
    sends one statement per row, which made 10,000 demo hazards (200,000 history rows) take a
    minute. Values go through the columns' own bind processing (enums, money) either way.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    dialect = session.get_bind().dialect
    keys = list(rows[0])
    processors = [table.c[key].type._cached_bind_processor(dialect) for key in keys]
    columns = ", ".join(f'"{key}"' for key in keys)
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([p(row[k]) if p else row[k] for k, p in zip(keys, processors)])


_HAZARD_COLUMNS = ("id", "created_at", "updated_at", "found_by_unit_id", "accepted_by_id", "merged_into_id")


def _update_hazards(session: Session, rows: list[tuple]) -> None:
    """Set what `register_hazards` cannot: dates of record, the finding unit, who accepted, what a
    duplicate was merged into.

    SQLite: one executemany (in-process, fast). PostgreSQL: COPY the values into a temporary table
    and update from it in one statement, instead of one round trip per hazard.
    """
    table = Hazard.__table__
    names = _HAZARD_COLUMNS
    if session.get_bind().dialect.name != "postgresql":
        session.execute(
            update(table).where(table.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in names[1:]}),
            [{f"b_{c}": v for c, v in zip(names, row)} for row in rows],
        )
        return
    session.execute(text(
        "CREATE TEMPORARY TABLE demo_hazard_rows (id integer PRIMARY KEY, created_at timestamp, "
        "updated_at timestamp, found_by_unit_id integer, accepted_by_id integer, merged_into_id integer)"
    ))
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f"COPY demo_hazard_rows ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    session.execute(text(
        "UPDATE hazards SET " + ", ".join(f"{c} = r.{c}" for c in names[1:])
        + " FROM demo_hazard_rows r WHERE hazards.id = r.id"
    ))
    session.execute(text("DROP TABLE demo_hazard_rows"))
