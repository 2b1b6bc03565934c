"""The to-do page and the inbox as people use them: an inspector asks for an extension, the county
supervisor finds it under 待办 and grants it, the inspector's inbox links to the hazard; a long reminder
digest is a short grouped list of links; each person chooses their channels."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import DeliveryChannel, DeliveryState, Status, SupervisionLevel
from hazards.models import Delivery, ExtensionRequest, Notification
from hazards.services.delivery import deliver
from hazards.services.registration import report_hazard
from tests.factories import draft

TODAY = clock.today()
DEADLINE = TODAY + timedelta(days=30)


@pytest.fixture
def hazard(session, people):
    made = report_hazard(session, draft(level=SupervisionLevel.COUNTY, status=Status.IN_REMEDIATION,
                                        deadline=DEADLINE, batch_year=TODAY.year,
                                        found_on=TODAY - timedelta(days=20)),
                         actor=people["inspector"])
    session.commit()
    return made


def header_count(page: str) -> int:
    return int(re.search(r'id="todo-link" class="nowrap">待办 \((\d+)\)<', page).group(1))


def test_an_extension_asked_found_in_todo_granted_and_told_back(client, auth, session, people, hazard):
    auth.login(people["inspector"])
    asked = client.post(f"/hazards/{hazard.id}/extensions",
                        data={"requested_deadline": (DEADLINE + timedelta(days=60)).isoformat(), "reason": "雨季"},
                        follow_redirects=True)
    assert asked.status_code == 200
    auth.logout()

    auth.login(people["county"])
    todo = client.get("/todo").get_data(as_text=True)
    assert "待审批的延期申请 (1)" in todo and header_count(todo) == 1
    assert f'href="/hazards/{hazard.id}#extension"' in todo
    assert 'id="extension"' in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'href="/todo" id="dashboard-todo"><div class="n">1</div>我的待办', dashboard)
    inbox = client.get("/inbox").get_data(as_text=True)
    assert f"{hazard.code} 申请延期至" in inbox
    # The city supervisor may see the hazard, but the decision is the county's: not on the city's list.
    auth.logout()
    auth.login(people["city"])
    assert header_count(client.get("/todo").get_data(as_text=True)) == 0
    auth.logout()

    auth.login(people["county"])
    pending = session.scalar(select(ExtensionRequest.id).where(ExtensionRequest.hazard_id == hazard.id))
    client.post(f"/hazards/{hazard.id}/extensions/{pending}", data={"decision": "grant", "note": "同意"})
    assert header_count(client.get("/todo").get_data(as_text=True)) == 0
    auth.logout()

    auth.login(people["inspector"])
    inbox = client.get("/inbox").get_data(as_text=True)
    note = session.scalar(select(Notification).where(Notification.user_id == people["inspector"].id))
    assert note.kind == "extension_granted" and note.hazard_id == hazard.id
    assert f'href="/inbox/{note.id}/open"' in inbox and "延期申请已批准" in inbox and 'class="unread"' in inbox
    opened = client.get(f"/inbox/{note.id}/open")
    assert opened.status_code == 303 and opened.headers["Location"] == f"/hazards/{hazard.id}#timeline"
    assert 'class="unread"' not in client.get("/inbox").get_data(as_text=True)
    todo = client.get("/todo").get_data(as_text=True)
    assert "您的延期申请已有结果 (1)" in todo and "已批准" in todo


def test_nobody_opens_anothers_note(client, auth, session, people, hazard):
    note = Notification(user_id=people["county"].id, title="x", body="", hazard_id=hazard.id, kind="reported",
                        data={"anchor": "action-verify"})
    session.add(note)
    session.commit()
    auth.login(people["inspector"])
    assert client.get(f"/inbox/{note.id}/open").status_code == 404
    assert client.post(f"/inbox/{note.id}/read").status_code == 404
    assert session.get(Notification, note.id).read_at is None


def test_a_44_item_digest_is_a_grouped_list_of_links(app, client, auth, session, people, hazard):
    items = [{"hazard_id": hazard.id, "code": f"140902-2025-{n:04d}", "title": f"隐患{n}" + "很长的名称" * 10,
              "stage": "overdue_w1" if n < 30 else ("escalate" if n < 32 else "lead_7"), "level": "county",
              "deadline": "2025-06-30", "days_left": -10 - n if n < 32 else 7, "jurisdiction": "140902"}
             for n in range(44)]
    row = Delivery(user_id=people["city"].id, channel=DeliveryChannel.INBOX, state=DeliveryState.PENDING,
                   payload={"as_of": TODAY.isoformat(), "language": "zh", "items": items})
    session.add(row)
    session.commit()
    assert deliver(session, row.id) == "sent"
    auth.login(people["city"])
    page = client.get("/inbox").get_data(as_text=True)
    assert app.config["BASE_URL"] not in page  # links inside the app, not the configured address
    groups = re.findall(r"<summary>([^<]+)</summary>", page)
    assert groups == ["已报上一级 (2)", "逾期 (30)", "即将到期 (12)"]
    assert page.count("<details open>") == 1  # the short group is open, the long ones folded
    assert page.count('/open?hazard=') == 44
    assert page.index("140902-2025-0031") < page.index("140902-2025-0029")  # the most overdue first
    assert "很长的名称" * 10 not in page
    note_id = session.scalar(select(Notification.id).where(Notification.user_id == people["city"].id))
    opened = client.get(f"/inbox/{note_id}/open?hazard={hazard.id}")
    assert opened.headers["Location"] == f"/hazards/{hazard.id}"


def test_preferences_are_chosen_by_the_person(client, auth, session, people):
    auth.login(people["county"])
    page = client.get("/inbox/preferences").get_data(as_text=True)
    assert "通知设置" in page and "您的账号没有电子邮箱" in page
    refused = client.post("/inbox/preferences", data={"email": "1"})
    assert refused.status_code == 422 and "请联系管理员添加" in refused.get_data(as_text=True)
    people["county"].email = "county@hazards.test"
    session.commit()
    saved = client.post("/inbox/preferences", data={"email": "1", "webhook": "1"}, follow_redirects=True)
    assert "通知设置已保存" in saved.get_data(as_text=True)
    session.refresh(people["county"])
    assert people["county"].notify_by_email and people["county"].notify_by_webhook
    assert 'href="/inbox/preferences"' in client.get("/inbox").get_data(as_text=True)


def test_admins_have_no_todo_link(client, auth, people):
    auth.login(people["admin"])
    assert 'id="todo-link"' not in client.get("/inbox").get_data(as_text=True)
    assert client.get("/todo").status_code == 200
