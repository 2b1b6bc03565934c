"""Planning deadline reminders: which hazards are due which reminder, who hears of it, in what digest.

Planning writes the reminder keys first (a key already taken means the reminder went out before)
and the digests as pending deliveries, in one transaction; sending them is
`hazards.services.delivery`'s job. So a crash between the two loses nothing and doubles nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards import permissions
from hazards.db import insert_ignoring_duplicates
from hazards.domain.enums import DeliveryChannel, DeliveryState, Role, SupervisionLevel
from hazards.domain.reminder_rules import ESCALATE, LEVEL_ABOVE, days_left, escalation_due, stage_for
from hazards.models import Delivery, Hazard, ReminderSent, User
from hazards.queries.hazard_list import OPEN_STATUSES


@dataclass
class ReminderSettings:
    lead_days: tuple[int, ...] = (30, 7, 1)
    escalate_after_days: int = 14
    email_enabled: bool = False
    webhook_enabled: bool = False

    @classmethod
    def from_config(cls, config) -> ReminderSettings:
        return cls(
            lead_days=tuple(int(d) for d in config["REMINDER_LEAD_DAYS"]),
            escalate_after_days=int(config["ESCALATE_AFTER_DAYS"]),
            email_enabled=bool(config.get("MAIL_SERVER")),
            webhook_enabled=bool(config.get("WEBHOOK_URL")),
        )


@dataclass
class PlanResult:
    created: int = 0
    skipped: int = 0
    delivery_ids: list[int] = field(default_factory=list)


def plan_reminders(session: Session, as_of: date, settings: ReminderSettings) -> PlanResult:
    result = PlanResult()
    horizon = as_of + timedelta(days=max(settings.lead_days, default=0))
    hazards = session.scalars(
        select(Hazard).where(Hazard.status.in_(OPEN_STATUSES), Hazard.deadline.is_not(None),
                             Hazard.deadline <= horizon).order_by(Hazard.id)
    ).all()
    wanted = []
    for hazard in hazards:
        stage = stage_for(hazard.deadline, as_of, settings.lead_days)
        if stage:
            wanted.append((hazard, stage))
        if escalation_due(hazard.deadline, as_of, settings.escalate_after_days):
            wanted.append((hazard, ESCALATE))
    if not wanted:
        return result
    by_id = {h.id: h for h, _ in wanted}
    inserted = session.execute(
        insert_ignoring_duplicates(session, ReminderSent.__table__).returning(
            ReminderSent.hazard_id, ReminderSent.stage),
        [{"hazard_id": h.id, "stage": s, "deadline": h.deadline, "as_of": as_of} for h, s in wanted],
    ).all()
    result.created, result.skipped = len(inserted), len(wanted) - len(inserted)

    users = session.scalars(select(User).where(User.active.is_(True), User.role != Role.ADMIN)).all()
    digests: dict[int, list[dict]] = defaultdict(list)
    for hazard_id, stage in inserted:
        hazard = by_id[hazard_id]
        for user in _recipients(hazard, stage, users):
            digests[user.id].append(_item(hazard, stage, as_of))
    user_by_id = {u.id: u for u in users}
    for user_id, items in sorted(digests.items()):
        user = user_by_id[user_id]
        payload = {"as_of": as_of.isoformat(), "language": user.language, "items": items}
        channels = [DeliveryChannel.INBOX]
        if settings.email_enabled and user.email:
            channels.append(DeliveryChannel.EMAIL)
        if settings.webhook_enabled:
            channels.append(DeliveryChannel.WEBHOOK)
        for channel in channels:
            delivery = Delivery(user_id=user_id, channel=channel, state=DeliveryState.PENDING, payload=payload)
            session.add(delivery)
            session.flush()
            result.delivery_ids.append(delivery.id)
    return result


def _recipients(hazard: Hazard, stage: str, users: list[User]) -> list[User]:
    """The responsible unit's people, the inspector who found it, and the supervisors at its level;
    on escalation, the supervisors one level up instead."""
    supervising = hazard.level if hazard.level is not SupervisionLevel.NONE else SupervisionLevel.COUNTY
    if stage == ESCALATE:
        supervising = LEVEL_ABOVE[hazard.level]
    chosen = []
    for user in users:
        if not permissions.can_see(user, hazard.jurisdiction_code):
            continue
        is_supervisor = user.role is Role.SUPERVISOR and permissions.supervision_level_of(user) is supervising
        if stage == ESCALATE:
            if is_supervisor:
                chosen.append(user)
            continue
        in_unit = hazard.responsible_unit_id is not None and user.organization_id == hazard.responsible_unit_id
        if is_supervisor or in_unit or user.id == hazard.found_by_id:
            chosen.append(user)
    return chosen


def _item(hazard: Hazard, stage: str, as_of: date) -> dict:
    return {"hazard_id": hazard.id, "code": hazard.code, "title": hazard.title, "stage": stage,
            "level": hazard.level.value, "deadline": hazard.deadline.isoformat(),
            "days_left": days_left(hazard.deadline, as_of), "jurisdiction": hazard.jurisdiction_code}
