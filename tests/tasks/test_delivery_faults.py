"""Reminder e-mail under faults: real worker processes on Redis, a real SMTP server, a committed database.

A worker is killed (SIGKILL) in the middle of sends and a new one started; the relay is down for longer
than the old five attempts would have lasted; the relay is down for longer than the retry period. Each
test counts what reached the relay by Message-ID (one per digest, the same on every attempt) and
prints the counts: sent, lost, duplicates. Times are scaled down through the settings (a lease of two
seconds, back-off of half a second to one, a retry period of seconds or minutes).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hazards import clock
from hazards import db as hazards_db
from hazards.domain.enums import DeliveryChannel, DeliveryState, Status, SupervisionLevel
from hazards.models import Delivery, Notification
from hazards.services.delivery import message_id
from hazards.services.reference import ensure_reference_data
from hazards.services.registration import report_hazard
from tests.conftest import build_app, unavailable
from tests.factories import draft, user
from tests.servers import SmtpSink, _free_port
from tests.tasks.test_worker import REDIS, Worker, redis_up, settings, wait_for

TODAY = clock.today()
SUPERVISORS = 28  # with the inspector who found the hazard: 29 e-mail digests and 29 inbox digests
LEASE = 2
FAST = {"DELIVERY_LEASE_SECONDS": LEASE, "DELIVERY_SWEEP_SECONDS": 1, "DELIVERY_BACKOFF_BASE_SECONDS": 0.5,
        "DELIVERY_BACKOFF_CAP_SECONDS": 1, "BROKER_VISIBILITY_TIMEOUT": 10, "DELIVERY_RETRY_FOR_HOURS": 0.1}


@pytest.fixture(params=["spatialite", pytest.param("postgis", marks=pytest.mark.postgis)])
def ledger(request, make_database, tmp_path):
    """A county hazard due in seven days, its finder and 28 county supervisors with e-mail addresses,
    the county's admin and another county's; the relay's port, with nothing listening yet."""
    if not redis_up():
        unavailable("Redis not reachable at 127.0.0.1:6379")
    from flask_migrate import upgrade

    from tasks.celery_app import make_celery

    port = _free_port()
    config = settings(make_database(request.param), tmp_path, REDIS, port, **FAST)
    app = build_app(config["DATABASE_URL"], tmp_path)
    app.config.update(config)
    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        finder = user(session, "inspector", "140902", login="finder")
        people = [finder] + [user(session, "supervisor", "140902", login=f"sup-{n:02d}")
                             for n in range(1, SUPERVISORS + 1)]
        for person in people:
            person.email = f"{person.login}@hazards.test"
        user(session, "admin", "140902", login="county-admin")
        user(session, "admin", "140981", login="other-admin")
        report_hazard(session, draft(level=SupervisionLevel.COUNTY, status=Status.LISTED,
                                     found_on=TODAY - timedelta(days=30), batch_year=TODAY.year,
                                     listed_on=TODAY - timedelta(days=20), deadline=TODAY + timedelta(days=7)),
                      actor=finder)
        session.commit()
    make_celery(app)
    yield app, config, port
    hazards_db.state(app).engine.dispose()


def plan(app, config):
    app.extensions["celery"].send_task("tasks.remind", kwargs={"as_of": TODAY.isoformat()},
                                       queue=config["CELERY_QUEUE"]).get(timeout=60)


def emails(app) -> list[Delivery]:
    with app.app_context():
        return list(hazards_db.get_session().scalars(
            select(Delivery).where(Delivery.channel == DeliveryChannel.EMAIL).order_by(Delivery.id)))


def in_state(app, state: DeliveryState, channel=DeliveryChannel.EMAIL) -> int:
    with app.app_context():
        return len(hazards_db.get_session().scalars(
            select(Delivery.id).where(Delivery.channel == channel, Delivery.state == state)).all())


def all_sent(app) -> bool:
    rows = emails(app)
    return len(rows) == SUPERVISORS + 1 and all(r.state is DeliveryState.SENT for r in rows) \
        and in_state(app, DeliveryState.SENT, DeliveryChannel.INBOX) == SUPERVISORS + 1


def counted(app, messages, capsys, what: str) -> dict:
    """Sent, lost and duplicate digests, by the Message-IDs the relay holds; printed for the record."""
    sender = app.config["MAIL_DEFAULT_SENDER"]
    expected = {message_id(row, sender) for row in emails(app)}
    received = Counter(m["Message-ID"] for m in messages)
    counts = {"digests": len(expected), "sent": len(expected & set(received)), "lost": len(expected - set(received)),
              "duplicates": sum(n - 1 for n in received.values()), "strangers": len(set(received) - expected)}
    with capsys.disabled():
        print(f"\n[delivery faults, {backend_of(app)}] {what}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def backend_of(app) -> str:
    return "PostGIS" if app.config["DATABASE_URL"].startswith("postgresql") else "SpatiaLite"


def fresh_beat(config):
    # A worker killed with SIGKILL may leave its beat's schedule file half-written.
    for leftover in Path(config["INSTANCE_PATH"]).glob("beat-schedule*"):
        leftover.unlink()


@pytest.mark.parametrize("accepted", [False, True], ids=["before-the-relay-accepted", "after-the-relay-accepted"])
def test_a_worker_killed_mid_send_loses_no_digest(ledger, accepted, capsys):
    app, config, port = ledger
    held = 3
    with SmtpSink(port=port, hold=held, held_after_accept=accepted) as smtp:
        first = Worker(config, beat=True, concurrency=6)
        try:
            plan(app, config)
            wait_for(lambda: smtp.held == held and in_state(app, DeliveryState.SENT) == SUPERVISORS + 1 - held,
                     message="three sends held by the relay, the others sent", worker=first)
            sending = [r for r in emails(app) if r.state is DeliveryState.SENDING]
            assert len(sending) == held
            # The heartbeat keeps the claims alive while the relay holds them, far past one lease.
            wait_for(lambda: all(r.lease_until - r.claimed_at >= timedelta(seconds=2 * LEASE) and
                                 r.state is DeliveryState.SENDING for r in emails(app) if r.id in {s.id for s in sending}),
                     timeout=30, message="leases renewed while the sends are held", worker=first)
            assert {r.claimed_by for r in emails(app) if r.state is DeliveryState.SENDING} == \
                {r.claimed_by for r in sending}
        finally:
            first.kill()  # SIGKILL, in the middle of three sends
        fresh_beat(config)
        second = Worker(config, beat=True)
        try:
            wait_for(lambda: all_sent(app), timeout=90, message="every digest sent after the restart", worker=second)
        finally:
            second.stop()
        counts = counted(app, smtp.messages, capsys,
                         f"worker killed {'after' if accepted else 'before'} the relay accepted {held} held sends")
    assert counts["lost"] == 0 and counts["sent"] == SUPERVISORS + 1 and counts["strangers"] == 0
    taken_over = {r.id: r.claimed_by for r in emails(app)}
    assert all(taken_over[r.id] != r.claimed_by for r in sending)  # the new worker sent what the dead one held
    if accepted:
        # The window left: the relay had them, the dead worker had not marked them. Each comes again
        # under its original Message-ID, for mail systems to recognise.
        assert counts["duplicates"] == held
    else:
        assert counts["duplicates"] == 0 and len(smtp.abandoned) == held


def test_a_relay_outage_longer_than_five_attempts_loses_nothing(ledger, capsys):
    app, config, port = ledger
    worker = Worker(config, beat=True)
    try:
        plan(app, config)
        outage_began = time.monotonic()
        # The old code gave up after five attempts (about 42 minutes); this outage lasts seven or more.
        wait_for(lambda: len(emails(app)) == SUPERVISORS + 1 and min(r.attempts for r in emails(app)) >= 7,
                 timeout=90, message="seven failed attempts for every e-mail", worker=worker)
        assert in_state(app, DeliveryState.UNDELIVERABLE) == 0
        attempts_in_outage = min(r.attempts for r in emails(app))
        outage = time.monotonic() - outage_began
        with SmtpSink(port=port) as smtp:  # the relay comes back
            wait_for(lambda: all_sent(app), timeout=60, message="every digest sent once the relay is back",
                     worker=worker)
            messages = list(smtp.messages)
    finally:
        worker.stop()
    counts = counted(app, messages, capsys, f"relay down {outage:.0f} s, {attempts_in_outage}+ attempts per digest")
    assert counts == {"digests": SUPERVISORS + 1, "sent": SUPERVISORS + 1, "lost": 0, "duplicates": 0,
                      "strangers": 0}


def test_an_outage_past_the_retry_period_makes_digests_undeliverable_and_tells_the_admins_once(ledger, capsys):
    app, config, port = ledger
    config = {**config, "DELIVERY_RETRY_FOR_HOURS": 0.003}  # 10.8 seconds
    worker = Worker(config, beat=True)
    try:
        plan(app, config)
        wait_for(lambda: in_state(app, DeliveryState.UNDELIVERABLE) == SUPERVISORS + 1, timeout=60,
                 message="every e-mail undeliverable", worker=worker)
        # Sweeps go on: nothing undeliverable is tried again, and no admin is told twice.
        sweeps = worker.finished_runs("tasks.sweep_deliveries")
        wait_for(lambda: worker.finished_runs("tasks.sweep_deliveries") >= sweeps + 3, timeout=30,
                 message="three more sweeps", worker=worker)
        attempts = [r.attempts for r in emails(app)]
    finally:
        worker.stop()
    assert [r.attempts for r in emails(app)] == attempts and min(attempts) >= 2
    assert in_state(app, DeliveryState.SENT, DeliveryChannel.INBOX) == SUPERVISORS + 1
    with app.app_context():
        session = hazards_db.get_session()
        alerts = session.execute(select(Notification.user_id, Notification.about_delivery_id)
                                 .where(Notification.about_delivery_id.is_not(None))).all()
    admins = {login: uid for uid, login in _logins(app, ("county-admin", "other-admin"))}
    assert sorted(a for u, a in alerts if u == admins["county-admin"]) == sorted(r.id for r in emails(app))
    assert not [a for u, a in alerts if u == admins["other-admin"]]

    client = app.test_client()
    client.post("/login", data={"login": "county-admin", "password": "secret-pass"})
    page = client.get("/admin/deliveries?state=undeliverable").get_data(as_text=True)
    assert f'id="state-undeliverable">无法送达 ({SUPERVISORS + 1})' in page
    inbox = client.get("/inbox").get_data(as_text=True)
    assert inbox.count("提醒无法送达") == SUPERVISORS + 1
    with capsys.disabled():
        print(f"\n[delivery faults, {backend_of(app)}] relay down past the retry period: digests {len(attempts)}, sent 0, "
              f"undeliverable {in_state(app, DeliveryState.UNDELIVERABLE)} after {min(attempts)}-{max(attempts)} "
              f"attempts each, admin alerts {len(alerts)} (the county's admin {len(alerts)}, another county's 0)")


def _logins(app, logins):
    from hazards.models import User

    with app.app_context():
        return hazards_db.get_session().execute(select(User.id, User.login).where(User.login.in_(logins))).all()


def test_the_brokers_visibility_timeout_is_a_setting(tmp_path):
    """Redis hands a dead worker's task out again after this long; Kombu's default of an hour is kept
    unless an operator says otherwise."""
    if not redis_up():
        unavailable("Redis not reachable at 127.0.0.1:6379")
    from tasks.celery_app import make_celery

    for configured, expected in ((None, 3600), (600, 600)):
        app = build_app(f"sqlite:///{tmp_path / 'unused.sqlite'}", tmp_path)
        app.config.update(BROKER_URL=REDIS)
        if configured:
            app.config["BROKER_VISIBILITY_TIMEOUT"] = configured
        with make_celery(app).connection_for_write() as connection:
            assert connection.default_channel.visibility_timeout == expected
