"""The list's download is the list on screen: the same hazards, in the same order, with 逾期天数, and
the times in it in Beijing time; read back as a person opening the file would (openpyxl)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from hazards import clock
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Hazard, Notification, StatusChange
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from hazards.services.workflow import change_status
from tests.factories import draft


@pytest.fixture
def listed_hazards(session):
    """Five hazards of Xinfu: two overdue by different amounts, one due later, one closed after its
    deadline (done, so not overdue), one without a deadline; found on different days."""
    today = clock.today()

    def make(title, found_days_ago, deadline_days, status=Status.LISTED, **more):
        deadline = today + timedelta(days=deadline_days) if deadline_days is not None else None
        listed = dict(level=SupervisionLevel.COUNTY, listed_on=today - timedelta(days=120)) if deadline else {}
        return report_hazard(session, draft(title=title, status=status, batch_year=today.year,
                                            found_on=today - timedelta(days=found_days_ago), deadline=deadline,
                                            **listed, **more), actor=SYSTEM)

    made = {
        "long_late": make("逾期已久", 150, -40),
        "just_late": make("刚逾期", 130, -1),
        "due_later": make("尚未到期", 200, 20),
        "closed_late": make("逾期后销号", 140, -30, Status.CLOSED, closed_on=today - timedelta(days=5)),
        "unlisted": make("尚未挂牌", 10, None, Status.REPORTED),
    }
    session.commit()
    return made


def _titles_on_screen(page: str) -> list[str]:
    return re.findall(r'<td data-label="隐患名称">([^<]*)</td>', page)


def _export_link(page: str, fmt: str) -> str:
    href = re.search(rf'href="(/hazards/export\?format={fmt}[^"]*)"', page).group(1)
    return href.replace("&amp;", "&")


def _sheet(data: bytes) -> list[dict]:
    rows = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row)) for row in rows[1:]]


@pytest.mark.parametrize("query", ["sort=deadline", "sort=found", "sort=code", "sort=updated&open=1",
                                   "overdue=1&sort=deadline", "status=listed&status=closed&sort=found",
                                   "sort=priority"])
def test_the_download_holds_the_list_on_screen_in_its_order(client, auth, people, listed_hazards, query):
    auth.login(people["county"])
    page = client.get(f"/hazards?{query}").get_data(as_text=True)
    on_screen = _titles_on_screen(page)
    assert on_screen, "the list shows hazards"
    link = _export_link(page, "xlsx")
    assert all(part in link for part in query.split("&")), "the link carries the filters and the sort"

    response = client.get(link)
    assert response.status_code == 200
    assert [row["隐患名称"] for row in _sheet(response.data)] == on_screen

    text = client.get(_export_link(page, "csv")).data.decode("utf-8-sig")
    assert [row["隐患名称"] for row in csv.DictReader(io.StringIO(text))] == on_screen


def test_the_download_says_how_many_days_each_hazard_is_overdue(client, auth, people, listed_hazards):
    auth.login(people["county"])
    rows = {row["隐患名称"]: row for row in _sheet(client.get("/hazards/export?format=xlsx&sort=deadline").data)}
    days = {title: row["逾期天数"] for title, row in rows.items()}
    # Overdue as the reports count it: open and past the deadline today. A hazard closed late is done
    # with; one not yet due, or with no deadline, is not overdue.
    assert days == {"逾期已久": 40, "刚逾期": 1, "尚未到期": None, "逾期后销号": None, "尚未挂牌": None}
    header = list(rows["刚逾期"])
    assert header.index("逾期天数") == header.index("整改期限") + 1  # read beside the deadline

    overdue_only = _sheet(client.get("/hazards/export?format=xlsx&overdue=1").data)
    assert sorted(row["隐患名称"] for row in overdue_only) == ["刚逾期", "逾期已久"]  # the same definition


def test_an_action_at_0103_utc_reads_0903_in_the_record_the_inbox_and_the_download(
        client, auth, session, people, listed_hazards):
    """Times are stored in UTC and read in Beijing time (Asia/Shanghai, UTC+8) wherever people see them."""
    county = people["county"]
    hazard = report_hazard(session, draft(title="凌晨核实"), actor=people["inspector"])
    change_status(session, hazard.id, "verify", county)
    stored = datetime(2026, 3, 2, 1, 3)  # 01:03 UTC = 09:03 in Beijing
    session.execute(update(StatusChange).where(StatusChange.hazard_id == hazard.id).values(changed_at=stored))
    session.execute(update(Hazard).where(Hazard.id == hazard.id).values(updated_at=stored))
    session.add(Notification(user_id=county.id, title="整改期限提醒", body="隐患将到期。", created_at=stored))
    late = datetime(2026, 3, 1, 17, 30)  # 17:30 UTC on the 1st is 01:30 on the 2nd in Beijing
    session.add(Notification(user_id=county.id, title="夜间提醒", body="隐患已逾期。", created_at=late))
    session.commit()
    auth.login(county)

    record = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "2026-03-02 09:03" in record and "01:03" not in record

    inbox = client.get("/inbox").get_data(as_text=True)
    assert "2026-03-02 09:03" in inbox and "01:03" not in inbox
    assert "2026-03-02 01:30" in inbox and "2026-03-01 17:30" not in inbox

    rows = {row["隐患名称"]: row for row in _sheet(client.get("/hazards/export?format=xlsx&sort=updated").data)}
    assert rows["凌晨核实"]["最后更新"] == "2026-03-02 09:03"
    text = client.get("/hazards/export?format=csv&sort=updated").data.decode("utf-8-sig")
    assert "2026-03-02 09:03" in text and "2026-03-02 01:03" not in text
