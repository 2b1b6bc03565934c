"""The deliveries page of the administration: digests to the people of the admin's subtree, by state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hazards import clock, permissions
from hazards.domain.enums import DeliveryState
from hazards.models import Delivery, User

# Undeliverable first (someone must act), then what is still under way, then what went.
_STATE_ORDER = case({DeliveryState.UNDELIVERABLE.value: 0, DeliveryState.SENDING.value: 1,
                     DeliveryState.PENDING.value: 2}, value=Delivery.state, else_=3)
PAGE_SIZE = 200


@dataclass(frozen=True)
class DeliveryRow:
    delivery: Delivery
    recipient: User
    planned: datetime
    next_attempt: datetime | None
    sent: datetime | None


def count_by_state(session: Session, admin) -> dict[DeliveryState, int]:
    found = dict(session.execute(
        select(Delivery.state, func.count(Delivery.id)).join(User, Delivery.user_id == User.id)
        .where(permissions.visible_clause(admin, User.jurisdiction_code)).group_by(Delivery.state)).all())
    return {state: found.get(state, 0) for state in DeliveryState}


def list_deliveries(session: Session, admin, state: DeliveryState | None) -> list[DeliveryRow]:
    """The newest `PAGE_SIZE` deliveries (of one state, if given), times in the ledger's zone."""
    stmt = (select(Delivery, User).join(User, Delivery.user_id == User.id)
            .where(permissions.visible_clause(admin, User.jurisdiction_code)))
    if state is not None:
        stmt = stmt.where(Delivery.state == state)
    stmt = stmt.order_by(_STATE_ORDER, Delivery.created_at.desc(), Delivery.id.desc()).limit(PAGE_SIZE)

    def local(moment: datetime | None) -> datetime | None:
        return clock.local(moment) if moment else None

    return [DeliveryRow(d, u, local(d.created_at), local(d.next_attempt_at) if d.state is DeliveryState.PENDING
                        else None, local(d.sent_at)) for d, u in session.execute(stmt).all()]
