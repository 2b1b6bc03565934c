"""The to-do list (待办): what waits on this user, each item one click from its hazard.

Only what the user may act on, decided by `hazards.permissions` (the SQL face to find the rows, the
predicate `can` to keep each one):

- Supervisors: the decisions that are theirs first (`permissions.decides_first`: hazards at their own
  supervision level, or unlisted ones at their own division's code), so a county supervisor never finds
  the city's acceptance here, and the city does not find every county's report. Reports to verify
  (上报), verified hazards to list or assign, plans to approve (挂牌督办/交办), extension requests
  waiting for a decision (延期申请), closure requests to accept (申请销号), and look-backs due (回头看).
- Inspectors: the hazards in their charge (found by them, or of their unit as the responsible unit):
  works to start once the plan is approved, hazards back in remediation after failed acceptance or a
  look-back, hazards in remediation past their deadline with no extension asked for (finish and ask
  for closure, or ask for an extension), and their extension requests decided in the last `RECENT_DAYS`
  days.

A look-back is due on a closed hazard (销号) whose closure is at least `LOOKBACK_AFTER_DAYS` days old
(setting, default 180: the half-year look-back many places practise) and that has no 回头看 event dated on
or after its closure. Recording the look-back (the event form on the hazard's page) takes it off the
list; a relapse found then is reopened from the same page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from hazards import permissions
from hazards.domain.enums import EventKind, ExtensionState, Role, Status
from hazards.models import ExtensionRequest, Hazard, HazardEvent, Jurisdiction, StatusChange, User
from hazards.models.base import utcnow

RECENT_DAYS = 14
# A group lists its oldest items up to this many and counts the rest: a province's look-backs due can
# run to thousands, and the header's count is taken on every page.
SHOWN_PER_GROUP = 50

# (group, the action that answers it, the page anchor) in the order the list shows them.
SUPERVISOR_GROUPS = [
    ("verify", "verify", "action-verify"),
    ("list", "list", "action-list"),
    ("approve_plan", "approve_plan", "action-approve_plan"),
    ("extension", "grant_extension", "extension"),
    ("accept", "accept", "action-accept"),
    ("lookback", "log_event", "event-form"),
]
INSPECTOR_GROUPS = [
    ("returned", "request_closure", "action-request_closure"),
    ("overdue", "request_extension", "extension"),
    ("start_works", "start_works", "action-start_works"),
    ("extension_decided", "view", "timeline"),
]


@dataclass(frozen=True)
class TodoItem:
    hazard_id: int
    code: str
    title: str
    division: str
    anchor: str
    since: date | datetime | None = None
    deadline: date | None = None
    detail: str | None = None  # the requested date, the decision


@dataclass
class TodoGroup:
    key: str
    items: list[TodoItem] = field(default_factory=list)  # the first SHOWN_PER_GROUP, oldest first
    total: int = 0  # all that wait, shown or not


@dataclass
class Todo:
    groups: list[TodoGroup]

    @property
    def count(self) -> int:
        return sum(g.total for g in self.groups)


_COLUMNS = (Hazard.id, Hazard.code, Hazard.title, Hazard.jurisdiction_code, Hazard.level, Hazard.status,
            Hazard.deadline, Jurisdiction.name.label("division"))


def todo_for(session: Session, user: User, today: date, lookback_after_days: int = 180) -> Todo:
    """The groups that hold something, each with its oldest items and its full count."""
    groups = [TodoGroup(key, [_item(r, anchor, getattr(r, "detail", None)) for r in _rows(session, wanted)],
                        _count(session, wanted))
              for key, anchor, wanted in _wanted(user, today, lookback_after_days)]
    return Todo([g for g in groups if g.total])


def todo_count(session: Session, user: User, today: date, lookback_after_days: int = 180) -> int:
    """How many items wait on `user`: one count a group, no rows loaded (for the page header)."""
    return sum(_count(session, wanted) for _key, _anchor, wanted in _wanted(user, today, lookback_after_days))


@dataclass(frozen=True)
class _Wanted:
    """What a group selects: its conditions, the date it is ordered by (oldest first), any extra column."""
    where: list
    since: object
    extra: tuple = ()
    order: tuple | None = None


def _wanted(user: User, today: date, lookback_after_days: int) -> list[tuple[str, str, _Wanted]]:
    # Only the permission module's SQL faces choose the rows. Each group's rows are exactly those the
    # group's action is open to on them (`can`): tests/hazards/test_todo.py holds the two faces together.
    if user.role is Role.SUPERVISOR:
        theirs = permissions.decides_first_clause(user)
        return [(key, anchor, _supervisor_wanted(theirs, key, today, lookback_after_days))
                for key, _action, anchor in SUPERVISOR_GROUPS]
    if user.role is Role.INSPECTOR:
        return [(key, anchor, _inspector_wanted(user, key, today)) for key, _action, anchor in INSPECTOR_GROUPS]
    permissions.visible_clause(user)  # admins and the system have no to-do: asked, and answered so
    return []


def _rows(session: Session, wanted: _Wanted):
    stmt = (select(*_COLUMNS, wanted.since.label("since"), *wanted.extra)
            .join_from(Hazard, Jurisdiction, Jurisdiction.code == Hazard.jurisdiction_code)
            .where(*wanted.where).order_by(*(wanted.order or (wanted.since.asc(), Hazard.id.asc())))
            .limit(SHOWN_PER_GROUP))
    return session.execute(stmt).all()


def _count(session: Session, wanted: _Wanted) -> int:
    return session.scalar(select(func.count()).select_from(Hazard).where(*wanted.where)) or 0


def _supervisor_wanted(theirs, key: str, today: date, lookback_after_days: int) -> _Wanted:
    if key == "verify":
        return _Wanted([theirs, Hazard.status == Status.REPORTED], Hazard.found_on)
    if key == "list":
        return _Wanted([theirs, Hazard.status == Status.VERIFIED], Hazard.found_on)
    if key == "approve_plan":
        return _Wanted([theirs, Hazard.status.in_([Status.LISTED, Status.ASSIGNED])],
                       func.coalesce(Hazard.listed_on, Hazard.found_on))
    if key == "extension":
        return _Wanted([theirs, ExtensionRequest.hazard_id == Hazard.id, ExtensionRequest.state == ExtensionState.PENDING],
                       ExtensionRequest.requested_at, (ExtensionRequest.requested_deadline.label("detail"),))
    if key == "accept":
        return _Wanted([theirs, Hazard.status == Status.CLOSURE_REQUESTED], Hazard.closure_requested_on)
    looked_back = exists().where(HazardEvent.hazard_id == Hazard.id, HazardEvent.kind == EventKind.LOOKBACK,
                                 HazardEvent.happened_on >= Hazard.closed_on)
    return _Wanted([theirs, Hazard.status == Status.CLOSED, Hazard.closed_on.is_not(None),
                    Hazard.closed_on <= today - timedelta(days=lookback_after_days), ~looked_back], Hazard.closed_on)


def _inspector_wanted(user: User, key: str, today: date) -> _Wanted:
    mine = [permissions.visible_clause(user), _in_their_charge(user)]
    latest = (select(StatusChange.action).where(StatusChange.hazard_id == Hazard.id)
              .order_by(StatusChange.id.desc()).limit(1).correlate(Hazard).scalar_subquery())
    returned = latest.in_(["refuse_acceptance", "reopen"])
    if key == "start_works":
        return _Wanted([*mine, Hazard.status == Status.PLAN_APPROVED], Hazard.updated_at)
    if key == "returned":
        return _Wanted([*mine, Hazard.status == Status.IN_REMEDIATION, returned], Hazard.updated_at)
    if key == "overdue":
        asked = exists().where(ExtensionRequest.hazard_id == Hazard.id, ExtensionRequest.state == ExtensionState.PENDING)
        return _Wanted([*mine, Hazard.status == Status.IN_REMEDIATION, Hazard.deadline < today, ~returned, ~asked],
                       Hazard.deadline)
    return _Wanted([permissions.visible_clause(user), ExtensionRequest.hazard_id == Hazard.id,
                    ExtensionRequest.requested_by_id == user.id, ExtensionRequest.state != ExtensionState.PENDING,
                    ExtensionRequest.decided_at >= utcnow() - timedelta(days=RECENT_DAYS)],
                   ExtensionRequest.decided_at, (ExtensionRequest.state.label("detail"),),
                   order=(ExtensionRequest.decided_at.desc(), ExtensionRequest.id.desc()))


def _in_their_charge(user: User):
    clauses = [Hazard.found_by_id == user.id]
    if user.organization_id is not None:
        clauses.append(Hazard.responsible_unit_id == user.organization_id)
    return or_(*clauses) if len(clauses) > 1 else and_(*clauses)


def _item(row, anchor: str, detail=None) -> TodoItem:
    return TodoItem(hazard_id=row.id, code=row.code, title=row.title, division=row.division, anchor=anchor,
                    since=row.since, deadline=row.deadline, detail=detail)
