"""Many people at once: real threads against two live web workers on one committed database.

Two app instances (two engines, two connection pools, like two gunicorn workers) serve the same
database over real HTTP; each simulated person is a thread with their own HTTP session, released
together by a barrier so their requests meet inside the database. What must hold is what a person
would notice: never a 500, a readable "someone else changed it" answer instead, no lost update, one
code per hazard, no more password checks than the limit, one tally row per key.

Each scenario prints its counts (`pytest -rP tests/test_concurrent_users.py` shows them).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import event, func, select, update

from hazards import clock
from hazards import db as hazards_db
from hazards.app import create_app
from hazards.domain.enums import ExtensionState, Status, SupervisionLevel
from hazards.models import ExtensionRequest, FieldChange, Hazard, LoginAttempt, StatusChange, TallySnapshot, User
from hazards.services.reference import ensure_reference_data
from hazards.services.registration import report_hazard
from hazards.services.supervision import request_extension
from hazards.services.tally import compute_tally, store_tally
from hazards.services.tokens import issue_token
from tests.factories import XINFU, XINFU_POINT, draft, user
from tests.servers import serving

WORKERS = 2
TIMEOUT = 120  # seconds any one wait may take: a hung request fails the test instead of hanging it
PASSWORD = "secret-pass"


@dataclass
class Live:
    backend: str
    apps: list
    urls: list[str]
    tokens: dict[str, str]
    logins: dict[str, str]

    def api(self, who: str, n: int = 0) -> requests.Session:
        """An API client of `who`, on the n-th person's web worker."""
        client = requests.Session()
        client.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        client.base = self.urls[n % WORKERS]
        return client

    def browser(self, who: str, n: int = 0) -> requests.Session:
        """A logged-in browser of `who`, on the n-th person's web worker; it reads Chinese, the default."""
        client = requests.Session()
        client.base = self.urls[n % WORKERS]
        answer = client.post(client.base + "/login", data={"login": self.logins[who], "password": PASSWORD},
                             allow_redirects=False, timeout=TIMEOUT)
        assert answer.status_code in (302, 303), answer.text[:500]
        assert client.get(client.base + "/", timeout=TIMEOUT).status_code == 200  # the cookie is kept
        return client

    def database(self):
        """An app context on the shared database, for setting up and reading back."""
        return self.apps[0].app_context()


def live_app(url: str, instance) -> "Flask":  # noqa: F821
    # Not TESTING: errors take the path they take in production (no propagation to the server). Plain
    # http on 127.0.0.1, as an intranet deployment without TLS sets it.
    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "live-test",
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False,
                       "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})


@pytest.fixture(scope="module")
def live(backend, make_database, tmp_path_factory):
    from flask_migrate import upgrade

    url = make_database(backend)
    apps = [live_app(url, tmp_path_factory.mktemp(f"live-{backend}-{n}")) for n in range(WORKERS)]
    with apps[0].app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        people = {"inspector": user(session, "inspector", XINFU, login="live-inspector"),
                  "county": user(session, "supervisor", XINFU, login="live-supervisor")}
        tokens = {who: issue_token(session, person, f"live {who}")[1] for who, person in people.items()}
        logins = {who: person.login for who, person in people.items()}
        session.commit()
    with ExitStack() as stack:
        urls = [stack.enter_context(serving(app)) for app in apps]
        yield Live(backend, apps, urls, tokens, logins)
    for app in apps:
        hazards_db.state(app).engine.dispose()


def at_once(calls) -> list:
    """Run each call in its own thread, all released together; their results, in order."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=TIMEOUT) for future in futures]


def report(live: Live, scenario: str, counts) -> None:
    print(f"[{live.backend}] {scenario}: {dict(sorted(counts.items(), key=lambda kv: str(kv[0])))}")


def new_hazard(live: Live, **overrides) -> int:
    with live.database():
        session = hazards_db.get_session()
        finder = session.scalar(select(User).where(User.login == live.logins["inspector"]))
        hazard = report_hazard(session, draft(**overrides), actor=finder)
        session.commit()
        return hazard.id


def hazard_state(live: Live, hazard_id: int) -> Hazard:
    with live.database():
        return hazards_db.get_session().get(Hazard, hazard_id)


def count(live: Live, statement) -> int:
    with live.database():
        return hazards_db.get_session().scalar(statement)


def is_app_page(html: str) -> bool:
    """The app's own page (its menu), not a bare server error."""
    return "<nav" in html and "Internal Server Error" not in html and "Traceback" not in html


def is_simultaneous_change_page(html: str) -> bool:
    """The app's 409 page saying, in Chinese, that someone else saved first and to open the record again."""
    return is_app_page(html) and "409" in html and "他人在同一时刻保存" in html and "重新打开该记录" in html


# --- saves of one hazard -------------------------------------------------------------------------


def test_simultaneous_api_saves_of_one_hazard_are_saved_or_409_never_500(live):
    """200 saves, 20 people at a time on the version they all read: one save wins each round."""
    hazard_id = new_hazard(live, title="并发保存接口")
    people, rounds = 20, 10
    clients = [live.api("inspector", n) for n in range(people)]
    statuses: Counter = Counter()
    winners = []
    for round_no in range(rounds):
        version = hazard_state(live, hazard_id).version

        def save(n, round_no=round_no, version=version):
            answer = clients[n].patch(f"{clients[n].base}/api/v1/hazards/{hazard_id}", timeout=TIMEOUT,
                                      json={"version": version, "description": f"第{round_no}轮 第{n}人"})
            if answer.status_code == 409:
                body = answer.json()
                assert answer.headers["Content-Type"].startswith("application/problem+json"), answer.text
                assert body["code"] == "conflict" and body["detail"], body
                # The version check lists the other person's changes; a save that met another one inside
                # the database cannot, and says so in the reader's language.
                return "409 stale version" if "changes" in body else "409 simultaneous save"
            return answer.status_code

        results = at_once([lambda n=n: save(n) for n in range(people)])
        statuses.update(results)
        winners.append(results.count(200))
    report(live, f"{people * rounds} concurrent API saves of one hazard", statuses)
    assert winners == [1] * rounds, winners  # one save wins each round: they all had the same version
    assert set(statuses) <= {200, "409 stale version", "409 simultaneous save"}, statuses
    # No lost update: every 200 moved the version once and left one change record.
    assert hazard_state(live, hazard_id).version == 1 + statuses[200]
    assert count(live, select(func.count(FieldChange.id)).where(
        FieldChange.hazard_id == hazard_id, FieldChange.field == "description")) == statuses[200]


def test_simultaneous_web_saves_of_one_hazard_show_the_apps_own_409_page(live):
    """60 saves from the edit page, 12 browsers at a time: one wins each round, the rest read why."""
    hazard_id = new_hazard(live, title="并发保存网页")
    people, rounds = 12, 5
    browsers = [live.browser("inspector", n) for n in range(people)]
    statuses: Counter = Counter()
    winners = []
    for round_no in range(rounds):
        version = hazard_state(live, hazard_id).version

        def save(n, round_no=round_no, version=version):
            browser = browsers[n]
            answer = browser.post(f"{browser.base}/hazards/{hazard_id}/edit", allow_redirects=False,
                                  timeout=TIMEOUT, data={"version": version, "title": "并发保存网页",
                                                         "description": f"第{round_no}轮 第{n}人"})
            if answer.status_code == 409:
                assert is_app_page(answer.text), answer.text[:2000]
                if "他人已保存了这条隐患" in answer.text:
                    assert f"第{round_no}轮 第{n}人" in answer.text  # what this person typed is kept
                    return "409 edit page beside the other's changes"
                assert is_simultaneous_change_page(answer.text), answer.text[:2000]
                return "409 someone-else-changed page"
            return answer.status_code

        results = at_once([lambda n=n: save(n) for n in range(people)])
        statuses.update(results)
        winners.append(results.count(303))
    report(live, f"{people * rounds} concurrent web saves of one hazard", statuses)
    assert winners == [1] * rounds, winners
    assert set(statuses) <= {303, "409 edit page beside the other's changes", "409 someone-else-changed page"}
    assert hazard_state(live, hazard_id).version == 1 + statuses[303]
    # Whoever met a 409 is not stuck: the same browser saves again on the version it now reads.
    version = hazard_state(live, hazard_id).version
    again = browsers[-1].post(f"{browsers[-1].base}/hazards/{hazard_id}/edit", allow_redirects=False,
                              timeout=TIMEOUT, data={"version": version, "title": "并发保存网页", "description": "最后"})
    assert again.status_code == 303, again.text[:1000]


def _awaiting_acceptance(live: Live, count_: int) -> list[int]:
    today = clock.today()
    spec = dict(level=SupervisionLevel.COUNTY, status=Status.CLOSURE_REQUESTED, batch_year=today.year,
                found_on=today - timedelta(days=60), listed_on=today - timedelta(days=50),
                deadline=today + timedelta(days=30), completed_on=today - timedelta(days=1))
    return [new_hazard(live, title=f"待验收{n}", **spec) for n in range(count_)]


def test_simultaneous_workflow_decisions_take_one_and_refuse_the_other(live):
    """48 pairs: two supervisors decide on one hazard awaiting acceptance at the same moment (one
    accepts, one refuses acceptance); then 2 supervisors reopen each closed one at the same moment."""
    hazards = _awaiting_acceptance(live, 48)
    batch = 8  # pairs released together
    clients = [live.api("county", n) for n in range(2 * batch)]

    def act(n, hazard_id, body):
        client = clients[n]
        answer = client.post(f"{client.base}/api/v1/hazards/{hazard_id}/transitions", json=body, timeout=TIMEOUT)
        if answer.status_code == 409:
            return f"409 {answer.json()['code']}"  # transition_not_allowed, or conflict (a simultaneous save)
        return str(answer.status_code)

    accept = {"action": "accept", "acceptance_note": "现场复核合格"}
    refuse = {"action": "refuse_acceptance", "reason": "护栏端头未处理"}
    reopen = {"action": "reopen", "reason": "回头看发现反弹"}
    decisions: Counter = Counter()
    for start in range(0, len(hazards), batch):
        part = hazards[start:start + batch]
        calls = [c for i, h in enumerate(part) for c in (lambda i=i, h=h: act(2 * i, h, accept),
                                                           lambda i=i, h=h: act(2 * i + 1, h, refuse))]
        results = at_once(calls)
        for i in range(len(part)):
            pair = sorted(results[2 * i:2 * i + 2])
            decisions[tuple(pair)] += 1
    report(live, f"{len(hazards)} simultaneous accept / refuse-acceptance pairs", decisions)
    assert set(decisions) <= {("200", "409 conflict"), ("200", "409 transition_not_allowed")}, decisions
    assert sum(decisions.values()) == len(hazards)
    assert count(live, select(func.count(StatusChange.id)).where(
        StatusChange.hazard_id.in_(hazards), StatusChange.action.in_(("accept", "refuse_acceptance")))) == len(hazards)

    closed = [h for h in hazards if hazard_state(live, h).status is Status.CLOSED]
    reopens: Counter = Counter()
    for start in range(0, len(closed), batch):
        part = closed[start:start + batch]
        results = at_once([c for i, h in enumerate(part) for c in (lambda i=i, h=h: act(2 * i, h, reopen),
                                                                   lambda i=i, h=h: act(2 * i + 1, h, reopen))])
        for i in range(len(part)):
            reopens[tuple(sorted(results[2 * i:2 * i + 2]))] += 1
    report(live, f"{len(closed)} simultaneous reopen pairs", reopens)
    assert set(reopens) <= {("200", "409 conflict"), ("200", "409 transition_not_allowed")}, reopens
    assert sum(reopens.values()) == len(closed)



def test_simultaneous_web_decisions_on_one_extension_request_take_one(live):
    """12 extension requests, each decided from two browsers at the same moment (one grants, one
    refuses): one decision stands, the other browser is told it was already decided, and the
    deadline agrees with the decision that stood."""
    today = clock.today()
    deadline = today + timedelta(days=10)
    hazards = [new_hazard(live, title=f"延期{n}", level=SupervisionLevel.COUNTY, status=Status.LISTED,
                          batch_year=today.year, found_on=today - timedelta(days=30),
                          listed_on=today - timedelta(days=20), deadline=deadline) for n in range(12)]
    requests_ = {}
    with live.database():
        session = hazards_db.get_session()
        unit = session.scalar(select(User).where(User.login == live.logins["inspector"]))
        for hazard_id in hazards:
            requests_[hazard_id] = request_extension(session, hazard_id, unit, deadline + timedelta(days=30),
                                                     "雨季停工").id
        session.commit()
    browsers = [live.browser("county", n) for n in range(2 * len(hazards))]

    def decide(n, hazard_id, decision):
        browser = browsers[n]
        answer = browser.post(f"{browser.base}/hazards/{hazard_id}/extensions/{requests_[hazard_id]}",
                              data={"decision": decision, "note": decision}, allow_redirects=False,
                              timeout=TIMEOUT)
        if answer.status_code == 409:
            assert is_app_page(answer.text) and "已" in answer.text, answer.text[:2000]
        return answer.status_code

    results = at_once([c for i, h in enumerate(hazards) for c in (lambda i=i, h=h: decide(2 * i, h, "grant"),
                                                                    lambda i=i, h=h: decide(2 * i + 1, h, "refuse"))])
    pairs = Counter(tuple(sorted(results[2 * i:2 * i + 2])) for i in range(len(hazards)))
    report(live, f"{len(hazards)} simultaneous grant / refuse pairs from the web", pairs)
    assert pairs == Counter({(303, 409): len(hazards)}), pairs
    with live.database():
        session = hazards_db.get_session()
        for hazard_id in hazards:
            decided = session.get(ExtensionRequest, requests_[hazard_id])
            moved = session.get(Hazard, hazard_id).deadline != deadline
            assert moved == (decided.state is ExtensionState.GRANTED), (hazard_id, decided.state)


# --- a save that meets another inside the database ----------------------------------------------


@contextmanager
def another_save_lands_first(live: Live, hazard_id: int):
    """Stage the race exactly: just before a request's flush writes the hazard, its row's version moves
    on, as when another save commits between this one's checks and its write. The move happens in the
    request's own transaction, so the rollback that follows leaves no trace."""
    table = Hazard.__table__

    def move_version(session, _context, _instances):
        if any(isinstance(o, Hazard) and o.id == hazard_id for o in session.dirty):
            session.connection().execute(
                update(table).where(table.c.id == hazard_id).values(version=table.c.version + 1))

    factories = [hazards_db.state(app).session_factory for app in live.apps]
    for factory in factories:
        event.listen(factory, "before_flush", move_version)
    try:
        yield
    finally:
        for factory in factories:
            event.remove(factory, "before_flush", move_version)


def test_a_web_save_that_meets_another_gets_the_apps_409_page_and_a_way_back(live):
    hazard_id = new_hazard(live, title="页面遇到同时保存")
    browser = live.browser("inspector")
    version = hazard_state(live, hazard_id).version
    with another_save_lands_first(live, hazard_id):
        answer = browser.post(f"{browser.base}/hazards/{hazard_id}/edit", allow_redirects=False, timeout=TIMEOUT,
                              data={"version": version, "title": "页面遇到同时保存", "description": "我的修改"})
    assert answer.status_code == 409 and is_simultaneous_change_page(answer.text), answer.text[:2000]
    assert f'href="/hazards/{hazard_id}"' in answer.text  # "open the record again"
    assert hazard_state(live, hazard_id).version == version  # nothing of the failed save was kept
    assert browser.get(f"{browser.base}/hazards/{hazard_id}", timeout=TIMEOUT).status_code == 200


def test_an_api_save_that_meets_another_is_a_409_problem_in_the_readers_language(live):
    hazard_id = new_hazard(live, title="接口遇到同时保存")
    client = live.api("inspector")
    version = hazard_state(live, hazard_id).version
    answers = {}
    with another_save_lands_first(live, hazard_id):
        for language in ("zh", "en"):
            answers[language] = client.patch(f"{client.base}/api/v1/hazards/{hazard_id}", timeout=TIMEOUT,
                                             headers={"Accept-Language": language},
                                             json={"version": version, "description": "我的修改"})
    for language, answer in answers.items():
        assert answer.status_code == 409, answer.text
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        body = answer.json()
        assert body["code"] == "conflict" and body["status"] == 409
        expected = "他人在同一时刻保存" if language == "zh" else "Someone else saved a change to this record"
        assert expected in body["detail"], body
    assert hazard_state(live, hazard_id).version == version
    assert client.get(f"{client.base}/api/v1/hazards/{hazard_id}", timeout=TIMEOUT).status_code == 200


def test_only_a_taken_unique_key_counts_as_a_simultaneous_change(session):
    """A unique key taken in between is a race (409); a missing value is a mistake of ours (500)."""
    from sqlalchemy.exc import IntegrityError

    from hazards.services.access import simultaneous_change

    table = TallySnapshot.__table__
    row = {"as_of": date(2024, 1, 1), "jurisdiction_code": XINFU, "level": SupervisionLevel.COUNTY,
           "batch_year": 2024, "total": 1, "closed": 0, "closed_on_time": 0, "closed_early": 0, "open": 1,
           "overdue": 0, "budget": 0, "spent": 0}
    session.execute(table.insert().values(**row))
    caught = {}
    for kind, values in (("taken key", row), ("missing total", {**row, "batch_year": 2025, "total": None})):
        with pytest.raises(IntegrityError) as failure, session.begin_nested():
            session.execute(table.insert().values(**values))
        caught[kind] = failure.value
    conflict = simultaneous_change(caught["taken key"])
    assert conflict is not None and conflict.status == 409, caught
    assert simultaneous_change(caught["missing total"]) is None, caught

# --- new hazards in one county -------------------------------------------------------------------


def test_simultaneous_reports_in_one_county_get_distinct_consecutive_codes(live):
    people, year = 80, 2023
    clients = [live.api("inspector", n) for n in range(people)]

    def report_one(n):
        client = clients[n]
        answer = client.post(f"{client.base}/api/v1/hazards", timeout=TIMEOUT, json={
            "title": f"同时上报{n}", "geometry": {"type": "Point", "coordinates": list(XINFU_POINT)},
            "found_on": f"{year}-06-01", "batch_year": year, "categories": ["sharp_curve"]})
        return answer.status_code, answer.json().get("code") if answer.status_code == 201 else answer.text[:300]

    results = at_once([lambda n=n: report_one(n) for n in range(people)])
    statuses = Counter(status for status, _ in results)
    codes = [code for status, code in results if status == 201]
    report(live, f"{people} simultaneous reports in county {XINFU}",
           {**statuses, "distinct codes": len(set(codes))})
    assert statuses == Counter({201: people}), results
    assert sorted(codes) == [f"{XINFU}-{year}-{n:04d}" for n in range(1, people + 1)]


# --- password guessing ---------------------------------------------------------------------------


def test_simultaneous_wrong_passwords_are_checked_no_more_than_the_limit(live):
    with live.database():
        session = hazards_db.get_session()
        target = user(session, "inspector", XINFU, login="guessed-at").login
        session.commit()
        limit = live.apps[0].config["LOGIN_MAX_FAILURES"]
    guesses = 20

    def guess(n):
        client = requests.Session()
        answer = client.post(f"{live.urls[n % WORKERS]}/login", data={"login": target, "password": f"guess-{n}"},
                             allow_redirects=False, timeout=TIMEOUT)
        return answer.status_code

    statuses = Counter(at_once([lambda n=n: guess(n) for n in range(guesses)]))
    checked = statuses[401]  # "wrong login or password": the password was checked
    report(live, f"{guesses} simultaneous wrong passwords for one login, limit {limit}",
           {"password checked (401)": checked, "refused unchecked (429)": statuses[429],
            **{k: v for k, v in statuses.items() if k not in (401, 429)}})
    assert checked <= limit and statuses == Counter({401: limit, 429: guesses - limit}), statuses
    assert count(live, select(func.count(LoginAttempt.id)).where(LoginAttempt.login == target)) == limit
    # And the right password is refused too until the window has passed.
    late = requests.post(f"{live.urls[0]}/login", data={"login": target, "password": PASSWORD},
                         allow_redirects=False, timeout=TIMEOUT)
    assert late.status_code == 429


# --- tallies -------------------------------------------------------------------------------------


def test_a_tally_run_twice_at_once_succeeds_twice_and_stores_one_snapshot(live):
    today = clock.today()
    new_hazard(live, title="统计用", level=SupervisionLevel.COUNTY, status=Status.LISTED, batch_year=today.year,
               found_on=today - timedelta(days=40), listed_on=today - timedelta(days=30),
               deadline=today + timedelta(days=30))
    days = [today - timedelta(days=n) for n in range(1, 5)]

    def run(day, app):
        with app.app_context():
            session = hazards_db.get_session()
            rows = store_tally(session, day)
            session.commit()
            return rows

    outcomes: Counter = Counter()
    for day in days + days:  # each day twice at once on a fresh day, then twice again over the stored one
        try_pair = at_once([lambda day=day: _outcome(run, day, live.apps[0]),
                            lambda day=day: _outcome(run, day, live.apps[1])])
        outcomes.update(try_pair)
    report(live, f"{2 * len(days)} pairs of simultaneous tally runs", outcomes)
    assert outcomes == Counter({"succeeded": 4 * len(days)}), outcomes
    with live.database():
        session = hazards_db.get_session()
        for day in days:
            expected = len(compute_tally(session, day))
            stored = session.scalar(select(func.count(TallySnapshot.id)).where(TallySnapshot.as_of == day))
            assert expected > 0 and stored == expected, (day, stored, expected)


def _outcome(run, day, app) -> str:
    try:
        run(day, app)
    except Exception as exc:  # noqa: BLE001 - the kind of failure is what the count reports
        return f"failed: {type(exc).__name__}"
    return "succeeded"

