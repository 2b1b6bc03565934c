"""Event notices (事件通知): telling the people concerned that something happened to a hazard.

One path. The services that change a hazard call one function here after making the change and in
the same transaction (`workflow.change_status`, `supervision.request_extension`/`decide_extension`/
`raise_level`/`log_event`, `registration.report_hazard`), so a notice exists if and only if the change
was committed; a refused action raises before it gets here and tells nobody. The actor is never told
of their own action, and each person hears of one event once.

Who hears of what:
- a new report (上报) — the supervisors whose decision it is first (`permissions.decides_first`) and who
  may verify it;
- an extension request — those who may decide it; the decision — the person who asked;
- a closure request (申请销号) — those who may accept it;
- acceptance (验收销号) or its refusal, and a reopening after a look-back — the person who asked for
  closure, the responsible unit's people and the inspector who found it;
- a level raised — the supervisors of the new level whose decision it now is, the responsible unit's
  people and the finder;
- 通报, 约谈, 问责 recorded — the responsible unit's people, the finder, and the supervisors whose hazard it is.

Every notice is a note in the recipient's inbox, linked to the hazard (to the form that answers it where
there is one), worded in the recipient's language. A person who chose it in their preferences also gets it
by e-mail or at the webhook: a pending `Delivery` written here, due at once, which the delivery sweep hands
to a worker (`hazards.services.delivery`: lease, retries, the undeliverable alert) within
`DELIVERY_SWEEP_SECONDS`.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards import permissions
from hazards.domain.divisions import lineage
from hazards.domain.enums import DeliveryChannel, DeliveryState, EventKind, ExtensionState, Role, Status
from hazards.domain.labels import label
from hazards.models import Delivery, ExtensionRequest, Hazard, HazardEvent, Notification, StatusChange, User
from hazards.models.base import utcnow

# The page anchor each notice links to: the form that answers it, or the timeline.
ANCHORS = {
    "reported": "action-verify",
    "extension_requested": "extension",
    "closure_requested": "action-accept",
    "returned": "action-request_closure",
    "reopened": "action-request_closure",
    "level_raised": "timeline",
    "accepted": "timeline",
    "extension_granted": "timeline",
    "extension_refused": "timeline",
    "notice": "timeline",
    "summons": "timeline",
    "accountability": "timeline",
}
_STATUS_EVENTS = {"request_closure": "closure_requested", "accept": "accepted", "refuse_acceptance": "returned",
                  "reopen": "reopened"}
_RECORDED_EVENTS = {EventKind.NOTICE: "notice", EventKind.SUMMONS: "summons",
                    EventKind.ACCOUNTABILITY: "accountability"}


# --- called by the services, after their change, before their caller commits ----------------------

def hazard_reported(session: Session, hazard: Hazard, actor) -> None:
    if hazard.status is Status.REPORTED:
        _notify(session, hazard, "reported", actor, _deciders(session, hazard, "verify"))


def status_changed(session: Session, hazard: Hazard, action: str, actor, note: str | None) -> None:
    kind = _STATUS_EVENTS.get(action)
    if kind is None:
        return
    if kind == "closure_requested":
        people = _deciders(session, hazard, "accept")
    else:
        people = _field_people(session, hazard) + _closure_requesters(session, hazard)
    _notify(session, hazard, kind, actor, people, note=note)


def extension_requested(session: Session, hazard: Hazard, request: ExtensionRequest, actor) -> None:
    _notify(session, hazard, "extension_requested", actor, _deciders(session, hazard, "grant_extension"),
            note=request.reason, date=request.requested_deadline.isoformat())


def extension_decided(session: Session, hazard: Hazard, request: ExtensionRequest, actor) -> None:
    asker = session.get(User, request.requested_by_id) if request.requested_by_id else None
    granted = hazard.deadline if request.state is ExtensionState.GRANTED else None
    _notify(session, hazard, "extension_granted" if granted else "extension_refused", actor,
            [asker] if asker else [], note=request.decision_note, date=granted.isoformat() if granted else "")


def level_raised(session: Session, hazard: Hazard, actor, note: str | None) -> None:
    people = _deciders(session, hazard, "raise_level") + _field_people(session, hazard)
    _notify(session, hazard, "level_raised", actor, people, note=note, level=hazard.level)


def event_recorded(session: Session, hazard: Hazard, event: HazardEvent, actor) -> None:
    kind = _RECORDED_EVENTS.get(event.kind)
    if kind is None:
        return
    people = _field_people(session, hazard) + _deciders(session, hazard, "log_event")
    _notify(session, hazard, kind, actor, people, note=event.note, document_no=event.document_no or "")


# --- who ---------------------------------------------------------------------------------------------

def _deciders(session: Session, hazard: Hazard, action: str) -> list[User]:
    """The supervisors whose decision `action` on `hazard` is first, and who may take it."""
    candidates = session.scalars(select(User).where(
        User.active.is_(True), User.role == Role.SUPERVISOR,
        User.jurisdiction_code.in_(lineage(hazard.jurisdiction_code))).order_by(User.id))
    return [u for u in candidates if permissions.decides_first(u, hazard) and permissions.can(u, action, hazard)]


def _field_people(session: Session, hazard: Hazard) -> list[User]:
    """The responsible unit's people and the inspector who found the hazard, where they still see it."""
    people = []
    if hazard.responsible_unit_id is not None:
        people += session.scalars(select(User).where(User.active.is_(True), User.organization_id ==
                                                     hazard.responsible_unit_id).order_by(User.id))
    if hazard.found_by_id is not None:
        finder = session.get(User, hazard.found_by_id)
        if finder is not None:
            people.append(finder)
    return [u for u in people if u.active and u.role is not Role.ADMIN and permissions.can_see(u, hazard)]


def _closure_requesters(session: Session, hazard: Hazard) -> list[User]:
    """Who asked for the closure now decided: the latest request_closure on the hazard."""
    asker_id = session.scalar(select(StatusChange.changed_by_id).where(
        StatusChange.hazard_id == hazard.id, StatusChange.action == "request_closure")
        .order_by(StatusChange.id.desc()).limit(1))
    asker = session.get(User, asker_id) if asker_id else None
    return [asker] if asker is not None and asker.active and permissions.can_see(asker, hazard) else []


# --- writing -------------------------------------------------------------------------------------------

def _notify(session: Session, hazard: Hazard, kind: str, actor, people: list[User], *, note: str | None = None,
            **params) -> int:
    actor_id = getattr(actor, "id", None)
    seen: set[int] = set()
    settings = _channels()
    for person in people:
        if person is None or person.id == actor_id or person.id in seen:
            continue
        seen.add(person.id)
        title, body = _wording(hazard, kind, person.language, note, params)
        anchor = ANCHORS[kind]
        session.add(Notification(user_id=person.id, title=title[:200], body=body, hazard_id=hazard.id, kind=kind,
                                 data={"anchor": anchor, "code": hazard.code}))
        for channel in _chosen(person, settings):
            session.add(Delivery(user_id=person.id, channel=channel, state=DeliveryState.PENDING,
                                 next_attempt_at=utcnow(), payload={
                                     "kind": "event", "event": kind, "language": person.language,
                                     "title": title[:200], "body": body, "hazard_id": hazard.id,
                                     "code": hazard.code, "anchor": anchor,
                                     "items": [{"hazard_id": hazard.id, "code": hazard.code, "title": hazard.title,
                                                "event": kind}]}))
    if seen:
        session.flush()
    return len(seen)


def _channels() -> tuple[bool, bool]:
    if not has_app_context():
        return False, False
    return bool(current_app.config.get("MAIL_SERVER")), bool(current_app.config.get("WEBHOOK_URL"))


def _chosen(person: User, settings: tuple[bool, bool]) -> list[DeliveryChannel]:
    email_on, webhook_on = settings
    chosen = []
    if email_on and person.notify_by_email and person.email:
        chosen.append(DeliveryChannel.EMAIL)
    if webhook_on and person.notify_by_webhook:
        chosen.append(DeliveryChannel.WEBHOOK)
    return chosen


def _wording(hazard: Hazard, kind: str, language: str | None, note: str | None, params: dict) -> tuple[str, str]:
    language = language or "zh"
    code = hazard.code
    with force_locale(language):
        if kind == "reported":
            title = _("New report to verify: %(code)s", code=code)
        elif kind == "extension_requested":
            title = _("Extension requested for %(code)s, to %(date)s", code=code, date=params["date"])
        elif kind == "extension_granted":
            title = _("Extension granted for %(code)s: new deadline %(date)s", code=code, date=params["date"])
        elif kind == "extension_refused":
            title = _("Extension refused for %(code)s", code=code)
        elif kind == "closure_requested":
            title = _("Closure requested for %(code)s: awaiting acceptance", code=code)
        elif kind == "accepted":
            title = _("%(code)s accepted and closed", code=code)
        elif kind == "returned":
            title = _("%(code)s failed acceptance: back to remediation", code=code)
        elif kind == "reopened":
            title = _("%(code)s reopened after a look-back", code=code)
        elif kind == "level_raised":
            title = _("%(code)s raised to %(level)s supervision", code=code, level=label(params["level"], language))
        else:
            title = _("%(kind)s recorded on %(code)s", kind=label(EventKind(kind), language), code=code)
    lines = [hazard.title]
    if note:
        lines.append(note.strip())
    if params.get("document_no"):
        lines.append(params["document_no"])
    return title, "\n".join(lines)
