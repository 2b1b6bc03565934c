"""Sending one digest in-process: the claim and its lease, the back-off kept on the row, the sweep, the
undeliverable state with its one alert per admin, and the Message-ID a repeat shares with its original.

The same under real worker processes, a killed worker and a relay outage: tests/tasks/test_delivery_faults.py.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from hazards.domain.enums import DeliveryChannel, DeliveryState
from hazards.models import Delivery, Notification
from hazards.models.base import utcnow
from hazards.services.delivery import DeliveryPolicy, claim, claim_token, deliver, message_id, requeue_due
from hazards.services.delivery_alerts import alert_admins
from tests.factories import user
from tests.servers import SmtpSink, WebhookSink, _free_port

POLICY = DeliveryPolicy(retry_for=timedelta(hours=72), backoff_base=timedelta(seconds=30),
                        backoff_cap=timedelta(hours=1), lease=timedelta(seconds=60))
ITEM = {"hazard_id": 1, "code": "140902-2024-0001", "title": "急弯", "stage": "lead_7", "level": "county",
        "deadline": "2024-06-30", "days_left": 7, "jurisdiction": "140902"}


def digest(session, person, channel=DeliveryChannel.EMAIL, **values) -> Delivery:
    person.email = f"{person.login}@hazards.test"
    values = {"state": DeliveryState.PENDING, **values}
    row = Delivery(user_id=person.id, channel=channel,
                   payload={"as_of": "2024-06-23", "language": person.language, "items": [ITEM]}, **values)
    session.add(row)
    session.commit()
    return row


def reloaded(session, delivery) -> Delivery:
    return session.get(Delivery, delivery.id, populate_existing=True)


@contextmanager
def relay(app, port: int):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)


def alerts(session, delivery) -> list[tuple[int, str]]:
    return session.execute(select(Notification.user_id, Notification.title)
                           .where(Notification.about_delivery_id == delivery.id).order_by(Notification.user_id)).all()


def test_the_back_off_doubles_up_to_its_cap():
    assert [POLICY.backoff(n).total_seconds() for n in range(1, 10)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert POLICY.backoff(10_000) == timedelta(hours=1)


def test_a_relay_down_for_more_than_five_attempts_leaves_the_digest_waiting_on_its_row(app, session, people):
    row = digest(session, people["county"])
    with relay(app, _free_port()):  # nothing listens there: every attempt is refused
        for attempt in range(1, 8):
            before = utcnow()
            assert deliver(session, row.id, POLICY) == "retry"
            after = reloaded(session, row)
            assert after.state is DeliveryState.PENDING and after.attempts == attempt and after.claimed_by
            wait = POLICY.backoff(attempt)
            assert before + wait <= after.next_attempt_at <= utcnow() + wait
    assert after.last_error == f"e-mail to {people['county'].email} failed: [Errno 111] Connection refused"


def test_when_the_retry_period_is_over_the_digest_is_undeliverable_and_each_admin_is_told_once(
        app, session, people, client, auth):
    elsewhere = user(session, "admin", "140981", login="other-admin")
    retired = user(session, "admin", "140902", login="retired-admin")
    retired.active = False
    people["admin"].language = "en"
    row = digest(session, people["county"], created_at=utcnow() - timedelta(hours=71, minutes=59, seconds=50))
    with relay(app, _free_port()):
        assert deliver(session, row.id, POLICY) == "retry"
        # the last attempt falls due when the period ends, not a back-off later
        assert reloaded(session, row).next_attempt_at == row.created_at + POLICY.retry_for
        session.execute(update(Delivery).where(Delivery.id == row.id)
                        .values(created_at=row.created_at - timedelta(minutes=1)))
        session.commit()
        assert deliver(session, row.id, POLICY) == "undeliverable"
        assert deliver(session, row.id, POLICY) == "skipped"
    assert reloaded(session, row).state is DeliveryState.UNDELIVERABLE
    told = dict(alerts(session, row))
    assert set(told) == {people["county_admin"].id, people["admin"].id, people["province_admin"].id}
    assert elsewhere.id not in told and retired.id not in told
    assert told[people["admin"].id] == f"Reminder undeliverable: E-mail to {people['county'].name}"
    assert alert_admins(session, reloaded(session, row)) == 0  # a second alert finds them all told
    session.commit()
    assert len(alerts(session, row)) == 3

    auth.login(people["county_admin"])
    inbox = client.get("/inbox").get_data(as_text=True)
    assert f"提醒无法送达：电子邮件，收件人 {people['county'].name}" in inbox and "已尝试 2 次" in inbox


def test_a_claim_is_taken_over_only_once_its_lease_has_lapsed(app, session, people):
    row = digest(session, people["county"])
    assert claim_token().startswith(f"{socket.gethostname()}:{os.getpid()}/")
    assert claim(session, row.id, "host-a:11/aaaa", POLICY)
    assert not claim(session, row.id, "host-b:22/bbbb", POLICY)  # a redelivered task while A is alive
    session.execute(update(Delivery).where(Delivery.id == row.id).values(lease_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert claim(session, row.id, "host-b:22/bbbb", POLICY)  # A stopped renewing: B takes over
    after = reloaded(session, row)
    assert after.claimed_by == "host-b:22/bbbb" and after.attempts == 2 and after.state is DeliveryState.SENDING


def test_the_sweep_queues_lapsed_claims_and_due_attempts_and_then_waits(app, session, people):
    now = utcnow()
    person = people["county"]
    rows = {
        "just planned": digest(session, person),
        "planned, never taken": digest(session, person, created_at=now - timedelta(hours=1)),
        "retry due": digest(session, person, next_attempt_at=now - timedelta(seconds=1)),
        "retry later": digest(session, person, next_attempt_at=now + timedelta(hours=1)),
        "worker died": digest(session, person, state=DeliveryState.SENDING, claimed_by="gone:1/x",
                              lease_until=now - timedelta(seconds=1)),
        "worker sending": digest(session, person, state=DeliveryState.SENDING, claimed_by="here:2/y",
                                 lease_until=now + timedelta(seconds=50)),
        "sent": digest(session, person, state=DeliveryState.SENT),
    }
    # sent to a worker that died, again and again, until the retry period ran out
    rows["worker died, too late"] = digest(session, person, state=DeliveryState.SENDING, claimed_by="gone:3/z",
                                           lease_until=now - timedelta(seconds=1), attempts=70,
                                           created_at=now - POLICY.retry_for - timedelta(minutes=1))
    queued = requeue_due(session, POLICY)
    session.commit()
    assert sorted(queued) == sorted(rows[n].id for n in ("planned, never taken", "retry due", "worker died"))
    assert reloaded(session, rows["worker died"]).state is DeliveryState.PENDING
    assert reloaded(session, rows["worker sending"]).state is DeliveryState.SENDING
    assert reloaded(session, rows["worker died, too late"]).state is DeliveryState.UNDELIVERABLE
    assert len(alerts(session, rows["worker died, too late"])) == 3  # the county's, city's and province's admins
    assert requeue_due(session, POLICY) == []  # queued rows are given time to be taken before queued again


def test_a_digest_that_cannot_be_written_waits_for_its_next_attempt_like_a_failed_send(app, session, people):
    row = digest(session, people["county"], channel=DeliveryChannel.INBOX)
    row.payload = {"as_of": "2024-06-23", "language": "zh"}  # no items: the digest cannot be written
    session.commit()
    assert deliver(session, row.id, POLICY) == "retry"
    after = reloaded(session, row)
    assert after.state is DeliveryState.PENDING and after.last_error == "KeyError: 'items'"
    assert after.next_attempt_at is not None


def test_a_repeat_carries_the_message_id_of_the_original(app, session, people):
    row, other = digest(session, people["county"]), digest(session, people["county"])
    with SmtpSink() as smtp, relay(app, smtp.port):
        assert deliver(session, row.id, POLICY) == "sent"
        # as if the worker had died between the relay's answer and the mark: sent a second time
        session.execute(update(Delivery).where(Delivery.id == row.id).values(state=DeliveryState.PENDING))
        session.commit()
        assert deliver(session, row.id, POLICY) == "sent"
        assert deliver(session, other.id, POLICY) == "sent"
    first, repeat, another = smtp.messages
    assert first["Message-ID"] == repeat["Message-ID"] == message_id(row, app.config["MAIL_DEFAULT_SENDER"])
    assert another["Message-ID"] != first["Message-ID"]
    assert first["Message-ID"].endswith("@localhost>")

    hook_row = digest(session, people["county"], channel=DeliveryChannel.WEBHOOK)
    with WebhookSink() as hook:
        app.config["WEBHOOK_URL"] = hook.url
        try:
            assert deliver(session, hook_row.id, POLICY) == "sent"
        finally:
            app.config["WEBHOOK_URL"] = ""
    assert hook.posts[0]["message_id"] == message_id(hook_row, app.config["MAIL_DEFAULT_SENDER"])


def test_admins_see_the_deliveries_of_their_people_undeliverable_first(app, session, people, client, auth):
    digest(session, people["county"], state=DeliveryState.UNDELIVERABLE, attempts=80,
                  last_error="e-mail to x@hazards.test failed: 550 5.1.1 mailbox unavailable")
    digest(session, people["inspector"], state=DeliveryState.SENT)
    digest(session, people["other_inspector"], state=DeliveryState.UNDELIVERABLE)  # another county's
    auth.login(people["county_admin"])
    page = client.get("/admin/deliveries").get_data(as_text=True)
    assert 'id="state-undeliverable">无法送达 (1)' in page and 'id="state-sent">已发送 (1)' in page
    assert page.index("delivery-undeliverable") < page.index("delivery-sent")
    assert "550 5.1.1 mailbox unavailable" in page and people["other_inspector"].login not in page
    only = client.get("/admin/deliveries?state=undeliverable").get_data(as_text=True)
    assert people["county"].login in only and people["inspector"].login not in only

    auth.logout()
    auth.login(people["county"])
    assert client.get("/admin/deliveries").status_code == 403


@pytest.mark.parametrize("state", list(DeliveryState))
def test_every_delivery_state_has_a_label(state):
    from hazards.domain.labels import label

    assert label(state, "zh") != state.value and label(state, "en") != state.value
