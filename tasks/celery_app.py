"""The Celery app, made with (and running every task inside) the Flask app's context.

Broker: `HAZARDS_BROKER_URL` — Redis in production (`redis://host:6379/0`); by default a SQLite
file in the instance folder through Kombu's SQLAlchemy transport, so the embedded setup needs no
server. Results go to `HAZARDS_RESULT_BACKEND` (by default another SQLite file).

With Redis, a task taken by a worker that died goes back to the queue after
`HAZARDS_BROKER_VISIBILITY_TIMEOUT` (Kombu's `visibility_timeout`, one hour by default). Keep it longer
than the longest job: a task still running when it passes is handed to a second worker. Deliveries do
not wait for it: their lease and the sweep re-queue a dead worker's digests within a lease or two.
"""

from __future__ import annotations

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import worker_process_init
from flask import Flask

from hazards import db


def _at(hhmm: str) -> crontab:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return crontab(hour=hour, minute=minute)


def beat_schedule(config) -> dict:
    every = config.get("BEAT_INTERVAL_SECONDS")
    if every:  # tests and demos: everything every few seconds
        when = {name: float(every) for name in ("remind", "rank", "tally", "housekeeping", "sweep")}
    else:
        when = {"remind": _at(config["REMINDER_TIME"]), "tally": _at(config["TALLY_TIME"]),
                "rank": _at(config["RANKING_TIME"]),
                "housekeeping": _at(config["HOUSEKEEPING_TIME"]),
                "sweep": float(config["DELIVERY_SWEEP_SECONDS"])}
    return {
        "daily-deadline-reminders": {"task": "tasks.remind", "schedule": when["remind"]},
        "nightly-priority-ranking": {"task": "tasks.rank_priorities", "schedule": when["rank"]},
        "nightly-completion-tally": {"task": "tasks.tally", "schedule": when["tally"]},
        "housekeeping": {"task": "tasks.housekeeping", "schedule": when["housekeeping"]},
        "delivery-sweep": {"task": "tasks.sweep_deliveries", "schedule": when["sweep"]},
    }


def _transport_options(config) -> dict:
    # The embedded SQLite broker hands its options to create_engine, which knows no visibility timeout.
    if config["BROKER_URL"].split("://", 1)[0] in ("redis", "rediss", "sentinel"):
        return {"visibility_timeout": int(config["BROKER_VISIBILITY_TIMEOUT"])}
    return {}


def publishing_bounds(seconds: float, broker_url: str) -> dict:
    """Celery settings that make starting a job give up after about `seconds` while the broker or the
    result store is down, instead of retrying for a minute (or for ever) inside a web request.

    Publishing retries twice (Kombu's OperationalError after that) and the result store, which
    subscribes to the new task's channel before it is published, retries as often; each connection
    attempt waits at most a third of the budget. The worker keeps its own, patient reconnection to
    the broker (`broker_connection_retry`), so jobs resume by themselves when the broker is back.
    """
    attempt = max(seconds / 3, 0.5)
    retries = {"max_retries": 2, "interval_start": 0, "interval_step": attempt / 4, "interval_max": attempt / 2}
    bounds = {
        "broker_connection_timeout": attempt,
        "task_publish_retry_policy": retries,
        "redis_socket_connect_timeout": attempt,
        "result_backend_transport_options": {"retry_policy": retries},
    }
    if broker_url.startswith(("redis://", "rediss://")):  # the embedded SQLite broker has no socket to bound
        bounds["broker_transport_options"] = {"socket_connect_timeout": attempt}
    return bounds


def make_celery(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    bounds = publishing_bounds(float(app.config.get("JOB_QUEUE_TIMEOUT_SECONDS", 5)), app.config["BROKER_URL"])
    celery.conf.update(
        broker_url=app.config["BROKER_URL"],
        result_backend=app.config["RESULT_BACKEND"],
        broker_connection_retry_on_startup=True,
        timezone=app.config["TIMEZONE"],  # the ledger's zone (hazards.clock): 07:30 means 07:30 there
        # A task is acknowledged only when done: a worker killed mid-task leaves it to be redelivered,
        # and the reminder keys make the redelivery harmless.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={**_transport_options(app.config),
                                  **bounds.pop("broker_transport_options", {})},
        task_default_queue=app.config.get("CELERY_QUEUE", "hazards"),
        beat_schedule=beat_schedule(app.config),
        include=["tasks.jobs", "tasks.report_jobs"],
        **bounds,
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


@worker_process_init.connect
def _fresh_connections_after_fork(**_kwargs):
    # Connections inherited from the parent process must not be shared with it.
    from flask import current_app

    try:
        db.state(current_app).engine.dispose(close=False)
    except RuntimeError:
        pass
