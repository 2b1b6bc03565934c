"""治理成效 on the hazard list (a column, for closed hazards) and on a closed hazard's page (windows,
before/after numbers, the caveat and the crashes themselves)."""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta

from openpyxl import load_workbook
from shapely.geometry import Point

from hazards import clock
from hazards.domain.crash_effect import whole_months
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests import factories
from tests.crashes.effect_ledger import closed, planted, planted_section
from tests.statements import recorded

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def _cells(page: str) -> dict[str, str]:
    """Each row's title -> its 治理成效 cell, as text."""
    rows = re.findall(r'<td data-label="(?:隐患名称|Title)">([^<]*)</td>.*?<td data-label="(?:治理成效|Remediation effect)" '
                      r'class="effect">(.*?)</td>', page, re.S)
    return {title: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for title, cell in rows}


def recent(session):
    """丙: works ended 40 days ago, one crash in the month before the works: its after-window still runs."""
    today = clock.today()
    ended = today - timedelta(days=40)
    hazard = closed(session, "丙", geometry=Point(112.76, 38.45), route_code="G208", start_m=1070000,
                    started_at=clock.as_stored(datetime.combine(ended - timedelta(days=30), time(9))),
                    completed_on=ended, closed_on=ended + timedelta(days=2))
    factories.crash(session, "丙-before", ended - timedelta(days=45), lonlat=(112.76, 38.45), injuries=1)
    return hazard, whole_months(ended, today)


def test_the_list_shows_crashes_before_and_after_for_closed_hazards(client, auth, session, people):
    planted(session)
    planted_section(session)
    _, months = recent(session)
    report_hazard(session, factories.draft(title="未销号"), actor=SYSTEM)
    session.commit()
    auth.login(people["county"])
    with recorded(session.get_bind()) as statements:
        page = client.get("/hazards", headers=ZH).get_data(as_text=True)
    assert "<th>治理成效</th>" in page
    cells = _cells(page)
    assert (cells["甲"], cells["乙"], cells["未销号"]) == ("事故 5→2", "事故 3→1", "")
    assert cells["丙"] == f"事故 1→0 治理后仅满{months}个月"
    assert sum("JOIN crashes ON" in s for s in statements) == 1  # one count for the page's rows
    client.post("/language/en", data={"next": "/hazards"})
    english = _cells(client.get("/hazards").get_data(as_text=True))
    assert english["甲"] == "Crashes 5→2"


def test_the_lists_download_carries_the_effect(client, auth, session, people):
    planted(session)
    _, months = recent(session)
    report_hazard(session, factories.draft(title="未销号"), actor=SYSTEM)
    session.commit()
    auth.login(people["county"])
    data = client.get("/hazards/export?format=xlsx").data
    rows = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    header = rows[0]
    effect = {row[header.index("隐患名称")]: row[header.index("治理成效")] for row in rows[1:]}
    assert effect == {"甲": "事故 5→2", "丙": f"事故 1→0 治理后仅满{months}个月", "未销号": None}
    assert header.index("治理成效") == header.index("销号日期") + 1


def test_a_closed_hazards_page_shows_its_effect(client, auth, session, people):
    hazard = planted(session)
    session.commit()
    auth.login(people["county"])
    page = client.get(f"/hazards/{hazard.id}", headers=ZH).get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "治理成效" in text
    assert ("施工期间 2023-04-01 至 2023-06-30 · 治理前 2022-04-01 至 2023-03-31 · 治理后 2023-07-01 至 2024-06-30"
            in text)
    assert "治理前12个月 5 2 6" in text and "施工期间（不计入对比） 2 1 1" in text and "治理后12个月 2 0 1" in text
    assert "增减 -3 (-60%) -2 (-100%) -5 (-83.3%)" in text
    assert "回归均值" in text
    assert "before-first-day 2022-04-01 治理前 追尾 1 2" in text and "works-last-day 2023-06-30 施工期间" in text
    assert "too-late" not in text and "before-too-far" not in text
    client.post("/language/en", data={"next": "/hazards"})
    english = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "regression to the mean" in english and "12 months before the works" in english


def test_open_hazards_have_no_effect_block(client, auth, session, people):
    hazard = report_hazard(session, factories.draft(title="未销号"), actor=SYSTEM)
    factories.crash(session, "near", clock.today() - timedelta(days=10), lonlat=factories.XINFU_POINT)
    session.commit()
    auth.login(people["county"])
    page = client.get(f"/hazards/{hazard.id}", headers=ZH).get_data(as_text=True)
    assert 'id="effect"' not in page
