"""The broker stopped under a running app: asking for a report job is a clear 503, and jobs resume after.

A private redis-server is the broker and result store of a live app (a real HTTP server). While it
is stopped, the report job's page and its JSON answer 503 with Retry-After, in the reader's language,
within seconds; the rest of the app keeps working. Once it is back, the same app (no restart) takes
the next request and a real worker builds the file.
"""

from __future__ import annotations

import time
import uuid

from flask_migrate import upgrade

from hazards import db as hazards_db
from hazards.services.reference import ensure_reference_data
from tasks.celery_app import make_celery
from tests.conftest import build_app
from tests.factories import user
from tests.servers import HttpClient, RedisServer, serving
from tests.tasks.test_worker import Worker, wait_for

JOB = {"jurisdiction": "140900", "year": "2024", "format": "csv"}
JSON = {"Accept": "application/json"}


def job_app(make_database, instance, broker: str):
    config = {"DATABASE_URL": make_database("spatialite"), "INSTANCE_PATH": str(instance),
              "BROKER_URL": f"{broker}/0", "RESULT_BACKEND": f"{broker}/1",
              "CELERY_QUEUE": f"test-{uuid.uuid4().hex[:8]}", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    app = build_app(config["DATABASE_URL"], instance)
    app.config.update(config, SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        user(session, "supervisor", "140900", login="city-sup")
        session.commit()
    make_celery(app)  # again, now that the broker is this test's
    return app, config


def timed(call):
    start = time.monotonic()
    answer = call()
    return answer, time.monotonic() - start


def test_a_stopped_broker_is_a_translated_503_and_jobs_resume_when_it_returns(make_database, tmp_path):
    redis = RedisServer(tmp_path).start()
    app, config = job_app(make_database, tmp_path, redis.url)
    worker = None
    try:
        with serving(app) as base_url:
            browser = HttpClient(base_url)
            browser.login("city-sup")
            earlier = browser.post("/reports/jobs", form=JOB, headers=JSON)
            assert earlier.status == 202  # waits in the queue: no worker yet
            redis.stop()

            page, page_seconds = timed(lambda: browser.post("/reports/jobs", form=JOB))
            assert page.status == 503, page.text[:500]
            assert "text/html" in page.headers["Content-Type"]
            assert "服务暂时不可用" in page.text and "后台任务暂时无法启动" in page.text  # the app's own page
            assert page.headers["Retry-After"] == "30"
            assert "script-src 'self' 'nonce-" in page.headers["Content-Security-Policy"]

            problem, json_seconds = timed(lambda: browser.post("/reports/jobs", form=JOB, headers=JSON))
            assert problem.status == 503 and problem.headers["Content-Type"] == "application/problem+json"
            body = problem.json()
            assert body["code"] == "job_queue_unavailable" and body["status"] == 503
            assert body["detail"].startswith("后台任务暂时无法启动")  # the user's language: Chinese
            assert problem.headers["Retry-After"] == "30"
            english = browser.post("/reports/jobs", form=JOB, headers={**JSON, "Accept-Language": "en"}).json()
            assert english["detail"].startswith("Background jobs cannot be started just now")

            polled, poll_seconds = timed(lambda: browser.get(earlier.json()["status_url"], headers=JSON))
            assert polled.status == 503 and polled.json()["code"] == "job_queue_unavailable"  # results are there too
            assert browser.get("/reports").status == 200  # the rest of the app does not need the broker
            print(f"\nbroker down: page 503 in {page_seconds:.2f} s, JSON 503 in {json_seconds:.2f} s, "
                  f"a job's progress 503 in {poll_seconds:.2f} s")

            redis.start()
            started = browser.post("/reports/jobs", form=JOB, headers=JSON)
            assert started.status == 202, started.text[:500]
            worker = Worker(config)
            begun = time.monotonic()
            status_url = started.json()["status_url"]
            wait_for(lambda: browser.get(status_url).json()["state"] == "SUCCESS", timeout=120,
                     message="the report job after the broker came back", worker=worker)
            print(f"broker back: job accepted and built by a worker in {time.monotonic() - begun:.1f} s")
            file = browser.get(started.json()["file_url"])
            assert file.status == 200 and "忻州市" in file.body.decode("utf-8-sig")
    finally:
        if worker is not None:
            worker.stop()
        redis.stop()
        hazards_db.state(app).engine.dispose()
