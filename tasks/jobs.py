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
from hazards.services.crash_history import refresh_crash_history
from hazards.services.delivery import DeliveryPolicy, requeue_due
from hazards.services.priority_ranking import rank_all
from hazards.services.delivery import deliver as deliver_one
from hazards.services.reminders import ReminderSettings, plan_reminders
from hazards.services.tally import store_tally


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


@shared_task(name="tasks.deliver")
def deliver(delivery_id: int) -> str:
    """Send one digest. A failure is not retried here: the row keeps its next attempt time and the
    sweep queues it then (a countdown retry would wait in this worker's memory and die with it)."""
    return deliver_one(get_session(), delivery_id, DeliveryPolicy.from_config(current_app.config))


@shared_task(name="tasks.sweep_deliveries")
def sweep_deliveries() -> dict:
    """Queue the digests whose next attempt is due and those whose worker died mid-send."""
    session = get_session()
    due = requeue_due(session, DeliveryPolicy.from_config(current_app.config))
    session.commit()
    for delivery_id in due:
        deliver.delay(delivery_id)
    return {"requeued": len(due)}


@shared_task(name="tasks.rank_priorities")
def rank_priorities(as_of: str | None = None) -> None:
    """Rank every hazard by priority for the new day, just after midnight, so the list walks the stored
    ranks again (until then it scores live); the crash histories it reads are counted by the tally's run."""
    session = get_session()
    rank_all(session, as_of=_as_of(as_of))
    session.commit()


@shared_task(name="tasks.tally")
def tally(as_of: str | None = None) -> int:
    """The nightly completion tally; then every open hazard's crash history, whose period moves on
    each day, and every hazard's stored priority rank for the day (age and lateness move daily, and a
    change of PRIORITY_WEIGHTS is ranked in here: until then the list sorts by the live score)."""
    session = get_session()
    day = _as_of(as_of)
    rows = store_tally(session, day)
    session.commit()
    refresh_crash_history(session, as_of=day)
    session.commit()
    return rows


@shared_task(name="tasks.housekeeping")
def housekeeping() -> dict:
    """Forget old failed logins; drop photos kept for a logging form never saved (a day old), report
    files older than REPORT_FILES_KEPT_DAYS and what writes that died left in the store (an hour old);
    refresh the query planner's statistics (the embedded SQLite keeps none of its own) and mark the
    crash records' new pages all-visible (geo.engine.mark_all_visible). Digests are
    re-queued by `sweep_deliveries`, every few minutes."""
    from flask import current_app

    from geo.engine import mark_all_visible, refresh_statistics
    from hazards.services import report_files, staged_uploads
    from hazards.storage import current_store

    session = get_session()
    purged = session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < utcnow() - timedelta(days=1)))
    session.commit()
    refresh_statistics(session.connection())
    session.commit()
    mark_all_visible(session.get_bind(), "crashes")
    store = current_store()
    return {
        "login_attempts_purged": purged.rowcount,
        "staged_uploads_dropped": staged_uploads.drop_stale(store),
        "report_files_dropped": report_files.drop_expired(store, float(current_app.config["REPORT_FILES_KEPT_DAYS"])),
        "abandoned_writes_dropped": store.drop_abandoned_writes(3600),
    }
