"""One clock: on a host kept in UTC, everything dated "today" still carries the ledger's date (Asia/Shanghai).

Beat fires the reminder job at 07:30 in Shanghai, which is 23:30 UTC the evening before. Each test
puts the process in UTC (TZ=UTC, as many servers run) and moves the real clock to such a moment with
time-machine; the code under test is the real job, page or report, not a stand-in.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from flask_babel import format_datetime, to_user_timezone
from sqlalchemy import select

from hazards import clock
from hazards.app import create_app
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Delivery, Notification, ReminderSent, TallySnapshot
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft

# The 07:30 job of 1 April 2026 in Shanghai: on the host's own clock it is still 31 March.
JOB_RUN = datetime(2026, 3, 31, 23, 30, tzinfo=timezone.utc)
SHANGHAI_DAY = date(2026, 4, 1)


@pytest.fixture
def utc_host():
    """The process's local zone is UTC for the test, whatever the machine running the tests uses."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def at(moment: datetime):
    """The real clock moved to `moment`; it keeps ticking from there."""
    return time_machine.travel(moment, tick=True)


def the_host_reads(expected: str) -> None:
    """The host's own local clock, which the old code asked for "today"."""
    assert time.strftime("%Y-%m-%d %H:%M") == expected


@pytest.fixture
def due_in_a_week(session):
    """An open county hazard of Xinfu whose deadline is 8 April 2026: 7 days left on the 1st."""
    hazard = report_hazard(session, draft(level=SupervisionLevel.COUNTY, status=Status.LISTED, batch_year=2026,
                                          found_on=date(2026, 3, 2), listed_on=date(2026, 3, 10),
                                          deadline=SHANGHAI_DAY + timedelta(days=7)), actor=SYSTEM)
    session.commit()
    return hazard


@pytest.fixture
def due_on_the_31st(session):
    """An open county hazard whose deadline was 31 March 2026: overdue once 1 April has begun in Shanghai."""
    hazard = report_hazard(session, draft(level=SupervisionLevel.COUNTY, status=Status.LISTED, batch_year=2026,
                                          found_on=date(2026, 1, 5), listed_on=date(2026, 1, 10),
                                          deadline=date(2026, 3, 31)), actor=SYSTEM)
    session.commit()
    return hazard


def run_job(app, name: str):
    """A job as beat starts it: through the app's Celery task, in the app's context, no date given."""
    import tasks.jobs  # noqa: F401 - registers the jobs with every Celery app

    celery = app.extensions["celery"]
    celery.set_default()  # the reminder job hands its digests to this app's broker
    return celery.tasks[name].apply().get()


# --- the jobs -------------------------------------------------------------------------------------------


def test_the_0730_reminder_job_on_a_utc_host_plans_by_the_shanghai_date(app, session, people, due_in_a_week,
                                                                          utc_host):
    with at(JOB_RUN):
        the_host_reads("2026-03-31 23:30")
        outcome = run_job(app, "tasks.remind")
    assert outcome["created"] == 1
    (sent,) = session.scalars(select(ReminderSent).where(ReminderSent.hazard_id == due_in_a_week.id)).all()
    assert (sent.as_of, sent.stage) == (SHANGHAI_DAY, "lead_7")  # on the 31st it would be lead_30, 8 days
    digests = session.scalars(select(Delivery).where(Delivery.user_id == people["county"].id)).all()
    assert digests
    for digest in digests:
        assert digest.payload["as_of"] == "2026-04-01"
        assert [(i["code"], i["days_left"]) for i in digest.payload["items"]] == [(due_in_a_week.code, 7)]


def test_the_tally_on_a_utc_host_is_dated_by_the_shanghai_date(app, session, due_in_a_week, utc_host):
    with at(JOB_RUN):
        the_host_reads("2026-03-31 23:30")
        rows = run_job(app, "tasks.tally")
    assert rows > 0
    assert set(session.scalars(select(TallySnapshot.as_of))) == {SHANGHAI_DAY}


def test_beat_fires_the_0730_job_at_2330_utc(app, utc_host):
    """The schedule is read in the ledger's zone: the job is due at 23:30 UTC, not at 07:30 UTC."""
    celery = app.extensions["celery"]
    schedule = celery.conf.beat_schedule["daily-deadline-reminders"]["schedule"]
    schedule.app = celery
    last_run = JOB_RUN - timedelta(days=1)
    with at(JOB_RUN - timedelta(minutes=1)):
        assert not schedule.is_due(last_run).is_due
    with at(JOB_RUN + timedelta(seconds=5)):
        assert schedule.is_due(last_run).is_due


# --- what people read ------------------------------------------------------------------------------------


def test_overdue_is_judged_by_the_shanghai_date(client, auth, people, due_on_the_31st, utc_host):
    with at(JOB_RUN):
        auth.login(people["county"])
        page = client.get(f"/hazards/{due_on_the_31st.id}").get_data(as_text=True)
        listed_overdue = client.get("/hazards?overdue=1").get_data(as_text=True)
    assert "逾期 1 天" in page
    assert due_on_the_31st.code in listed_overdue


def test_the_report_runs_to_the_shanghai_date(client, auth, people, due_on_the_31st, utc_host):
    with at(JOB_RUN):
        auth.login(people["county"])
        answer = client.get("/reports/download", query_string={"jurisdiction": "140902", "year": 2026,
                                                               "format": "json"})
    report = json.loads(answer.get_data())
    assert (report["today"], report["as_of"]) == ("2026-04-01", "2026-04-01")
    assert due_on_the_31st.code in [o["code"] for o in report["overdue"]["items"]]


def test_the_report_form_offers_the_shanghai_year_on_new_years_eve(client, auth, people, utc_host):
    with at(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)):  # 1 January 2027, 07:30 in Shanghai
        the_host_reads("2026-12-31 23:30")
        auth.login(people["county"])
        form = client.get("/reports").get_data(as_text=True)
    assert 'name="year" min="2000" max="2100" value="2027"' in form


def test_stored_times_are_shown_in_the_ledgers_zone(client, auth, session, people, utc_host):
    session.add(Notification(user_id=people["county"].id, title="整改期限提醒", body="…",
                             created_at=datetime(2026, 3, 31, 23, 30)))  # stored in UTC
    session.commit()
    auth.login(people["county"])
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "2026-04-01 07:30" in inbox and "2026-03-31 23:30" not in inbox


def test_flask_babel_shows_times_in_the_same_zone(app, utc_host):
    with app.test_request_context("/"):
        stored = datetime(2026, 3, 31, 23, 30)
        assert to_user_timezone(stored).strftime("%Y-%m-%d %H:%M") == "2026-04-01 07:30"
        assert format_datetime(stored, "yyyy-MM-dd HH:mm") == "2026-04-01 07:30"


# --- the setting -----------------------------------------------------------------------------------------


def test_one_setting_sets_the_jobs_the_pages_and_the_schedule(monkeypatch, tmp_path, utc_host):
    monkeypatch.setenv("HAZARDS_TIMEZONE", "America/New_York")
    other = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test"})
    assert other.config["TIMEZONE"] == "America/New_York"
    assert other.config["BABEL_DEFAULT_TIMEZONE"] == "America/New_York"
    assert other.extensions["celery"].conf.timezone == "America/New_York"
    with at(JOB_RUN), other.app_context():
        assert clock.today() == date(2026, 3, 31)  # 19:30 in New York
        assert clock.now().utcoffset() == timedelta(hours=-4)
    with at(JOB_RUN):
        monkeypatch.delenv("HAZARDS_TIMEZONE")
        assert clock.today() == SHANGHAI_DAY  # no app, no setting: the default zone


def test_an_unknown_zone_stops_the_app_at_start(tmp_path):
    with pytest.raises(ValueError, match="HAZARDS_TIMEZONE"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test", "TIMEZONE": "Asia/Beijing"})


def test_a_wall_clock_time_is_stored_in_utc(app):
    with app.app_context():
        assert clock.as_stored(datetime(2026, 4, 1, 7, 30)) == datetime(2026, 3, 31, 23, 30)
        assert clock.local(datetime(2026, 3, 31, 23, 30)) == datetime(2026, 4, 1, 7, 30, tzinfo=clock.zone())
