"""The jobs. Each takes ids or dates (never ORM objects) and calls one hazards service."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy import delete

from hazards import clock
from hazards.db import get_session
from hazards.models import LoginAttempt
from hazards.models.base import utcnow
from hazards.services.delivery import deliver as deliver_one
from hazards.services.delivery import pending_ids
from hazards.services.reminders import ReminderSettings, plan_reminders
from hazards.services.tally import store_tally

RETRY_DELAYS = (30, 120, 600, 1800)


def _as_of(value: str | None) -> date:
    return date.fromisoformat(value) if value else clock.today()


@shared_task(name="tasks.remind")
def remind(as_of: str | None = None) -> dict:
    """Plan the day's reminders, then hand each digest to its own delivery task."""
    session = get_session()
    plan = plan_reminders(session, _as_of(as_of), ReminderSettings.from_config(current_app.config))
    session.commit()
    for delivery_id in plan.delivery_ids:
        deliver.delay(delivery_id)
    return {"created": plan.created, "skipped": plan.skipped, "deliveries": len(plan.delivery_ids)}


@shared_task(name="tasks.deliver", bind=True, max_retries=len(RETRY_DELAYS))
def deliver(self, delivery_id: int) -> str:
    outcome = deliver_one(get_session(), delivery_id)
    if outcome == "retry":
        raise self.retry(countdown=RETRY_DELAYS[min(self.request.retries, len(RETRY_DELAYS) - 1)])
    return outcome


@shared_task(name="tasks.tally")
def tally(as_of: str | None = None) -> int:
    session = get_session()
    rows = store_tally(session, _as_of(as_of))
    session.commit()
    return rows


@shared_task(name="tasks.housekeeping")
def housekeeping() -> dict:
    """Forget old failed logins; re-queue deliveries left pending (a retry whose task was lost); refresh
    the query planner's statistics (the embedded SQLite keeps none of its own)."""
    from geo.engine import refresh_statistics

    session = get_session()
    purged = session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < utcnow() - timedelta(days=1)))
    session.commit()
    refresh_statistics(session.connection())
    session.commit()
    requeued = pending_ids(session)
    for delivery_id in requeued:
        deliver.delay(delivery_id)
    return {"login_attempts_purged": purged.rowcount, "requeued": len(requeued)}
