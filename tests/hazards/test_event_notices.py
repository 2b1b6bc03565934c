"""Event notices: each change tells the right people once, never the actor; a refused change tells nobody;
a person who chose e-mail gets the notice through the delivery service and a real SMTP relay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hazards.domain.enums import (
    AttachmentPhase,
    DeliveryChannel,
    DeliveryState,
    EventKind,
    Status,
    SupervisionLevel,
)
from hazards.domain.errors import Forbidden, InvalidInput, RequirementsMissing, TransitionNotAllowed
from hazards.models import Delivery, Notification
from hazards.services.attachments import add_attachment
from hazards.services.delivery import DeliveryPolicy, deliver, requeue_due
from hazards.services.registration import report_hazard
from hazards.services.requirements import ActionInput
from hazards.services.supervision import decide_extension, log_event, raise_level, request_extension
from hazards.services.users import UserError, set_notification_preferences
from hazards.services.workflow import change_status
from hazards.storage.local import FolderStore
from tests.factories import draft, jpeg, user
from tests.servers import SmtpSink, WebhookSink

TODAY = date(2024, 4, 1)


def notices(session, since: int = 0) -> list[tuple[str, str]]:
    """(login of the recipient, kind) of every notice written after note id `since`, in order."""
    from hazards.models import User

    return [(login, kind) for login, kind in session.execute(
        select(User.login, Notification.kind).join(User, User.id == Notification.user_id)
        .where(Notification.id > since).order_by(Notification.id))]


def last_id(session) -> int:
    return session.scalar(select(func.max(Notification.id))) or 0


def step(session, hazard, action, actor, **given):
    return change_status(session, hazard.id, action, actor, ActionInput(**given), today=TODAY)


@pytest.fixture
def listed(session, people):
    """A county-level hazard found by the county's inspector, its plan approved, works started."""
    hazard = report_hazard(session, draft(level=SupervisionLevel.COUNTY, status=Status.PLAN_APPROVED,
                                          deadline=date(2024, 9, 30), responsible_unit="忻府区交通运输局"),
                           actor=people["inspector"])
    step(session, hazard, "start_works", people["inspector"])
    return hazard


@pytest.fixture
def unit(session, listed):
    """The responsible unit's one person (an inspector of the county)."""
    worker = user(session, "inspector", "140902", login="unit-worker")
    worker.organization_id = listed.responsible_unit_id
    session.flush()
    return listed.responsible_unit, worker


def test_a_new_report_tells_the_county_supervisor_once_and_not_the_reporter_or_the_levels_above(session, people):
    before = last_id(session)
    hazard = report_hazard(session, draft(), actor=people["inspector"])
    assert notices(session, before) == [("supervisor-140902", "reported")]
    note = session.scalar(select(Notification).where(Notification.id > before))
    assert note.hazard_id == hazard.id and note.data["anchor"] == "action-verify"
    assert note.title == f"新上报隐患待核实：{hazard.code}" and hazard.title in note.body


def test_a_report_by_the_county_supervisor_tells_nobody(session, people):
    before = last_id(session)
    report_hazard(session, draft(), actor=people["county"])
    assert notices(session, before) == []


def test_a_report_at_the_citys_own_code_goes_to_the_city(session, people):
    before = last_id(session)
    report_hazard(session, draft(jurisdiction_code="140900"), actor=people["city_inspector"])
    assert notices(session, before) == [("supervisor-140900", "reported")]


def test_extension_request_and_its_decision(session, people, listed):
    before = last_id(session)
    request = request_extension(session, listed.id, people["inspector"], date(2024, 12, 31), "雨季无法施工")
    assert notices(session, before) == [("supervisor-140902", "extension_requested")]
    before = last_id(session)
    decide_extension(session, request.id, people["county"], grant=True, note="同意")
    assert notices(session, before) == [("inspector-140902", "extension_granted")]
    note = session.scalar(select(Notification).where(Notification.id > before))
    assert note.title == f"{listed.code} 延期申请已批准，新整改期限 2024-12-31"

    request = request_extension(session, listed.id, people["inspector"], date(2025, 3, 31), "再延")
    before = last_id(session)
    decide_extension(session, request.id, people["county"], grant=False, note="不同意")
    assert notices(session, before) == [("inspector-140902", "extension_refused")]


def test_closure_request_acceptance_and_return(session, people, listed, unit, tmp_path):
    _, worker = unit
    add_attachment(session, listed.id, worker, data=jpeg(), filename="after.jpg", phase=AttachmentPhase.AFTER,
                   store=FolderStore(tmp_path))
    before = last_id(session)
    step(session, listed, "request_closure", worker, completed_on=date(2024, 3, 28))
    assert notices(session, before) == [("supervisor-140902", "closure_requested")]

    before = last_id(session)
    step(session, listed, "refuse_acceptance", people["county"], reason="护栏未完工")
    # the responsible unit's person (who also asked for closure: told once) and the finder
    assert sorted(notices(session, before)) == [("inspector-140902", "returned"), ("unit-worker", "returned")]

    step(session, listed, "request_closure", people["inspector"], completed_on=date(2024, 3, 30))
    before = last_id(session)
    step(session, listed, "accept", people["county"], acceptance_note="合格")
    assert sorted(notices(session, before)) == [("inspector-140902", "accepted"), ("unit-worker", "accepted")]


def test_a_raised_level_and_recorded_notices_reach_the_field_and_the_new_level(session, people, listed, unit):
    before = last_id(session)
    raise_level(session, listed.id, people["province"], SupervisionLevel.CITY, "事故多发")
    assert sorted(notices(session, before)) == [("inspector-140902", "level_raised"),
                                                ("supervisor-140900", "level_raised"),
                                                ("unit-worker", "level_raised")]
    before = last_id(session)
    log_event(session, listed.id, people["city"], EventKind.SUMMONS, "约谈责任单位负责人", document_no="忻安办〔2024〕9号")
    assert sorted(notices(session, before)) == [("inspector-140902", "summons"), ("unit-worker", "summons")]
    note = session.scalar(select(Notification).where(Notification.id > before).limit(1))
    assert note.title == f"{listed.code} 已记录约谈" and "忻安办〔2024〕9号" in note.body
    before = last_id(session)
    log_event(session, listed.id, people["inspector"], EventKind.PROGRESS, "护栏已进场")
    assert notices(session, before) == []  # progress notes are the field's daily work, not an event


def test_refused_actions_tell_nobody(session, people, listed):
    before = last_id(session)
    with pytest.raises(Forbidden):
        request_extension(session, listed.id, people["county_admin"], date(2024, 12, 31), "管理员无权")
    with pytest.raises(TransitionNotAllowed):
        step(session, listed, "verify", people["county"])
    with pytest.raises(RequirementsMissing):
        step(session, listed, "request_closure", people["inspector"])
    with pytest.raises(InvalidInput):
        request_extension(session, listed.id, people["inspector"], date(2024, 1, 1), "早于期限")
    with pytest.raises(Forbidden):
        raise_level(session, listed.id, people["county"], SupervisionLevel.CITY, "无权")
    with pytest.raises(Forbidden):
        log_event(session, listed.id, people["inspector"], EventKind.NOTICE, "无权通报")
    assert notices(session, before) == []
    assert session.scalar(select(func.count(Delivery.id))) == 0


def test_a_notice_exists_only_if_its_change_was_committed(app, session, people, listed):
    before = last_id(session)
    nested = session.begin_nested()
    request_extension(session, listed.id, people["inspector"], date(2024, 12, 31), "雨季")
    assert notices(session, before) == [("supervisor-140902", "extension_requested")]
    nested.rollback()
    assert notices(session, before) == []


def test_preferences_need_an_address_for_email(session, people):
    county = people["county"]
    with pytest.raises(UserError):
        set_notification_preferences(session, county, by_email=True, by_webhook=False)
    county.email = "county@hazards.test"
    set_notification_preferences(session, county, by_email=True, by_webhook=True)
    assert county.notify_by_email and county.notify_by_webhook


def test_a_chosen_email_goes_through_the_delivery_service_to_a_real_relay(app, session, people, listed):
    county = people["county"]
    county.email = "county@hazards.test"
    set_notification_preferences(session, county, by_email=True, by_webhook=False)
    people["inspector"].email = "inspector@hazards.test"  # has an address, but did not choose e-mail
    session.commit()
    policy = DeliveryPolicy(lease=timedelta(seconds=60))
    with SmtpSink() as smtp:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
        try:
            request = request_extension(session, listed.id, people["inspector"], date(2024, 12, 31), "雨季无法施工")
            session.commit()
            decide_extension(session, request.id, county, grant=True)
            session.commit()
            rows = session.scalars(select(Delivery)).all()
            assert [(r.user_id, r.channel, r.state) for r in rows] == [
                (county.id, DeliveryChannel.EMAIL, DeliveryState.PENDING)]
            due = requeue_due(session, policy)  # the sweep finds it due at once
            session.commit()
            assert due == [rows[0].id]
            assert deliver(session, rows[0].id, policy) == "sent"
        finally:
            app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    (message,) = smtp.messages
    assert message["To"].addresses[0].addr_spec == "county@hazards.test"
    assert message["Subject"] == f"{listed.code} 申请延期至 2024-12-31"
    text = message.get_content()
    assert "雨季无法施工" in text and f"/hazards/{listed.id}#extension" in text
    # The inbox note was written with the change, not by the delivery: one, not two.
    assert session.scalar(select(func.count(Notification.id)).where(Notification.user_id == county.id,
                                                                   Notification.kind == "extension_requested")) == 1


def test_a_chosen_webhook_gets_the_notice_with_its_hazard(app, session, people, listed):
    inspector = people["inspector"]
    set_notification_preferences(session, inspector, by_email=False, by_webhook=True)
    session.commit()
    request = request_extension(session, listed.id, inspector, date(2024, 12, 31), "雨季")
    session.commit()
    with WebhookSink() as hook:
        app.config["WEBHOOK_URL"] = hook.url
        try:
            decide_extension(session, request.id, people["county"], grant=False, note="理由不足")
            session.commit()
            (row,) = session.scalars(select(Delivery)).all()
            assert (row.user_id, row.channel) == (inspector.id, DeliveryChannel.WEBHOOK)
            assert deliver(session, row.id, DeliveryPolicy()) == "sent"
        finally:
            app.config["WEBHOOK_URL"] = ""
    (post,) = hook.posts
    assert post["recipient"]["login"] == inspector.login
    assert post["subject"] == f"{listed.code} 延期申请未获批准" and "理由不足" in post["text"]
    assert post["items"] == [{"hazard_id": listed.id, "code": listed.code, "title": listed.title,
                              "event": "extension_refused"}]
