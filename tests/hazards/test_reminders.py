"""Deadline reminders end to end in-process: who hears, in which language, over which channel, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hazards.domain.enums import DeliveryChannel, DeliveryState, Status, SupervisionLevel
from hazards.models import Delivery, Notification, Organization, ReminderSent
from hazards.permissions import SYSTEM
from hazards.services.delivery import deliver
from hazards.services.registration import report_hazard
from hazards.services.reminders import ReminderSettings, plan_reminders
from tests.factories import draft, user
from tests.servers import SmtpSink, WebhookSink

DEADLINE = date(2024, 6, 30)


@pytest.fixture
def cast(session):
    unit = Organization(name="忻府区交通运输局", kind="responsible", jurisdiction_code="140902")
    session.add(unit)
    session.flush()
    people = {
        "finder": user(session, "inspector", "140902", login="finder"),
        "unit_staff": user(session, "inspector", "140902", login="unit-staff"),
        "county": user(session, "supervisor", "140902", login="county-sup"),
        "city": user(session, "supervisor", "140900", login="city-sup"),
        "elsewhere": user(session, "supervisor", "140981", login="other-county"),
    }
    people["unit_staff"].organization_id = unit.id
    people["city"].language = "en"
    for i, person in enumerate(people.values()):
        person.email = f"{person.login}@hazards.test"
    session.flush()
    hazard = report_hazard(session, draft(level=SupervisionLevel.COUNTY, status=Status.LISTED, deadline=DEADLINE,
                                          listed_on=date(2024, 3, 10), responsible_unit="忻府区交通运输局"),
                           actor=people["finder"])
    hazard.responsible_unit_id = unit.id
    session.flush()
    return people, hazard


def run(session, app, as_of, **settings):
    plan = plan_reminders(session, as_of, ReminderSettings(**settings))
    session.commit()
    outcomes = [deliver(session, i) for i in plan.delivery_ids]
    return plan, outcomes


def inbox_of(session, person):
    return session.scalars(select(Notification).where(Notification.user_id == person.id)).all()


def test_seven_days_before_the_right_people_hear_in_their_language(app, session, cast):
    people, hazard = cast
    plan, outcomes = run(session, app, DEADLINE - timedelta(days=7))
    assert plan.created == 1 and set(outcomes) == {"sent"}
    for who in ("finder", "unit_staff", "county"):
        (note,) = inbox_of(session, people[who])
        assert hazard.code in note.body and "剩余 7 天" in note.body
    assert inbox_of(session, people["city"]) == []  # not escalated: the city is not told
    assert inbox_of(session, people["elsewhere"]) == []


def test_running_twice_sends_nothing_twice(app, session, cast):
    people, _ = cast
    run(session, app, DEADLINE - timedelta(days=7))
    plan, outcomes = run(session, app, DEADLINE - timedelta(days=7))
    assert plan.created == 0 and plan.skipped == 1 and outcomes == []
    plan, _ = run(session, app, DEADLINE - timedelta(days=5))  # still the 7-day stage
    assert plan.created == 0
    assert len(inbox_of(session, people["county"])) == 1


def test_escalation_reaches_the_city_after_fourteen_days(app, session, cast):
    people, hazard = cast
    run(session, app, DEADLINE + timedelta(days=13))
    assert inbox_of(session, people["city"]) == []
    run(session, app, DEADLINE + timedelta(days=14))
    (note,) = inbox_of(session, people["city"])
    assert "ESCALATED" in note.body and hazard.code in note.body  # the city supervisor reads English
    assert session.scalar(select(func.count(ReminderSent.id)).where(ReminderSent.stage == "escalate")) == 1


def test_one_digest_per_user_per_run(app, session, cast):
    people, _ = cast
    report_hazard(session, draft(title="第二处", level=SupervisionLevel.COUNTY, status=Status.LISTED,
                                 deadline=DEADLINE, listed_on=date(2024, 3, 10)), actor=SYSTEM)
    run(session, app, DEADLINE - timedelta(days=1))
    (note,) = inbox_of(session, people["county"])
    assert note.body.count("140902-2024-") == 2


def test_email_reaches_a_real_smtp_server_and_a_bad_address_does_not_block_the_rest(app, session, cast):
    people, hazard = cast
    with SmtpSink(refuse={"unit-staff@hazards.test"}) as smtp:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
        try:
            _, outcomes = run(session, app, DEADLINE - timedelta(days=30), email_enabled=True)
        finally:
            app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    assert outcomes.count("retry") == 1  # the refused one, to be tried again
    (mail,) = smtp.to("county-sup@hazards.test")
    assert "隐患整改期限提醒" in mail["Subject"] and hazard.code in mail.get_content()
    assert smtp.to("finder@hazards.test") and not smtp.to("unit-staff@hazards.test")
    failed = session.scalar(select(Delivery).where(Delivery.state == DeliveryState.PENDING,
                                                   Delivery.channel == DeliveryChannel.EMAIL))
    assert "550" in failed.last_error and failed.next_attempt_at is not None


def test_webhook_gets_one_json_post_per_digest(app, session, cast):
    people, hazard = cast
    with WebhookSink() as hook:
        app.config["WEBHOOK_URL"] = hook.url
        try:
            run(session, app, DEADLINE + timedelta(days=1), webhook_enabled=True)
        finally:
            app.config["WEBHOOK_URL"] = ""
    assert sorted(p["recipient"]["login"] for p in hook.posts) == ["county-sup", "finder", "unit-staff"]
    assert hook.posts[0]["items"][0]["code"] == hazard.code and hook.posts[0]["items"][0]["days_left"] == -1


def test_a_claimed_delivery_is_not_sent_again(app, session, cast):
    plan = plan_reminders(session, DEADLINE - timedelta(days=7), ReminderSettings())
    session.commit()
    first = plan.delivery_ids[0]
    assert deliver(session, first) == "sent"
    assert deliver(session, first) == "skipped"


def test_inbox_page_shows_digest_and_unread_count(app, client, auth, session, cast):
    people, hazard = cast
    run(session, app, DEADLINE - timedelta(days=7))
    auth.login(people["county"])
    page = client.get("/inbox").get_data(as_text=True)
    assert hazard.code in page and 'id="unread-count">1<' in page
    client.post("/inbox/read")
    assert 'id="unread-count"' not in client.get("/inbox").get_data(as_text=True)


def test_remind_command_reports_sent_and_skipped(runner, session, cast):
    as_of = (DEADLINE - timedelta(days=7)).isoformat()
    first = runner.invoke(args=["remind", "--as-of", as_of])
    assert "reminders: 1 sent, 0 skipped as already sent" in first.output
    assert "digests delivered: 3" in first.output
    again = runner.invoke(args=["remind", "--as-of", as_of])
    assert "reminders: 0 sent, 1 skipped as already sent" in again.output
    assert runner.invoke(args=["remind", "--as-of", "31/12/2024"]).exit_code != 0
