"""Refusals read as sentences in the user's language: Chinese pages and flashes, and API problem
details in the language the request asks for, while the codes for programs stay English."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import ExtensionState, FundingKind, FundingSource, SupervisionLevel
from hazards.models import ExtensionRequest, Hazard, Organization
from hazards.services.funding import add_funding
from hazards.services.registration import report_hazard
from hazards.services.requirements import ActionInput
from hazards.services.supervision import request_extension
from hazards.services.tokens import issue_token
from hazards.services.workflow import change_status
from tests.factories import draft, user


@pytest.fixture
def inspector(session):
    return user(session, "inspector", "140902")


@pytest.fixture
def supervisor(session):
    return user(session, "supervisor", "140902")


@pytest.fixture
def listed(session, inspector, supervisor):
    """A hazard listed for county supervision, due in 60 days."""
    hazard = report_hazard(session, draft(), actor=inspector)
    body = Organization(name="忻府区人民政府", kind="supervising", jurisdiction_code="140902")
    session.add(body)
    session.flush()
    change_status(session, hazard.id, "verify", supervisor)
    change_status(session, hazard.id, "list", supervisor,
                  ActionInput(level=SupervisionLevel.COUNTY, deadline=clock.today() + timedelta(days=60),
                              supervising_body_id=body.id))
    session.commit()
    return hazard


def test_a_past_deadline_is_refused_in_chinese(client, auth, session, inspector, supervisor):
    hazard = report_hazard(session, draft(), actor=inspector)
    body = Organization(name="忻府区人民政府", kind="supervising", jurisdiction_code="140902")
    session.add(body)
    session.flush()
    change_status(session, hazard.id, "verify", supervisor)
    session.commit()
    auth.login(supervisor)
    response = client.post(f"/hazards/{hazard.id}/actions/list", follow_redirects=True,
                           data={"version": hazard.version, "level": "county", "deadline": "2020-01-31",
                                 "supervising_body_id": body.id})
    page = response.get_data(as_text=True)
    assert "整改期限 2020-01-31 已过。" in page
    assert "in the past" not in page and "deadline: past" not in page
    session.refresh(hazard)
    assert hazard.level is SupervisionLevel.NONE and hazard.deadline is None


def test_a_missing_hazard_is_a_chinese_404_page(client, auth, supervisor):
    auth.login(supervisor)
    response = client.get("/hazards/987654")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "没有编号为 987654 的隐患。" in page
    assert "no hazard" not in page.lower()


def test_a_grant_with_a_malformed_date_changes_nothing(client, auth, session, inspector, supervisor, listed):
    deadline = listed.deadline
    asked = request_extension(session, listed.id, inspector, deadline + timedelta(days=30), "雨季无法施工")
    session.commit()
    auth.login(supervisor)
    response = client.post(f"/hazards/{listed.id}/extensions/{asked.id}", follow_redirects=True,
                           data={"decision": "grant", "deadline": "2099-13-45", "note": "同意"})
    page = response.get_data(as_text=True)
    assert "请更正标出的字段。" in page and "整改期限：须为日期" in page
    assert "已批准延期" not in page
    session.expire_all()
    assert session.get(Hazard, listed.id).deadline == deadline
    assert session.get(ExtensionRequest, asked.id).state is ExtensionState.PENDING


def test_a_well_formed_grant_still_moves_the_deadline(client, auth, session, inspector, supervisor, listed):
    asked = request_extension(session, listed.id, inspector, listed.deadline + timedelta(days=30), "雨季无法施工")
    session.commit()
    granted = listed.deadline + timedelta(days=20)
    auth.login(supervisor)
    response = client.post(f"/hazards/{listed.id}/extensions/{asked.id}", follow_redirects=True,
                           data={"decision": "grant", "deadline": granted.isoformat()})
    assert "已批准延期" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Hazard, listed.id).deadline == granted


@pytest.mark.parametrize("language, detail", [
    ("zh-CN,zh;q=0.9", "没有编号为 987654 的隐患。"),
    ("en-US,en;q=0.8", "No hazard 987654 is known."),
])
def test_an_api_problem_detail_follows_accept_language(client, session, supervisor, language, detail):
    secret = issue_token(session, supervisor, "test")[1]
    session.commit()
    response = client.get("/api/v1/hazards/987654",
                          headers={"Authorization": f"Bearer {secret}", "Accept-Language": language})
    body = response.get_json()
    assert response.status_code == 404 and response.content_type == "application/problem+json"
    assert body["detail"] == detail
    assert body["code"] == "not_found" and body["type"] == "urn:hazards:problem:not_found"


def test_api_field_errors_keep_english_codes_and_a_translated_detail(client, session, supervisor, listed):
    secret = issue_token(session, supervisor, "test")[1]
    session.commit()
    response = client.post(f"/api/v1/hazards/{listed.id}/transitions",
                           json={"action": "start_works", "deadline": "2099-13-45", "plan_text": "x" * 20001},
                           headers={"Authorization": f"Bearer {secret}", "Accept-Language": "zh"})
    body = response.get_json()
    assert response.status_code == 422
    assert body["fields"] == {"deadline": "must be a date (YYYY-MM-DD)", "plan_text": "at most 20000 characters"}
    assert body["detail"] == "请更正标出的字段。"


def test_the_plan_text_limit_is_the_same_on_the_page_and_in_the_api(client, auth, session, supervisor, listed):
    """A plan longer than a form field used to allow (2,000 characters) is accepted on the page as in the API."""
    unit = Organization(name="忻府区交通运输局", kind="responsible", jurisdiction_code="140902")
    session.add(unit)
    add_funding(session, listed.id, supervisor, kind=FundingKind.BUDGET, source=FundingSource.COUNTY,
                amount=Decimal("120000"))
    session.commit()
    auth.login(supervisor)
    plan = "增设减速带、警告标志。" * 300  # 3,300 characters
    page = client.post(f"/hazards/{listed.id}/actions/approve_plan", follow_redirects=True,
                       data={"version": listed.version, "plan_text": plan, "responsible_unit_id": unit.id})
    assert "已完成" in page.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(Hazard.plan_text).where(Hazard.id == listed.id)) == plan
