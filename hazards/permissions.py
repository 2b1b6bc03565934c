"""Who may do what: the one place that decides, with two faces for each rule.

The rules:
- Nobody sees or touches anything outside their jurisdiction subtree.
- Inspectors log hazards and record progress, photos and spending.
- Supervisors do everything inspectors do, and decide: verify, list, approve plans, grant
  extensions, accept and close, for hazards supervised at their own level or below.
- Inspectors close a hazard themselves (立即整改) only when it is not listed for supervision: a listed
  one is closed by acceptance at its level.
- A closed hazard is the record of a decision: only a supervisor at its level or above edits it (audited
  like every edit).
- Admins manage users, organizations and vocabularies; they take no workflow decisions.
- Inspectors, supervisors and admins may import ledger files, each row inside their own subtree.
- Crash records (交通事故记录) are seen like hazards: anyone signed in, within their own subtree. They
  are imported by supervisors and admins, each row inside their subtree; not by inspectors: an
  export of the traffic police's crash system is an office's record, not a finding of the field,
  and it decides which places become 事故倒查 hazards, a supervisor's judgement.
- Supervisors decide on crash-prone places found in the crash records (register one as a hazard, or mark
  it covered by one), for crashes they see.
- Jobs and commands act as `SYSTEM`: it sees everything and may log and import, nothing more.

Each rule that reads many rows exists twice, side by side, so they cannot drift: a predicate for one
object (`can_see(user, hazard)`) and the SQL filter for many (`visible_clause(user)`); a test checks that
they select the same rows. Services and read queries call them with the acting user themselves.

Every route declares its authorization decision with one of the decorators at the bottom (`public`,
`signed_in`, `own_records`, `checked_inside`, `requires`); a test walks the URL map and names any view without one,
and under TESTING a `checked_inside` view that answered without consulting this module fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Callable, Protocol

from flask import Flask, abort, current_app, g, has_request_context, request
from sqlalchemy import ColumnElement, and_, false, or_, true

from hazards.domain.divisions import NATIONAL_CODE, is_within, level_of, subtree_range
from hazards.domain.enums import CLOSED_STATUSES, JurisdictionLevel, Role, Status, SupervisionLevel
from hazards.domain.workflow import TRANSITIONS

# A supervisor's reach follows the level of the body they work for.
_SUPERVISOR_LEVEL = {
    JurisdictionLevel.NATIONAL: SupervisionLevel.MINISTRY,
    JurisdictionLevel.PROVINCE: SupervisionLevel.PROVINCE,
    JurisdictionLevel.CITY: SupervisionLevel.CITY,
    JurisdictionLevel.COUNTY: SupervisionLevel.COUNTY,
}

# Non-workflow actions on a hazard, by who may take them.
FIELD_ACTIONS = frozenset({"view", "edit", "add_progress", "add_photo", "add_spending", "request_extension"})
SUPERVISOR_ACTIONS = frozenset({"grant_extension", "refuse_extension", "raise_level", "log_event", "add_budget"})
# After closure (销号) the money is settled (决算) by the supervisors at the hazard's level; the field
# no longer adds to a closed (or rejected, merged) hazard's ledger.
SETTLEMENT_ACTIONS = frozenset({"add_spending", "add_budget"})


class Actor(Protocol):
    id: int | None
    role: Role | None
    jurisdiction_code: str
    active: bool


class Target(Protocol):
    jurisdiction_code: str
    level: SupervisionLevel
    status: Status


@dataclass(frozen=True)
class SystemActor:
    """The actor of jobs and commands: not a person, so no id and no role; the whole country."""

    id: None = None
    role: None = None
    jurisdiction_code: str = NATIONAL_CODE
    active: bool = True
    name: str = "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def supervision_level_of(user: Actor) -> SupervisionLevel:
    return _SUPERVISOR_LEVEL[level_of(user.jurisdiction_code)]


# --- seeing: one rule, two faces -------------------------------------------------------------------

def can_see(user: Actor, hazard_or_code) -> bool:
    """May `user` see this hazard (or anything of this division code)?"""
    _consulted()
    code = getattr(hazard_or_code, "jurisdiction_code", hazard_or_code)
    # A malformed code names no division anyone may see (a typed or fuzzed value, not a server error).
    return bool(user.active) and _is_code(code) and is_within(code, user.jurisdiction_code)


def _is_code(code) -> bool:
    return isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit()


def within_clause(column, ancestor: str) -> ColumnElement[bool]:
    """SQL condition: `column` (a division code) lies in `ancestor`'s subtree; the SQL face of
    `is_within`, as a code range an ordinary index serves on both backends."""
    bounds = subtree_range(ancestor)
    if bounds is None:
        return true()
    return and_(column >= bounds[0], column <= bounds[1])


def visibility_key(user: Actor) -> tuple:
    """What `visible_clause(user)` is made of: users with equal keys are given the same clause, so a
    statement built with it may be reused for any of them (the API list keeps its page statements so).
    Keep it in step with `visible_clause`. Asking counts as consulting the permissions."""
    _consulted()
    return bool(user.active), user.jurisdiction_code


def visible_clause(user: Actor, column=None) -> ColumnElement[bool]:
    """SQL face of `can_see`: rows whose division code `column` (a hazard's by default) `user` may see."""
    _consulted()
    if column is None:
        from hazards.models import Hazard  # the models import nothing of this module; avoid a cycle anyway

        column = Hazard.jurisdiction_code
    if not user.active:
        return false()
    return within_clause(column, user.jurisdiction_code)


# --- acting ----------------------------------------------------------------------------------------

def can_report_in(user: Actor, jurisdiction_code: str) -> bool:
    """Log a new hazard in a division."""
    if user is SYSTEM:
        return _consulted()
    return can_see(user, jurisdiction_code) and user.role in (Role.INSPECTOR, Role.SUPERVISOR)


def can_import_into(user: Actor, jurisdiction_code: str) -> bool:
    """Bring hazards into a division from a ledger file: whoever may log hazards there, and the admins
    who manage it (they load a division's existing ledger when it starts using the system). Each row
    must still lie in the user's subtree; the importer checks that row by row."""
    return can_report_in(user, jurisdiction_code) or can_manage(user, jurisdiction_code)


def can_import_crashes(user: Actor, jurisdiction_code: str) -> bool:
    """Bring crash records of a division from a crash export (see the rule list above); the importer
    checks each row's division against the user's subtree. Crashes are seen through `can_see` and
    `visible_clause(user, Crash.jurisdiction_code)`, the hazards' own rule."""
    if user is SYSTEM:
        return _consulted()
    return can_see(user, jurisdiction_code) and user.role in (Role.SUPERVISOR, Role.ADMIN)


def may_import_crashes(user: Actor) -> bool:
    """Open the crash import page: whoever may import crashes into their own division."""
    return can_import_crashes(user, user.jurisdiction_code)


def can(user: Actor, action: str, hazard: Target) -> bool:
    """May `user` take `action` (a workflow action or one of the actions above) on `hazard`?"""
    if not can_see(user, hazard.jurisdiction_code):
        return False
    if action == "view":
        return True
    if user.role is Role.ADMIN or user is SYSTEM:
        return False
    transition = TRANSITIONS.get(action)
    if transition is not None:
        if user.role not in transition.roles:
            return False
        if user.role is Role.SUPERVISOR:
            return _within_level(user, hazard.level)
        # A field user's step that closes skips acceptance, so it is open only where no level supervises.
        return transition.target is not Status.CLOSED or hazard.level is SupervisionLevel.NONE
    if (action == "edit" or action in SETTLEMENT_ACTIONS) and hazard.status in CLOSED_STATUSES:
        return user.role is Role.SUPERVISOR and _within_level(user, hazard.level)
    if action in FIELD_ACTIONS:
        return True
    if action in SUPERVISOR_ACTIONS:
        return user.role is Role.SUPERVISOR and _within_level(user, hazard.level)
    return False


def decides_first(user: Actor, hazard: Target) -> bool:
    """Is a decision on `hazard` this supervisor's own to take, not merely one they may take?

    `can` lets every supervisor at or above a hazard's level decide it; the one whose turn it is works
    at the hazard's own level (a county's report, unlisted, is the county's). A hazard of a lower level
    lying in the supervisor's own division, where no lower body exists (a report filed at the city's
    own code), is theirs too. Their to-do list (待办) and the event notices asking for a decision follow
    this; the others can still act from the hazard's page.
    """
    _consulted()
    if user.role is not Role.SUPERVISOR or not can_see(user, hazard.jurisdiction_code):
        return False
    own = supervision_level_of(user)
    return hazard.level is own or (hazard.level.rank < own.rank and hazard.jurisdiction_code == user.jurisdiction_code)


def decides_first_clause(user: Actor) -> ColumnElement[bool]:
    """SQL face of `decides_first`: hazards `user` sees whose decisions are theirs to take first."""
    from hazards.models import Hazard

    _consulted()
    if user.role is not Role.SUPERVISOR:
        return false()
    own = supervision_level_of(user)
    below = [level for level in SupervisionLevel if level.rank < own.rank]
    return and_(visible_clause(user), or_(Hazard.level == own,
                                          and_(Hazard.level.in_(below), Hazard.jurisdiction_code == user.jurisdiction_code)))


def can_follow_job(user: Actor, jurisdiction_code: str | None, started_in_this_session: bool) -> bool:
    """See a background report job's progress and file: the division it reports on must be visible.
    Before the job has started it names no division yet; then only the browser session that asked
    for it may poll it, so job ids cannot be used to probe."""
    _consulted()
    if jurisdiction_code is None:
        return bool(user.active) and started_in_this_session
    return can_see(user, jurisdiction_code)


def can_set_level(user: Actor, level: SupervisionLevel) -> bool:
    """List or raise a hazard to `level`: a supervisor decides up to their own level, not above."""
    _consulted()
    return user.role is Role.SUPERVISOR and level.rank <= supervision_level_of(user).rank


@dataclass(frozen=True)
class ImportReach:
    """What a ledger file imported by one user may say about a hazard's workflow: only what that
    user could have brought about through the workflow itself."""

    statuses: frozenset[Status] | None  # None: any status
    decides: bool  # may rows carry supervision decisions and closure (督办级别, 督办单位, 销号日期, ...)
    highest_level: SupervisionLevel | None  # the highest level a row may carry; None: any

    def allows_status(self, status: Status) -> bool:
        return self.statuses is None or status in self.statuses

    def allows_level(self, level: SupervisionLevel) -> bool:
        if level is SupervisionLevel.NONE:
            return True
        return self.decides and (self.highest_level is None or level.rank <= self.highest_level.rank)


def _reachable_statuses(role: Role) -> frozenset[Status]:
    """Statuses a hazard reaches from 上报 through the transitions `role` may take."""
    reached, frontier = {Status.REPORTED}, [Status.REPORTED]
    while frontier:
        status = frontier.pop()
        for transition in TRANSITIONS.values():
            if status in transition.sources and role in transition.roles and transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    return frozenset(reached)


def import_reach(user: Actor) -> ImportReach:
    """Admins (migrating a division's historic ledger) and SYSTEM (the command line) bring anything;
    a supervisor brings what they could have decided, up to their own supervision level; an
    inspector brings reports only, since a file carries none of the evidence (the after photo, the
    reason) with which an inspector's own actions close a hazard."""
    _consulted()
    if user is SYSTEM or user.role is Role.ADMIN:
        return ImportReach(None, True, None)
    if user.role is Role.SUPERVISOR:
        settable = [level for level in SupervisionLevel
                    if level is not SupervisionLevel.NONE and can_set_level(user, level)]
        return ImportReach(_reachable_statuses(Role.SUPERVISOR), True, max(settable, key=lambda lv: lv.rank))
    return ImportReach(frozenset({Status.REPORTED}), False, None)


def can_review_crashes(user: Actor, jurisdiction_code: str) -> bool:
    """Decide on a crash-prone place of a division (事故多发点段): register it as a hazard or mark it
    covered by one. A supervisor's decision, in their own subtree; which crashes a place holds is read
    through `visible_clause(user, Crash.jurisdiction_code)` like every other row."""
    _consulted()
    return user.role is Role.SUPERVISOR and can_see(user, jurisdiction_code)


def reviews_crashes(user: Actor) -> bool:
    """Open the crash-prone places page and its data at all: supervisors (what it lists is then limited to
    the crashes they see, and each decision by `can_review_crashes`)."""
    _consulted()
    return bool(user.active) and user.role is Role.SUPERVISOR


def can_manage(user: Actor, jurisdiction_code: str) -> bool:
    """Manage users and organizations of a division."""
    return user.role is Role.ADMIN and can_see(user, jurisdiction_code)


def can_administer(user: Actor) -> bool:
    """Open the administration pages at all (what they show is then limited by `can_manage`)."""
    _consulted()
    return bool(user.active) and user.role is Role.ADMIN


def _within_level(user: Actor, level: SupervisionLevel) -> bool:
    return level.rank <= supervision_level_of(user).rank


# --- routes: every view declares its decision ------------------------------------------------------

@dataclass(frozen=True)
class RouteDecision:
    kind: str  # "public", "signed_in", "own_records", "checked_inside" or "requires"
    why: str


_ATTRIBUTE = "authorization"
_REGISTRY_KEY = "hazards.route_decisions"


def _decide(view: Callable, decision: RouteDecision) -> Callable:
    setattr(view, _ATTRIBUTE, decision)
    return view


def public(why: str) -> Callable[[Callable], Callable]:
    """Anyone may call it, signed in or not (the login page, the API's description)."""
    return lambda view: _decide(view, RouteDecision("public", why))


def own_records(view: Callable) -> Callable:
    """Signed in, and it touches only the caller's own records (their inbox, tokens, language)."""
    return _decide(view, RouteDecision("own_records", "only the caller's own records"))


def signed_in(why: str) -> Callable[[Callable], Callable]:
    """Any signed-in caller, the same for all: it describes, and shows no row of the ledger unfiltered."""
    return lambda view: _decide(view, RouteDecision("signed_in", why))


def checked_inside(view: Callable) -> Callable:
    """Signed in, and the service or read query it calls decides with the acting user
    (404 outside their subtree, 403 for a forbidden action). Audited under TESTING."""
    return _decide(view, RouteDecision("checked_inside", "the service or query it calls"))


def requires(rule: Callable[[Actor], bool]) -> Callable[[Callable], Callable]:
    """Signed in and `rule(current_user)` holds, or 403, before the view runs."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            from flask_login import current_user

            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not rule(current_user):
                abort(403)
            return view(*args, **kwargs)

        return _decide(guarded, RouteDecision("requires", rule.__name__))

    return decorate


def declare_endpoint(app: Flask, endpoint: str, decision: RouteDecision) -> None:
    """A decision for a view we did not write (Flask's `static`), whose function we cannot mark."""
    app.extensions.setdefault(_REGISTRY_KEY, {})[endpoint] = decision


def decision_for(app: Flask, endpoint: str) -> RouteDecision | None:
    declared = app.extensions.get(_REGISTRY_KEY, {}).get(endpoint)
    return declared or getattr(app.view_functions.get(endpoint), _ATTRIBUTE, None)


def init_app(app: Flask) -> None:
    declare_endpoint(app, "static", RouteDecision("public", "stylesheets, scripts and images"))
    if app.testing:
        app.after_request(_audit_checked_inside)


def _consulted() -> bool:
    # CKAN's idea: remember that this request asked, so a view that promised to ask can be held to it.
    if has_request_context():
        g.permissions_consulted = True
    return True


def _audit_checked_inside(response):
    if request.method == "OPTIONS":  # answered by Flask itself from the URL map; the view never ran
        return response
    decision = decision_for(current_app, request.endpoint) if request.endpoint else None
    if (decision is not None and decision.kind == "checked_inside" and response.status_code < 300
            and not g.get("permissions_consulted")):
        raise AssertionError(f"{request.endpoint} answered {response.status_code} without consulting "
                             f"hazards.permissions, though it is declared checked_inside")
    return response
