"""A real Celery worker (and beat) against Redis and against the embedded broker.

The worker is a separate process on a committed database, as in production; the test sends it
work through the broker and reads the outcome from the database, a real SMTP server and the inbox.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hazards import clock
from hazards import db as hazards_db
from hazards.domain.enums import DeliveryState, Status, SupervisionLevel
from hazards.models import Delivery, Notification, ReminderSent, TallySnapshot
from hazards.services.reference import ensure_reference_data
from hazards.services.registration import report_hazard
from tests.conftest import build_app, unavailable
from tests.factories import draft, user
from tests.servers import SmtpSink

REDIS = "redis://127.0.0.1:6379/15"
TODAY = clock.today()
DEADLINE = TODAY + timedelta(days=7)


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def settings(url: str, instance: Path, broker: str, smtp_port: int, **extra) -> dict:
    backend = REDIS if broker.startswith("redis") else f"db+sqlite:///{instance / 'results.sqlite'}"
    return {"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "BROKER_URL": broker, "RESULT_BACKEND": backend,
            "CELERY_QUEUE": f"test-{uuid.uuid4().hex[:8]}", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **extra}


class Worker:
    """`celery worker` in a subprocess, configured through HAZARDS_* variables like a deployment, on a
    host clock in UTC as many servers keep it (the jobs' "today" must still be the ledger's date)."""

    def __init__(self, config: dict, *, beat: bool = False, concurrency: int = 2):
        env = {**os.environ, **{f"HAZARDS_{k}": str(v) for k, v in config.items()}, "TZ": "UTC"}
        args = [sys.executable, "-m", "celery", "-A", "tasks.worker", "worker", "--pool=threads",
                f"--concurrency={concurrency}", "-Q", config["CELERY_QUEUE"], "--loglevel=INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat"]
        if beat:
            args += ["--beat", f"--schedule={Path(config['INSTANCE_PATH']) / 'beat-schedule'}"]
        self.log = Path(config["INSTANCE_PATH"]) / "worker.log"
        # A session of its own: with --beat, celery runs beat as a child process, which must go with the
        # worker (a SIGKILL of the worker alone left beat running, queueing jobs after the test ended).
        self.process = subprocess.Popen(args, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                        cwd=Path(__file__).resolve().parents[2], start_new_session=True)

    def finished_runs(self, task: str) -> int:
        """How many runs of `task` this worker has finished, as its own log tells."""
        return sum(1 for line in self.log.read_text().splitlines()
                   if f"Task {task}[" in line and " succeeded in " in line)

    def stop(self):
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self._signal(signal.SIGKILL)  # whatever of its children outlived it

    def kill(self):
        """SIGKILL to the worker and its children at once, as when its host dies."""
        self._signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def _signal(self, number: int) -> None:
        try:
            os.killpg(self.process.pid, number)
        except ProcessLookupError:
            pass


def wait_for(condition, timeout=60, message="condition", worker=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.3)
    log = worker.log.read_text()[-3000:] if worker else ""
    pytest.fail(f"timed out waiting for {message}\n{log}")


@pytest.fixture(params=["redis+spatialite", "embedded+spatialite",
                        pytest.param("redis+postgis", marks=pytest.mark.postgis)])
def setup(request, make_database, tmp_path):
    broker_kind, backend = request.param.split("+")
    if broker_kind == "redis" and not redis_up():
        unavailable("Redis not reachable at 127.0.0.1:6379")
    broker = REDIS if broker_kind == "redis" else f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"
    smtp = SmtpSink().__enter__()
    config = settings(make_database(backend), tmp_path, broker, smtp.port)
    app = build_app(config["DATABASE_URL"], tmp_path)
    app.config.update(config)
    from flask_migrate import upgrade

    from tasks.celery_app import make_celery

    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        people = {"county": user(session, "supervisor", "140902", login="county-sup"),
                  "finder": user(session, "inspector", "140902", login="finder")}
        for person in people.values():
            person.email = f"{person.login}@hazards.test"
        hazard = report_hazard(session, draft(level=SupervisionLevel.COUNTY, status=Status.LISTED,
                                              found_on=TODAY - timedelta(days=30), batch_year=TODAY.year,
                                              listed_on=TODAY - timedelta(days=20), deadline=DEADLINE),
                               actor=people["finder"])
        session.commit()
    make_celery(app)
    yield app, config, smtp, hazard.code
    smtp.__exit__()
    hazards_db.state(app).engine.dispose()


def count(app, model, *where):
    with app.app_context():
        session = hazards_db.get_session()
        return session.scalar(select(func.count(model.id)).where(*where))


def reminder_dates(app) -> set:
    with app.app_context():
        return set(hazards_db.get_session().scalars(select(ReminderSent.as_of)))


def all_delivered(app):
    return count(app, Delivery) > 0 and count(app, Delivery, Delivery.state.in_(
        [DeliveryState.PENDING, DeliveryState.SENDING])) == 0


def test_worker_sends_reminders_to_inbox_and_smtp_once(setup):
    app, config, smtp, code = setup
    celery = app.extensions["celery"]
    worker = Worker(config)
    try:
        # the job three times, two at once: a second beat, a redelivered message
        before = clock.today()
        runs = [celery.send_task("tasks.remind", queue=config["CELERY_QUEUE"]) for _ in range(3)]
        results = [r.get(timeout=90) for r in runs]
        dated = {before, clock.today()}  # the same day, unless the run straddled midnight in the ledger's zone
        assert sorted(r["created"] for r in results) == [0, 0, 1]
        assert sum(r["skipped"] for r in results) == 2
        wait_for(lambda: all_delivered(app), message="deliveries", worker=worker)
    finally:
        worker.stop()
    assert count(app, ReminderSent) == 1
    (as_of,) = reminder_dates(app)
    assert as_of in dated  # the ledger's date, not the host's (UTC) one
    assert count(app, Notification) == 2  # the county supervisor and the finder, once each
    (mail,) = smtp.to("county-sup@hazards.test")
    assert code in mail.get_content() and "剩余 7 天" in mail.get_content()
    assert len(smtp.messages) == 2


def test_beat_fires_the_schedule(setup):
    app, config, smtp, code = setup
    config = {**config, "BEAT_INTERVAL_SECONDS": 2}
    before = clock.today()
    worker = Worker(config, beat=True)
    try:
        wait_for(lambda: count(app, ReminderSent) == 1 and count(app, TallySnapshot) > 0,
                 timeout=90, message="scheduled reminders and tally", worker=worker)
        wait_for(lambda: all_delivered(app), message="deliveries", worker=worker)
        # Two more beats must have run the reminder job to its end before "nothing new" means anything.
        runs_so_far = worker.finished_runs("tasks.remind")
        wait_for(lambda: worker.finished_runs("tasks.remind") >= runs_so_far + 2, timeout=60,
                 message="two more runs of the reminder job", worker=worker)
        wait_for(lambda: all_delivered(app), message="deliveries after the later beats", worker=worker)
    finally:
        worker.stop()
    assert count(app, ReminderSent) == 1 and count(app, Notification) == 2
    assert len(smtp.messages) == 2
    with app.app_context():  # the tally too is dated by the ledger's day on a UTC host
        tallied = set(hazards_db.get_session().scalars(select(TallySnapshot.as_of)))
    assert tallied and tallied <= {before, clock.today()}
