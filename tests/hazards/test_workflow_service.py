"""The workflow on real databases: the whole path, its requirements, its history, and who is refused."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from hazards.domain.enums import AttachmentPhase, EventKind, FundingKind, FundingSource, Status, SupervisionLevel
from hazards.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, RequirementsMissing, TransitionNotAllowed
from hazards.models import DeadlineChange, LevelChange, Organization, StatusChange
from hazards.services.attachments import add_attachment
from hazards.services.funding import add_funding, funding_totals
from hazards.services.registration import report_hazard
from hazards.services.requirements import ActionInput
from hazards.services.supervision import decide_extension, log_event, raise_level, request_extension
from hazards.services.workflow import change_status
from hazards.storage.local import FolderStore
from tests.factories import draft, jpeg

TODAY = date(2024, 4, 1)


@pytest.fixture
def hazard(session, people):
    return report_hazard(session, draft(), actor=people["inspector"])


@pytest.fixture
def body(session):
    org = Organization(name="忻府区人民政府", kind="supervising", jurisdiction_code="140902")
    unit = Organization(name="忻府区交通运输局", kind="responsible", jurisdiction_code="140902")
    session.add_all([org, unit])
    session.flush()
    return org, unit


def step(session, hazard, action, actor, **given):
    return change_status(session, hazard.id, action, actor, ActionInput(**given), today=TODAY)


def test_the_whole_path_from_report_to_closure_is_recorded(session, people, hazard, body, tmp_path):
    org, unit = body
    county, inspector = people["county"], people["inspector"]
    step(session, hazard, "verify", county)
    step(session, hazard, "list", county, level=SupervisionLevel.COUNTY, deadline=date(2024, 9, 30),
         supervising_body_id=org.id, document_no="忻府安办〔2024〕3号")
    add_funding(session, hazard.id, county, kind=FundingKind.BUDGET, source=FundingSource.COUNTY,
                amount=Decimal("185000.00"))
    step(session, hazard, "approve_plan", county, plan_text="增设警告标志和减速带", responsible_unit_id=unit.id)
    step(session, hazard, "start_works", inspector)
    add_attachment(session, hazard.id, inspector, data=jpeg(), filename="after.jpg", phase=AttachmentPhase.AFTER,
                   store=FolderStore(tmp_path))
    step(session, hazard, "request_closure", inspector, completed_on=date(2024, 3, 28))
    step(session, hazard, "accept", county, acceptance_note="现场验收合格")

    assert hazard.status is Status.CLOSED and hazard.closed_on == TODAY and hazard.accepted_by_id == county.id
    trail = session.execute(
        select(StatusChange.action, StatusChange.to_status).where(StatusChange.hazard_id == hazard.id)
        .order_by(StatusChange.id)).all()
    assert [a for a, _ in trail] == ["report", "verify", "list", "approve_plan", "start_works",
                                     "request_closure", "accept"]
    levels = session.execute(select(LevelChange.from_level, LevelChange.to_level)
                             .where(LevelChange.hazard_id == hazard.id)).all()
    assert levels == [(SupervisionLevel.NONE, SupervisionLevel.COUNTY)]
    deadlines = session.scalars(select(DeadlineChange.to_deadline).where(DeadlineChange.hazard_id == hazard.id)).all()
    assert deadlines == [date(2024, 9, 30)]
    assert funding_totals(session, hazard.id)[FundingKind.BUDGET] == Decimal("185000.00")


@pytest.mark.parametrize(
    "action, given, missing",
    [
        ("list", {}, ["level", "deadline", "supervising_body"]),
        ("list", {"level": SupervisionLevel.COUNTY}, ["deadline", "supervising_body"]),
        ("reject", {}, ["reason"]),
        ("reject", {"reason": "   "}, ["reason"]),
        ("merge", {}, ["merge_target"]),
    ],
)
def test_missing_requirements_are_named(session, people, hazard, action, given, missing):
    step(session, hazard, "verify", people["county"])
    with pytest.raises(RequirementsMissing) as caught:
        step(session, hazard, action, people["county"], **given)
    assert caught.value.details["missing"] == missing
    assert hazard.status is Status.VERIFIED  # nothing changed


def test_closure_needs_an_after_photo_and_a_completion_date(session, people, hazard, body, tmp_path):
    _to_remediation(session, people, hazard, body)
    with pytest.raises(RequirementsMissing) as caught:
        step(session, hazard, "request_closure", people["inspector"])
    assert caught.value.details["missing"] == ["after_photo", "completed_on"]
    add_attachment(session, hazard.id, people["inspector"], data=jpeg(), filename="before.jpg",
                   phase=AttachmentPhase.BEFORE, store=FolderStore(tmp_path))
    with pytest.raises(RequirementsMissing) as caught:
        step(session, hazard, "request_closure", people["inspector"], completed_on=TODAY)
    assert caught.value.details["missing"] == ["after_photo"]  # a 'before' photo is not evidence of a fix


def test_plan_approval_needs_plan_budget_and_unit(session, people, hazard, body):
    org, _ = body
    step(session, hazard, "verify", people["county"])
    step(session, hazard, "list", people["county"], level=SupervisionLevel.COUNTY, deadline=date(2024, 9, 30),
         supervising_body_id=org.id)
    with pytest.raises(RequirementsMissing) as caught:
        step(session, hazard, "approve_plan", people["county"])
    assert caught.value.details["missing"] == ["plan", "budget", "responsible_unit"]


def test_refused_transitions_change_nothing(session, people, hazard):
    with pytest.raises(TransitionNotAllowed):
        step(session, hazard, "accept", people["county"], acceptance_note="ok")
    assert hazard.status is Status.REPORTED


def test_inspector_cannot_verify_and_outsiders_cannot_see(session, people, hazard):
    with pytest.raises(Forbidden):
        step(session, hazard, "verify", people["inspector"])
    with pytest.raises(NotFound):
        step(session, hazard, "verify", people["other_county"])
    with pytest.raises(NotFound):
        step(session, hazard, "verify", people["other_inspector"])


def test_county_supervisor_cannot_close_a_city_listed_hazard(session, people, hazard, body, tmp_path):
    org, unit = body
    city = people["city"]
    step(session, hazard, "verify", city)
    step(session, hazard, "list", city, level=SupervisionLevel.CITY, deadline=date(2024, 9, 30),
         supervising_body_id=org.id)
    add_funding(session, hazard.id, city, kind=FundingKind.BUDGET, source=FundingSource.CITY, amount=Decimal("1000"))
    step(session, hazard, "approve_plan", city, plan_text="方案", responsible_unit_id=unit.id)
    step(session, hazard, "start_works", people["inspector"])
    add_attachment(session, hazard.id, people["inspector"], data=jpeg(), filename="a.jpg",
                   phase=AttachmentPhase.AFTER, store=FolderStore(tmp_path))
    step(session, hazard, "request_closure", people["inspector"], completed_on=TODAY)
    with pytest.raises(Forbidden):
        step(session, hazard, "accept", people["county"], acceptance_note="合格")
    step(session, hazard, "accept", city, acceptance_note="合格")
    assert hazard.status is Status.CLOSED


def test_county_supervisor_cannot_list_at_city_level(session, people, hazard, body):
    step(session, hazard, "verify", people["county"])
    with pytest.raises(Forbidden):
        step(session, hazard, "list", people["county"], level=SupervisionLevel.CITY, deadline=date(2024, 9, 30),
             supervising_body_id=body[0].id)


def test_extension_granted_moves_deadline_and_keeps_history(session, people, hazard, body):
    org, _ = body
    step(session, hazard, "verify", people["county"])
    step(session, hazard, "list", people["county"], level=SupervisionLevel.COUNTY, deadline=date(2024, 6, 30),
         supervising_body_id=org.id)
    with pytest.raises(InvalidInput):
        request_extension(session, hazard.id, people["inspector"], date(2024, 6, 1), "冬季无法施工")
    request = request_extension(session, hazard.id, people["inspector"], date(2024, 10, 31), "冬季无法施工")
    with pytest.raises(TransitionNotAllowed):
        request_extension(session, hazard.id, people["inspector"], date(2024, 11, 30), "again")
    with pytest.raises(Forbidden):
        decide_extension(session, request.id, people["inspector"], grant=True)
    decide_extension(session, request.id, people["county"], grant=True, note="同意延期")
    assert hazard.deadline == date(2024, 10, 31)
    history = session.execute(select(DeadlineChange.from_deadline, DeadlineChange.to_deadline)
                              .where(DeadlineChange.hazard_id == hazard.id).order_by(DeadlineChange.id)).all()
    assert history == [(None, date(2024, 6, 30)), (date(2024, 6, 30), date(2024, 10, 31))]


def test_refused_extension_keeps_the_deadline(session, people, hazard, body):
    step(session, hazard, "verify", people["county"])
    step(session, hazard, "list", people["county"], level=SupervisionLevel.COUNTY, deadline=date(2024, 6, 30),
         supervising_body_id=body[0].id)
    request = request_extension(session, hazard.id, people["inspector"], date(2024, 10, 31), "资金未到位")
    decide_extension(session, request.id, people["county"], grant=False, note="不予批准")
    assert hazard.deadline == date(2024, 6, 30)


def test_raising_the_level_keeps_history_and_respects_reach(session, people, hazard, body):
    step(session, hazard, "verify", people["county"])
    step(session, hazard, "list", people["county"], level=SupervisionLevel.COUNTY, deadline=date(2024, 6, 30),
         supervising_body_id=body[0].id)
    with pytest.raises(Forbidden):
        raise_level(session, hazard.id, people["county"], SupervisionLevel.CITY, "难度大")
    raise_level(session, hazard.id, people["city"], SupervisionLevel.CITY, "涉及多部门，提级督办")
    with pytest.raises(InvalidInput):
        raise_level(session, hazard.id, people["city"], SupervisionLevel.COUNTY, "降级")
    levels = session.execute(select(LevelChange.from_level, LevelChange.to_level)
                             .where(LevelChange.hazard_id == hazard.id).order_by(LevelChange.id)).all()
    assert levels == [(SupervisionLevel.NONE, SupervisionLevel.COUNTY), (SupervisionLevel.COUNTY, SupervisionLevel.CITY)]


def test_merge_a_duplicate_into_the_original(session, people, hazard):
    duplicate = report_hazard(session, draft(title="同一处急弯"), actor=people["inspector"])
    step(session, duplicate, "merge", people["county"], merge_target_id=hazard.id, reason="重复上报")
    assert duplicate.status is Status.MERGED and duplicate.merged_into_id == hazard.id
    with pytest.raises(InvalidInput):
        step(session, hazard, "merge", people["county"], merge_target_id=hazard.id)


def test_fix_on_the_spot_and_reopen_after_look_back(session, people, hazard, tmp_path):
    add_attachment(session, hazard.id, people["inspector"], data=jpeg(), filename="after.jpg",
                   phase=AttachmentPhase.AFTER, store=FolderStore(tmp_path))
    step(session, hazard, "fix_on_spot", people["inspector"], reason="当场补设警示桩", completed_on=TODAY)
    assert hazard.status is Status.CLOSED and hazard.closed_on == TODAY
    log_event(session, hazard.id, people["county"], EventKind.LOOKBACK, "回头看发现警示桩缺失")
    step(session, hazard, "reopen", people["county"], reason="回头看发现反弹")
    assert hazard.status is Status.IN_REMEDIATION and hazard.closed_on is None


def test_a_stale_save_is_refused_with_the_other_persons_changes(session, people, hazard):
    seen_version = hazard.version
    step(session, hazard, "verify", people["county"], note="核实属实")
    with pytest.raises(Conflict) as caught:
        change_status(session, hazard.id, "reject", people["county"], ActionInput(reason="不属实"),
                      expected_version=seen_version, today=TODAY)
    changes = caught.value.details["changes"]
    assert {"field": "status", "old": "reported", "new": "verified"}.items() <= changes[0].items()
    assert changes[0]["by"] == people["county"].name
    assert hazard.status is Status.VERIFIED


def test_notices_are_for_supervisors_progress_for_everyone(session, people, hazard):
    log_event(session, hazard.id, people["inspector"], EventKind.PROGRESS, "已进场施工")
    with pytest.raises(Forbidden):
        log_event(session, hazard.id, people["inspector"], EventKind.NOTICE, "通报")
    log_event(session, hazard.id, people["county"], EventKind.SUMMONS, "约谈责任单位负责人",
              document_no="忻府安办〔2024〕9号")


def test_inspectors_record_spending_but_not_budgets(session, people, hazard):
    add_funding(session, hazard.id, people["inspector"], kind=FundingKind.SPENDING, source=FundingSource.COUNTY,
                amount=Decimal("3000.50"))
    with pytest.raises(Forbidden):
        add_funding(session, hazard.id, people["inspector"], kind=FundingKind.BUDGET, source=FundingSource.COUNTY,
                    amount=Decimal("3000"))
    with pytest.raises(InvalidInput):
        add_funding(session, hazard.id, people["inspector"], kind=FundingKind.SPENDING,
                    source=FundingSource.COUNTY, amount=Decimal("-1"))


def _to_remediation(session, people, hazard, body):
    org, unit = body
    step(session, hazard, "verify", people["county"])
    step(session, hazard, "list", people["county"], level=SupervisionLevel.COUNTY,
         deadline=TODAY + timedelta(days=90), supervising_body_id=org.id)
    add_funding(session, hazard.id, people["county"], kind=FundingKind.BUDGET, source=FundingSource.COUNTY,
                amount=Decimal("50000"))
    step(session, hazard, "approve_plan", people["county"], plan_text="方案", responsible_unit_id=unit.id)
    step(session, hazard, "start_works", people["inspector"])
