"""The database gone under a running app: a static 503 page and a 503 problem, then recovery by itself.

A live app reaches PostGIS through a TCP relay that the test cuts (every connection dropped, new
ones refused) and restores. While it is cut, pages answer with the static page (which needs no
database), the API with a 503 problem, both with Retry-After; once restored, the same app serves
again without a restart.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask_migrate import upgrade

from hazards import db as hazards_db
from hazards.services.reference import ensure_reference_data
from tests.conftest import build_app
from tests.factories import draft, user
from tests.servers import HttpClient, TcpProxy, serving, wait_until

PAGES = ["/", "/hazards", "/hazards/1", "/no-such-page"]
API = ["/api/v1/hazards", "/api/v1/me"]


def through(url: str, port: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))


def assert_static_page(answer, path):
    assert answer.status == 503, (path, answer.status, answer.text[:300])
    assert "服务暂时不可用" in answer.text and "Service temporarily unavailable" in answer.text, path
    assert "Werkzeug" not in answer.text and "Internal Server Error" not in answer.text
    assert answer.headers["Retry-After"] and answer.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert "<script" not in answer.text  # self-contained: no script, no stylesheet to fetch
    assert "<link" not in answer.text


@pytest.mark.postgis
def test_a_stopped_database_gives_static_503_pages_and_503_problems_then_recovers(make_database, tmp_path):
    direct = make_database("postgis")
    proxy = TcpProxy(urlsplit(direct).port).restore()
    app = build_app(through(direct, proxy.port), tmp_path)
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        supervisor = user(session, "supervisor", "140902", login="county-sup")
        from hazards.services.registration import report_hazard

        report_hazard(session, draft(), actor=supervisor)
        from hazards.services.tokens import issue_token

        _token, secret = issue_token(session, supervisor, "outage test")
        session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    try:
        with serving(app) as base_url:
            browser = HttpClient(base_url)
            browser.login("county-sup")
            assert [browser.get(p).status for p in PAGES] == [302, 200, 200, 404]
            assert all(browser.get(p, headers=bearer).status == 200 for p in API)

            proxy.cut()
            cut_at = time.monotonic()
            for path in PAGES:
                assert_static_page(browser.get(path), path)
            stranger = HttpClient(base_url)
            assert stranger.get("/login").status == 200  # the login form itself needs no database
            assert_static_page(stranger.post("/login", form={"login": "county-sup", "password": "secret-pass"}),
                               "POST /login")
            for path in API:
                problem = browser.get(path, headers=bearer)
                assert problem.status == 503 and problem.headers["Content-Type"] == "application/problem+json"
                body = problem.json()
                assert body["code"] == "database_unavailable" and body["detail"].startswith("暂时无法连接台账数据库")
                assert problem.headers["Retry-After"]
            english = browser.get(API[0], headers={**bearer, "Accept-Language": "en"}).json()
            assert english["detail"].startswith("The ledger's database cannot be reached just now")
            wrote = browser.post("/inbox/read", form={})
            assert_static_page(wrote, "POST /inbox/read")
            outage_seconds = time.monotonic() - cut_at

            proxy.restore()
            back_at = time.monotonic()
            wait_until(lambda: browser.get("/hazards").status == 200, timeout=30, what="pages after the database")
            recovered = time.monotonic() - back_at
            assert [browser.get(p).status for p in PAGES] == [302, 200, 200, 404]
            assert all(browser.get(p, headers=bearer).status == 200 for p in API)
            assert browser.get("/hazards/1").status == 200
        requests_during = len(PAGES) + 1 + len(API) + 2
        print(f"\ndatabase cut: {requests_during} requests answered 503 in {outage_seconds:.2f} s; "
              f"served again {recovered:.2f} s after it returned, no restart")
    finally:
        proxy.cut()
        hazards_db.state(app).engine.dispose()


def test_an_error_page_that_cannot_be_rendered_is_the_static_500_page(client, monkeypatch):
    """Rendering the normal error page fails (say, it cannot load the signed-in user): the static page."""
    from hazards.web import errors

    def broken(*_args, **_kwargs):
        raise RuntimeError("the page could not be rendered")

    monkeypatch.setattr(errors, "render_template", broken)
    answer = client.get("/no-such-page")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 500 and "出现错误" in text and "Something went wrong" in text
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert "Retry-After" not in answer.headers
