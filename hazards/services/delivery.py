"""Sending planned digests: claim one delivery, send it over its channel, record the outcome.

A delivery is claimed with a conditional UPDATE, so two workers never both send it. A claim left
by a worker that died is taken over after `CLAIM_TIMEOUT`. Inbox notifications are written in the
same transaction that marks the delivery sent, so they appear exactly once; for e-mail and
webhooks the one window left is a worker killed after the far end accepted and before the mark.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hazards.domain.enums import DeliveryChannel, DeliveryState
from hazards.models import Delivery, Notification, User
from hazards.models.base import utcnow
from hazards.services.channels import ChannelError, post_webhook, send_email

CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 5


def claim(session: Session, delivery_id: int) -> bool:
    now = utcnow()
    claimed = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id,
               or_(Delivery.state == DeliveryState.PENDING,
                   (Delivery.state == DeliveryState.SENDING) & (Delivery.claimed_at < now - CLAIM_TIMEOUT)))
        .values(state=DeliveryState.SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
    ).rowcount
    session.commit()
    return claimed == 1


def deliver(session: Session, delivery_id: int) -> str:
    """Send one delivery; returns 'sent', 'skipped' (someone else has it), 'retry' or 'failed'."""
    if not claim(session, delivery_id):
        return "skipped"
    delivery = session.get(Delivery, delivery_id)
    user = session.get(User, delivery.user_id)
    try:
        _send(session, delivery, user)
    except ChannelError as exc:
        delivery.last_error = str(exc)[:2000]
        delivery.state = DeliveryState.FAILED if delivery.attempts >= MAX_ATTEMPTS else DeliveryState.PENDING
        session.commit()
        return "failed" if delivery.state is DeliveryState.FAILED else "retry"
    delivery.state, delivery.sent_at, delivery.last_error = DeliveryState.SENT, utcnow(), None
    session.commit()
    return "sent"


def pending_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Delivery.id).where(Delivery.state == DeliveryState.PENDING)
                                .order_by(Delivery.id)))


def _send(session: Session, delivery: Delivery, user: User) -> None:
    payload = delivery.payload
    with force_locale(payload.get("language") or "zh"):
        subject = _("Hazard deadline reminders: %(n)d item(s)", n=len(payload["items"]))
        body = render_template("email/reminder_digest.txt", user=user, payload=payload,
                               base_url=current_app.config["BASE_URL"].rstrip("/"))
    if delivery.channel is DeliveryChannel.INBOX:
        session.add(Notification(user_id=user.id, title=subject, body=body, delivery_id=delivery.id))
    elif delivery.channel is DeliveryChannel.EMAIL:
        send_email(current_app.config, to=user.email, to_name=user.name, subject=subject, body=body)
    elif delivery.channel is DeliveryChannel.WEBHOOK:
        post_webhook(current_app.config["WEBHOOK_URL"], {
            "msgtype": "text", "recipient": {"login": user.login, "name": user.name, "phone": user.phone},
            "subject": subject, "text": body, "items": payload["items"],
        })
