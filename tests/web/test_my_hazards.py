"""我的隐患: one short line per hazard, the whole line a link; open ones first, overdue marked; narrowed
by state and by words."""

from __future__ import annotations

import re
from datetime import timedelta

from hazards import clock
from hazards.domain.enums import Status, SupervisionLevel
from hazards.services.registration import report_hazard
from tests.factories import draft


def _mine(session, people):
    today = clock.today()
    finder = people["inspector"]
    made = {
        "closed": report_hazard(session, draft(title="已销号的急弯", status=Status.CLOSED, level=SupervisionLevel.COUNTY,
                                               found_on=today - timedelta(days=90), listed_on=today - timedelta(days=80),
                                               deadline=today - timedelta(days=10), closed_on=today - timedelta(days=12)),
                                actor=finder),
        "overdue": report_hazard(session, draft(title="逾期的陡坡", status=Status.IN_REMEDIATION,
                                                level=SupervisionLevel.COUNTY, found_on=today - timedelta(days=90),
                                                listed_on=today - timedelta(days=80),
                                                deadline=today - timedelta(days=5)), actor=finder),
        "reported": report_hazard(session, draft(title="新上报的路口"), actor=finder),
    }
    session.commit()
    return made


def _rows(page: str) -> list[str]:
    return re.findall(r'<li class="([^"]*)">\s*<a href="/hazards/\d+">\s*<span class="row-title">([^<]*)</span>', page)


def test_open_hazards_come_first_and_overdue_is_marked(client, auth, session, people):
    _mine(session, people)
    auth.login(people["inspector"])

    page = client.get("/hazards/mine").get_data(as_text=True)

    logged = page[page.index("我上报的"):]
    titles = [title for _cls, title in _rows(logged)]
    assert titles.index("已销号的急弯") == len(titles) - 1  # closed last
    classes = dict((title, cls) for cls, title in _rows(logged))
    assert "is-overdue" in classes["逾期的陡坡"] and "逾期 5 天" in logged
    assert "is-closed" in classes["已销号的急弯"]


def test_the_list_is_narrowed_by_state_and_words(client, auth, session, people):
    made = _mine(session, people)
    auth.login(people["inspector"])

    closed = client.get("/hazards/mine?status=closed").get_data(as_text=True)
    assert [t for _c, t in _rows(closed)] == ["已销号的急弯"] and "辖区内正在整改" not in closed
    overdue = client.get("/hazards/mine?status=overdue").get_data(as_text=True)
    assert "逾期的陡坡" in overdue and "新上报的路口" not in overdue
    found = client.get("/hazards/mine", query_string={"q": "路口"}).get_data(as_text=True)
    assert [t for _c, t in _rows(found)] == ["新上报的路口"]
    assert f'href="/hazards/{made["reported"].id}"' in found
