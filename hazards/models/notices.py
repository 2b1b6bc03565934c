"""Reminders and what they turn into: inbox notifications and deliveries by e-mail and webhook.

Exactly once: a reminder is a row with a unique (hazard, stage, deadline) key, written before
anything is sent; a second run, a second beat or a redelivered task finds the key taken and
sends nothing. Each delivery is claimed by one worker, under a lease, before it is sent
(see `hazards.services.delivery`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hazards.domain.enums import DeliveryChannel, DeliveryState
from hazards.models.base import Base, utcnow
from hazards.models.types import enum_column


class ReminderSent(Base):
    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("hazard_id", "stage", "deadline", name="uq_reminders_sent_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    # lead_30 / lead_7 / lead_1, overdue_w0 (the day it falls overdue), overdue_w1... weekly, escalate
    stage: Mapped[str] = mapped_column(String(32))
    deadline: Mapped[date] = mapped_column(Date)
    as_of: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One digest to one user over one channel; `payload` holds what the digest says.

    The row is the whole truth about its sending, so nothing is kept only in a broker or a worker's
    memory: `next_attempt_at` says when a pending row is (re)queued, `claimed_by` and `lease_until`
    who is sending it and until when that claim holds unless its heartbeat renews it.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[DeliveryChannel] = mapped_column(enum_column(DeliveryChannel, "delivery_channel"))
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState, "delivery_state"), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    # host:pid of the worker holding the claim, and a token of the claim itself
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column()
    # Empty: as soon as possible.
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()


class Notification(Base):
    """The in-app inbox (站内通知).

    `delivery_id`: the inbox digest this note is. `about_delivery_id`: the undeliverable delivery this
    note alerts an admin to; unique per admin, so each admin hears of it once.
    `hazard_id`, `kind` and `data`: what the note is about, so the inbox shows it as a link to the
    hazard (an event notice: `kind` is the event, `data` the page's anchor) or, for a reminder digest
    (`kind` "reminder"), as its items grouped by stage (`data` the digest's items). Notes written before
    these existed have only their title and body.
    """

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("about_delivery_id", "user_id", name="uq_notifications_about_delivery"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"), unique=True)
    about_delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"))
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict | None] = mapped_column(JSON)
