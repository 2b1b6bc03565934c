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
    items: list[TodoItem] = field(default_factory=list)


@dataclass
class Todo:
    groups: list[TodoGroup]

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


_COLUMNS = (Hazard.id, Hazard.code, Hazard.title, Hazard.jurisdiction_code, Hazard.level, Hazard.status,
            Hazard.deadline, Jurisdiction.name.label("division"))


def todo_for(session: Session, user: User, today: date, lookback_after_days: int = 180) -> Todo:
    theirs = permissions.decides_first_clause(user)  # nothing for anyone but a supervisor
    if user.role is Role.SUPERVISOR:
        groups = [_supervisor_group(session, user, theirs, key, action, anchor, today, lookback_after_days)
                  for key, action, anchor in SUPERVISOR_GROUPS]
    elif user.role is Role.INSPECTOR:
        groups = [_inspector_group(session, user, key, action, anchor, today)
                  for key, action, anchor in INSPECTOR_GROUPS]
    else:
        groups = []
    return Todo([g for g in groups if g.items])


def _rows(session: Session, where, since, *extra, order=None):
    stmt = (select(*_COLUMNS, since.label("since"), *extra)
            .join_from(Hazard, Jurisdiction, Jurisdiction.code == Hazard.jurisdiction_code)
            .where(*where).order_by(*(order or (since.asc(), Hazard.id.asc()))))
    return session.execute(stmt).all()


def _supervisor_group(session, user, theirs, key, action, anchor, today, lookback_after_days) -> TodoGroup:
    detail = None
    if key == "verify":
        rows = _rows(session, [theirs, Hazard.status == Status.REPORTED], Hazard.found_on)
    elif key == "list":
        rows = _rows(session, [theirs, Hazard.status == Status.VERIFIED], Hazard.found_on)
    elif key == "approve_plan":
        rows = _rows(session, [theirs, Hazard.status.in_([Status.LISTED, Status.ASSIGNED])],
                     func.coalesce(Hazard.listed_on, Hazard.found_on))
    elif key == "extension":
        rows = _rows(session, [theirs, ExtensionRequest.hazard_id == Hazard.id,
                               ExtensionRequest.state == ExtensionState.PENDING],
                     ExtensionRequest.requested_at, ExtensionRequest.requested_deadline.label("detail"))
        detail = "detail"
    elif key == "accept":
        rows = _rows(session, [theirs, Hazard.status == Status.CLOSURE_REQUESTED], Hazard.closure_requested_on)
    else:
        looked_back = exists().where(HazardEvent.hazard_id == Hazard.id, HazardEvent.kind == EventKind.LOOKBACK,
                                     HazardEvent.happened_on >= Hazard.closed_on)
        rows = _rows(session, [theirs, Hazard.status == Status.CLOSED, Hazard.closed_on.is_not(None),
                               Hazard.closed_on <= today - timedelta(days=lookback_after_days), ~looked_back],
                     Hazard.closed_on)
    return TodoGroup(key, [_item(r, anchor, getattr(r, detail) if detail else None)
                           for r in rows if permissions.can(user, action, r)])


def _inspector_group(session, user, key, action, anchor, today) -> TodoGroup:
    mine = [permissions.visible_clause(user), _in_their_charge(user)]
    latest = (select(StatusChange.action).where(StatusChange.hazard_id == Hazard.id)
              .order_by(StatusChange.id.desc()).limit(1).correlate(Hazard).scalar_subquery())
    returned = latest.in_(["refuse_acceptance", "reopen"])
    if key == "start_works":
        rows = _rows(session, [*mine, Hazard.status == Status.PLAN_APPROVED], Hazard.updated_at)
    elif key == "returned":
        rows = _rows(session, [*mine, Hazard.status == Status.IN_REMEDIATION, returned], Hazard.updated_at)
    elif key == "overdue":
        asked = exists().where(ExtensionRequest.hazard_id == Hazard.id, ExtensionRequest.state == ExtensionState.PENDING)
        rows = _rows(session, [*mine, Hazard.status == Status.IN_REMEDIATION, Hazard.deadline < today,
                               ~returned, ~asked], Hazard.deadline)
    else:
        rows = _rows(session, [permissions.visible_clause(user), ExtensionRequest.hazard_id == Hazard.id,
                               ExtensionRequest.requested_by_id == user.id,
                               ExtensionRequest.state != ExtensionState.PENDING,
                               ExtensionRequest.decided_at >= utcnow() - timedelta(days=RECENT_DAYS)],
                     ExtensionRequest.decided_at, ExtensionRequest.state.label("detail"),
                     order=(ExtensionRequest.decided_at.desc(), ExtensionRequest.id.desc()))
        return TodoGroup(key, [_item(r, anchor, r.detail) for r in rows if permissions.can(user, action, r)])
    return TodoGroup(key, [_item(r, anchor) for r in rows if permissions.can(user, action, r)])


def _in_their_charge(user: User):
    clauses = [Hazard.found_by_id == user.id]
    if user.organization_id is not None:
        clauses.append(Hazard.responsible_unit_id == user.organization_id)
    return or_(*clauses) if len(clauses) > 1 else and_(*clauses)


def _item(row, anchor: str, detail=None) -> TodoItem:
    return TodoItem(hazard_id=row.id, code=row.code, title=row.title, division=row.division, anchor=anchor,
                    since=row.since, deadline=row.deadline, detail=detail)
