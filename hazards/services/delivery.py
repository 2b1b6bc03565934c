"""Sending planned digests: claim one delivery under a lease, send it over its channel, record the outcome.

Never lost. The delivery row is the whole truth about its sending; nothing waits only in a broker or
in a worker's memory (with Redis, Celery's countdown retries sit in the worker that took them and die
with it).
- A worker claims a row with a conditional UPDATE (a pending row, or a sending row whose lease has
  lapsed), writing who it is and a lease; while the send is under way a heartbeat renews the lease.
  A worker that dies stops renewing, and once the lease lapses the row may be taken over: by a
  redelivered task, or by the sweep (`requeue_due`, every DELIVERY_SWEEP_SECONDS on beat), which puts
  the row back in the queue.
- A failed send leaves the row pending with the time of its next attempt, after a back-off that doubles
  up to a cap; the sweep queues it when that time comes.
- A digest still failing DELIVERY_RETRY_FOR_HOURS after it was planned is undeliverable, and the admins
  responsible for its recipient each get one inbox alert, in the transaction that says so.

Rarely repeated. Two workers never hold a claim at once; the row is marked sent as soon as the relay
(or webhook) has answered; each digest travels under a message id made from the delivery, the same on
every attempt (the e-mail's Message-ID), so a repeat can be recognised, and mail systems that
de-duplicate on Message-ID drop it. What is left: a worker that dies between the relay's acceptance
and the commit of the mark (milliseconds), or one that cannot reach the database for a whole lease
while its send is still under way; either way the next holder sends once more, under the same id.
Inbox notes are written in the transaction that marks the delivery sent, so they appear exactly once.

Leases are written and read with each worker host's own clock: hosts must agree (NTP) to well within a
lease, or a live claim may look lapsed to another host.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hazards.domain.enums import DeliveryChannel, DeliveryState
from hazards.models import Delivery, Notification, User
from hazards.models.base import utcnow
from hazards.services.channels import ChannelError, post_webhook, send_email
from hazards.services.delivery_alerts import alert_admins

log = logging.getLogger(__name__)

# A queued digest that no worker has taken after this many leases is queued again: its message may
# have been lost with the broker (a Redis restarted without persistence). A second message is harmless,
# since only one claim succeeds.
REQUEUE_AFTER_LEASES = 10
# The most rows one sweep queues; the rest wait for the next sweep.
SWEEP_BATCH = 1000


@dataclass(frozen=True)
class DeliveryPolicy:
    retry_for: timedelta = timedelta(hours=72)
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(seconds=60)

    @classmethod
    def from_config(cls, config) -> DeliveryPolicy:
        return cls(retry_for=timedelta(hours=float(config["DELIVERY_RETRY_FOR_HOURS"])),
                   backoff_base=timedelta(seconds=float(config["DELIVERY_BACKOFF_BASE_SECONDS"])),
                   backoff_cap=timedelta(seconds=float(config["DELIVERY_BACKOFF_CAP_SECONDS"])),
                   lease=timedelta(seconds=float(config["DELIVERY_LEASE_SECONDS"])))

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt: base, twice that, four times… up to the cap."""
        return min(self.backoff_cap, self.backoff_base * 2 ** min(max(attempts - 1, 0), 40))

    @property
    def requeue_after(self) -> timedelta:
        return self.lease * REQUEUE_AFTER_LEASES


def claim_token() -> str:
    """Who is claiming: the host and process (for people reading the row) and a token of this claim."""
    return f"{socket.gethostname()}:{os.getpid()}/{uuid.uuid4().hex[:8]}"


def claim(session: Session, delivery_id: int, holder: str, policy: DeliveryPolicy) -> bool:
    now = utcnow()
    claimed = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id,
               or_(Delivery.state == DeliveryState.PENDING,
                   and_(Delivery.state == DeliveryState.SENDING, _lapsed(now))))
        .values(state=DeliveryState.SENDING, claimed_at=now, claimed_by=holder, lease_until=now + policy.lease,
                attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return claimed == 1


def _lapsed(now):
    # A claim without a lease was made before leases existed: nobody renews it.
    return or_(Delivery.lease_until.is_(None), Delivery.lease_until < now)


def deliver(session: Session, delivery_id: int, policy: DeliveryPolicy | None = None) -> str:
    """Send one delivery; returns 'sent', 'skipped' (someone else has it, or had it), 'retry' or 'undeliverable'."""
    policy = policy or DeliveryPolicy.from_config(current_app.config)
    holder = claim_token()
    if not claim(session, delivery_id, holder, policy):
        return "skipped"
    delivery = session.get(Delivery, delivery_id, populate_existing=True)
    user = session.get(User, delivery.user_id)
    try:
        subject, body = _compose(delivery, user)
        if delivery.channel is DeliveryChannel.INBOX:
            return _write_inbox_note(session, delivery, user, subject, body)
        # No transaction stays open during the send: on SQLite it would hold the write lock all along.
        session.commit()
        with _lease_kept(session.get_bind().engine, delivery_id, holder, policy.lease):
            _send(delivery, user, subject, body)
    except ChannelError as exc:
        return _record_failure(session, delivery, holder, str(exc), policy)
    except Exception as exc:  # noqa: BLE001 - a digest that cannot even be written must not loop for ever
        log.exception("delivery %s failed unexpectedly", delivery_id)
        session.rollback()
        return _record_failure(session, delivery, holder, f"{type(exc).__name__}: {exc}", policy)
    if not _mark_sent(session, delivery_id):
        log.warning("delivery %s was sent again: it had been marked sent meanwhile", delivery_id)
    session.commit()
    return "sent"


def _write_inbox_note(session: Session, delivery: Delivery, user: User, subject: str, body: str) -> str:
    if not _mark_sent(session, delivery.id):
        session.rollback()
        return "skipped"
    payload = delivery.payload
    session.add(Notification(user_id=user.id, title=subject, body=body, delivery_id=delivery.id, kind="reminder",
                             data={"as_of": payload.get("as_of"), "items": payload.get("items", [])}))
    session.commit()
    return "sent"


def _mark_sent(session: Session, delivery_id: int) -> bool:
    # Whoever holds the claim now: the message has gone, and that is what the row must say.
    return session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.state != DeliveryState.SENT)
        .values(state=DeliveryState.SENT, sent_at=utcnow(), last_error=None, lease_until=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def _record_failure(session: Session, delivery: Delivery, holder: str, error: str, policy: DeliveryPolicy) -> str:
    now = utcnow()
    give_up_at = delivery.created_at + policy.retry_for
    if now >= give_up_at:
        outcome, values = "undeliverable", {"state": DeliveryState.UNDELIVERABLE, "next_attempt_at": None}
    else:
        next_attempt = min(now + policy.backoff(delivery.attempts), give_up_at)
        outcome, values = "retry", {"state": DeliveryState.PENDING, "next_attempt_at": next_attempt}
    # Only the holder of the claim records how its attempt went; a lost claim leaves it to the new holder.
    recorded = session.execute(
        update(Delivery).where(Delivery.id == delivery.id, Delivery.state == DeliveryState.SENDING,
                               Delivery.claimed_by == holder)
        .values(last_error=error[:2000], lease_until=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not recorded:
        session.rollback()
        return "skipped"
    if outcome == "undeliverable":
        alert_admins(session, session.get(Delivery, delivery.id, populate_existing=True))
    session.commit()
    return outcome


def _give_up_lapsed(session: Session, now, policy: DeliveryPolicy) -> None:
    """Claims that lapsed after the retry period: undeliverable, not sent once more. A digest whose
    sending kills its worker every time would otherwise be handed from worker to worker for ever."""
    for delivery in session.scalars(
            select(Delivery).where(Delivery.state == DeliveryState.SENDING, _lapsed(now),
                                   Delivery.created_at <= now - policy.retry_for)
            .execution_options(populate_existing=True)):
        given_up = session.execute(
            update(Delivery).where(Delivery.id == delivery.id, Delivery.state == DeliveryState.SENDING,
                                   Delivery.claimed_by == delivery.claimed_by, _lapsed(now))
            .values(state=DeliveryState.UNDELIVERABLE, lease_until=None, next_attempt_at=None)
            .execution_options(synchronize_session=False)).rowcount == 1
        if given_up:
            alert_admins(session, session.get(Delivery, delivery.id, populate_existing=True))


@contextmanager
def _lease_kept(engine: Engine, delivery_id: int, holder: str, lease: timedelta) -> Iterator[None]:
    """Renew the claim's lease every third of it until the block ends: a send may outlast one lease."""
    done = threading.Event()

    def beat() -> None:
        while not done.wait(lease.total_seconds() / 3):
            try:
                with engine.begin() as conn:
                    conn.execute(update(Delivery.__table__)
                                 .where(Delivery.__table__.c.id == delivery_id,
                                        Delivery.__table__.c.state == DeliveryState.SENDING,
                                        Delivery.__table__.c.claimed_by == holder)
                                 .values(lease_until=utcnow() + lease))
            except SQLAlchemyError:
                log.warning("could not renew the lease on delivery %s", delivery_id, exc_info=True)

    heart = threading.Thread(target=beat, name=f"lease-{delivery_id}", daemon=True)
    heart.start()
    try:
        yield
    finally:
        done.set()
        heart.join(timeout=lease.total_seconds())


def requeue_due(session: Session, policy: DeliveryPolicy) -> list[int]:
    """The deliveries to queue now, marked as queued; the caller commits, then queues them.

    A claim whose lease lapsed (its worker died) goes back to pending, due at once, or is undeliverable
    when the retry period is over (the admins are told in the same transaction). A pending row is due
    when its next attempt time has come; one that has none (queued when planned) when it has waited
    `policy.requeue_after` without being taken. Each row queued is given `requeue_after` before the sweep
    queues it again.
    """
    now = utcnow()
    _give_up_lapsed(session, now, policy)
    session.execute(
        update(Delivery).where(Delivery.state == DeliveryState.SENDING, _lapsed(now))
        .values(state=DeliveryState.PENDING, next_attempt_at=now, lease_until=None)
        .execution_options(synchronize_session=False))
    due = list(session.scalars(
        select(Delivery.id).where(
            Delivery.state == DeliveryState.PENDING,
            or_(Delivery.next_attempt_at <= now,
                and_(Delivery.next_attempt_at.is_(None), Delivery.created_at <= now - policy.requeue_after)))
        .order_by(Delivery.id).limit(SWEEP_BATCH)))
    if due:
        session.execute(update(Delivery).where(Delivery.id.in_(due), Delivery.state == DeliveryState.PENDING)
                        .values(next_attempt_at=now + policy.requeue_after)
                        .execution_options(synchronize_session=False))
    return due


def message_id(delivery: Delivery, sender: str) -> str:
    """The digest's Message-ID: the same on every attempt, and unique across installations in practice."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "hazards.local"
    return f"<reminder-{delivery.id}.{delivery.created_at:%Y%m%d%H%M%S}@{domain}>"


def _compose(delivery: Delivery, user: User) -> tuple[str, str]:
    """The subject and text of a deadline reminder digest, or of one event notice (`payload["kind"]` is
    "event": worded in the recipient's language when it was written, see `hazards.services.notifications`)."""
    payload = delivery.payload
    if payload.get("kind") == "event":
        with force_locale(payload.get("language") or "zh"):
            body = render_template("email/event_notice.txt", user=user, payload=payload,
                                   base_url=current_app.config["BASE_URL"].rstrip("/"))
        return payload["title"], body
    with force_locale(payload.get("language") or "zh"):
        subject = _("Hazard deadline reminders: %(n)d item(s)", n=len(payload["items"]))
        body = render_template("email/reminder_digest.txt", user=user, payload=payload,
                               base_url=current_app.config["BASE_URL"].rstrip("/"))
    return subject, body


def _send(delivery: Delivery, user: User, subject: str, body: str) -> None:
    config = current_app.config
    mid = message_id(delivery, config["MAIL_DEFAULT_SENDER"])
    if delivery.channel is DeliveryChannel.EMAIL:
        send_email(config, to=user.email, to_name=user.name, subject=subject, body=body, message_id=mid)
    elif delivery.channel is DeliveryChannel.WEBHOOK:
        post_webhook(config["WEBHOOK_URL"], {
            "msgtype": "text", "recipient": {"login": user.login, "name": user.name, "phone": user.phone},
            "subject": subject, "text": body, "items": delivery.payload.get("items", []),
        }, message_id=mid)
