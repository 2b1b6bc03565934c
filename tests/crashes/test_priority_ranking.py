"""The stored priority ranks (hazard_priority): the list sorted by priority walks them, so every change
that moves a score must rank the hazard again at once, and the nightly job must rank every hazard for
the new day. What a user sees is the list's order, each hazard's shown score and the API's pages."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import AttachmentPhase, RiskGrade, Status, SupervisionLevel
from hazards.models import Hazard, HazardPriority
from hazards.permissions import SYSTEM
from hazards.queries import priority as priority_sql
from hazards.services.attachments import add_attachment
from hazards.services.editing import update_hazard
from hazards.services.registration import report_hazard
from hazards.services.requirements import ActionInput
from hazards.services.workflow import change_status
from hazards.storage.local import FolderStore
from tests.api.conftest import api, tokens  # noqa: F401  the API client fixtures
from tests.factories import draft, jpeg


def _nightly(job: str = "tally"):
    """The nightly job as beat runs it: the midnight ranking, or the tally (which counts and ranks)."""
    from tasks import jobs

    getattr(jobs, job)()


def _listed(title: str, today: date, **overrides):
    values = dict(title=title, status=Status.LISTED, level=SupervisionLevel.COUNTY, found_on=today.replace(day=1),
                  listed_on=today.replace(day=1), deadline=date(today.year, 12, 31), batch_year=today.year)
    values.update(overrides)
    return draft(**values)


def _web_list(client, auth, who) -> list[tuple[str, str]]:
    """(title, shown score) in the order of the web list's default sort."""
    auth.login(who)
    html = client.get("/hazards").get_data(as_text=True)
    titles = re.findall(r'<td data-label="隐患名称">([^<]*)</td>', html)
    scores = re.findall(r'class="priority">(?:<a [^>]*>(\d+)</a>|<span class="muted">—</span>)', html)
    return list(zip(titles, scores))


def _api_pages(api, limit: int = 1) -> list[tuple[str, int | None]]:
    """(title, priority score) of every item, following the API's priority cursor page by page."""
    seen, url = [], f"/api/v1/hazards?sort=priority&limit={limit}"
    while url:
        body = api.get("city", url).get_json()
        seen += [(i["title"], i["priority"]["score"] if i["priority"] else None) for i in body["items"]]
        url = body["links"].get("next")
    return seen


def _stored_agrees(session) -> None:
    """Every hazard's stored rank is the one its shown priority gives, and the list uses them."""
    hazards = session.scalars(select(Hazard)).all()
    shown = priority_sql.priorities(session, hazards)
    stored = dict(session.execute(select(HazardPriority.hazard_id, HazardPriority.rank)).all())
    assert stored == {h.id: priority_sql.rank_of(shown[h.id]) for h in hazards}
    assert priority_sql.stored_ranking_current(session, clock.today())


def test_a_risk_grade_raised_moves_the_hazard_up_at_once(session, people, client, auth, api):
    today = clock.today()
    first = report_hazard(session, _listed("先", today), actor=SYSTEM)
    report_hazard(session, _listed("后", today), actor=SYSTEM)
    _nightly()
    assert [t for t, _ in _web_list(client, auth, people["city"])] == ["后", "先"]  # a tie: the newest first

    update_hazard(session, first.id, people["county"], {"risk_grade": RiskGrade.MAJOR}, expected_version=first.version)
    session.commit()
    _stored_agrees(session)  # no nightly job: ranked by the edit itself
    listed = _web_list(client, auth, people["city"])
    assert [t for t, _ in listed] == ["先", "后"]
    assert int(listed[0][1]) == int(listed[1][1]) + 30  # 重大
    assert [t for t, _ in _api_pages(api)] == ["先", "后"]


@pytest.mark.parametrize("job", ["rank_priorities", "tally"])
def test_the_nightly_job_ranks_again_when_the_day_turns(session, people, client, auth, api, job):
    # 23:50 on 1 April 2026 in Shanghai (15:50 UTC): 先's deadline is today, not yet passed.
    with time_machine.travel(datetime(2026, 4, 1, 15, 50, tzinfo=timezone.utc), tick=True):
        today = clock.today()
        assert today == date(2026, 4, 1)
        report_hazard(session, _listed("先", today, deadline=today), actor=SYSTEM)
        report_hazard(session, _listed("后", today), actor=SYSTEM)
        _nightly()
        session.commit()
        _stored_agrees(session)
        assert [t for t, _ in _web_list(client, auth, people["city"])] == ["后", "先"]
    # 00:10 on 2 April in Shanghai, still 1 April in UTC: 先 is overdue now.
    with time_machine.travel(datetime(2026, 4, 1, 16, 10, tzinfo=timezone.utc), tick=True):
        assert clock.today() == date(2026, 4, 2)
        # Before the job: yesterday's ranks are not used, so the order already agrees with the scores shown.
        assert not priority_sql.stored_ranking_current(session, clock.today())
        before_job = _web_list(client, auth, people["city"])
        assert [t for t, _ in before_job] == ["先", "后"]
        _nightly(job)
        session.commit()
        _stored_agrees(session)
        assert _web_list(client, auth, people["city"]) == before_job
        assert int(before_job[0][1]) == int(before_job[1][1]) + 10  # 逾期
        assert [t for t, _ in _api_pages(api)] == ["先", "后"]


def test_a_closed_hazard_leaves_the_ranking_and_a_reopened_one_returns(session, people, client, auth, api, tmp_path):
    today = clock.today()
    major = report_hazard(session, draft(title="重", risk_grade=RiskGrade.MAJOR, found_on=today), actor=SYSTEM)
    report_hazard(session, _listed("轻", today), actor=SYSTEM)
    _nightly()
    assert [t for t, _ in _web_list(client, auth, people["city"])] == ["重", "轻"]

    add_attachment(session, major.id, people["inspector"], data=jpeg(), filename="after.jpg",
                   phase=AttachmentPhase.AFTER, store=FolderStore(tmp_path))
    change_status(session, major.id, "fix_on_spot", people["inspector"],
                  ActionInput(reason="当场补设警示桩", completed_on=today))
    session.commit()
    _stored_agrees(session)
    assert _web_list(client, auth, people["city"])[1] == ("重", "")  # last, with no score
    pages = _api_pages(api)
    assert [t for t, _ in pages] == ["轻", "重"] and pages[1][1] is None

    change_status(session, major.id, "reopen", people["county"], ActionInput(reason="回头看发现反弹"))
    session.commit()
    _stored_agrees(session)
    assert [t for t, _ in _web_list(client, auth, people["city"])] == ["重", "轻"]
    assert [t for t, _ in _api_pages(api)] == ["重", "轻"]


@pytest.mark.parametrize("stored", [True, False])
def test_api_pages_by_priority_are_the_same_stored_or_scored_live(session, people, api, stored):
    today = clock.today()
    for n in range(7):
        report_hazard(session, _listed(f"第{n}", today, school_zone=n % 2 == 0,
                                       risk_grade=[None, RiskGrade.GENERAL, RiskGrade.HIGH][n % 3]), actor=SYSTEM)
    if stored:
        _nightly()
    session.commit()
    assert priority_sql.stored_ranking_current(session, today) is stored
    whole = _api_pages(api, limit=500)
    assert _api_pages(api, limit=2) == whole and len(whole) == 7
    scores = [s for _, s in whole]
    assert scores == sorted(scores, reverse=True)
