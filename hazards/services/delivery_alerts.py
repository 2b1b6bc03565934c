"""Telling the admins that a digest could not be delivered: one inbox alert for each, once.

The alert goes to every active admin whose jurisdiction holds the recipient (the admins who manage
that account and can fix its address), in the admin's own language. It is written in the transaction
that makes the delivery undeliverable, and (delivery, admin) is unique among alerts, so each admin
hears of each undeliverable delivery exactly once.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards import clock, permissions
from hazards.db import insert_ignoring_duplicates
from hazards.domain.enums import Role
from hazards.domain.labels import label
from hazards.models import Delivery, Notification, User
from hazards.models.base import utcnow


def alert_admins(session: Session, delivery: Delivery) -> int:
    """Write the alerts (the caller commits); returns how many admins were newly told."""
    recipient = session.get(User, delivery.user_id)
    admins = session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True))
                             .order_by(User.id)).all()
    told = [admin for admin in admins
            if recipient is None or permissions.can_see(admin, recipient.jurisdiction_code)]
    if not told:
        return 0
    now = utcnow()
    rows = [{"user_id": admin.id, "about_delivery_id": delivery.id, "created_at": now,
             **_alert_text(delivery, recipient, admin.language)} for admin in told]
    inserted = session.execute(insert_ignoring_duplicates(session, Notification.__table__)
                               .returning(Notification.__table__.c.id), rows).all()
    return len(inserted)


def _alert_text(delivery: Delivery, recipient: User | None, language: str) -> dict:
    planned = clock.local(delivery.created_at)
    with force_locale(language or "zh"):
        channel = label(delivery.channel, language)
        who = recipient.name if recipient else "—"
        title = _("Reminder undeliverable: %(channel)s to %(name)s", channel=channel, name=who)
        body = render_template("email/undeliverable_alert.txt", delivery=delivery, recipient=recipient,
                               channel=channel, planned=planned.strftime("%Y-%m-%d %H:%M"),
                               base_url=current_app.config["BASE_URL"].rstrip("/"))
    return {"title": title[:200], "body": body}
