"""The production recipe in deploy/ runs as written: the systemd units' own commands serve the app under
gunicorn and run the jobs (a worker and the one beat) on PostGIS and Redis; `make run`'s script serves
the embedded default the same way.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from hazards import db as hazards_db
from hazards.models import TallySnapshot
from hazards.permissions import SYSTEM
from hazards.services.reference import ensure_reference_data
from hazards.services.registration import report_hazard
from tests.conftest import build_app, unavailable
from tests.factories import draft
from tests.servers import _free_port
from tests.tasks.test_worker import redis_up

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
BIN = Path(sys.executable).parent


def unit_command(unit: str, state_dir: Path) -> list[str]:
    """The unit's ExecStart, with the install paths and systemd specifiers of this checkout."""
    line = next(line for line in (UNITS / unit).read_text().splitlines() if line.startswith("ExecStart="))
    line = (line.removeprefix("ExecStart=").replace("/opt/hazards/.venv/bin/", f"{BIN}/")
            .replace("/var/lib/hazards-beat", str(state_dir)).replace("%i", "1").replace("%H", "test"))
    return shlex.split(line)


class Started:
    def __init__(self, args, env, log: Path):
        self.log = log
        self.process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                return self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def wait_for(condition, what: str, started: list[Started], timeout: float = 60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        for item in started:
            if item.process.poll() is not None:
                pytest.fail(f"{item.process.args[:3]} exited while waiting for {what}:\n{item.log.read_text()[-3000:]}")
        time.sleep(0.5)
    logs = "\n".join(item.log.read_text()[-2000:] for item in started)
    pytest.fail(f"timed out waiting for {what}\n{logs}")


def page(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except OSError:
        return 0, ""


@pytest.mark.postgis
def test_the_systemd_units_serve_the_app_and_run_its_jobs_on_postgis_and_redis(make_database, tmp_path):
    if not redis_up():
        unavailable("Redis not reachable at 127.0.0.1:6379")
    database = make_database("postgis")
    app = build_app(database, tmp_path / "instance")
    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        report_hazard(session, draft(), actor=SYSTEM)
        session.commit()
    port = _free_port()
    # What /etc/hazards/hazards.env would hold (deploy/hazards.env.example), for this machine.
    env = {**os.environ, "HAZARDS_INSTANCE_PATH": str(tmp_path / "instance"), "HAZARDS_DATABASE_URL": database,
           "HAZARDS_SECRET_KEY": "recipe-test", "HAZARDS_BROKER_URL": "redis://127.0.0.1:6379/13",
           "HAZARDS_RESULT_BACKEND": "redis://127.0.0.1:6379/13", "HAZARDS_BIND": f"127.0.0.1:{port}",
           "HAZARDS_WEB_WORKERS": "2", "HAZARDS_CELERY_QUEUE": f"recipe-{uuid.uuid4().hex[:8]}",
           "HAZARDS_BEAT_INTERVAL_SECONDS": "2", "HAZARDS_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    started = []
    try:
        for unit in ("hazards-web.service", "hazards-worker@.service", "hazards-beat.service"):
            started.append(Started(unit_command(unit, tmp_path), env, tmp_path / f"{unit}.log"))
        wait_for(lambda: page(f"http://127.0.0.1:{port}/login")[0] == 200, "the login page", started)
        status, body = page(f"http://127.0.0.1:{port}/login")
        assert "登录" in body  # the app itself, in Chinese, not a proxy or gunicorn page
        assert "Booting worker" in (tmp_path / "hazards-web.service.log").read_text()  # gunicorn, not a dev server

        def tallied():
            with app.app_context():
                return hazards_db.get_session().scalar(select(func.count(TallySnapshot.id))) > 0

        # Beat starts the tally on its own; the worker runs it and writes the snapshot into PostGIS.
        wait_for(tallied, "a tally started by beat and run by the worker", started, timeout=90)
    finally:
        codes = [item.stop() for item in started]
        hazards_db.state(app).engine.dispose()
    assert all(code in (0, -signal.SIGTERM) for code in codes), codes


def test_make_run_serves_the_embedded_default_under_gunicorn_with_its_jobs(tmp_path):
    port = _free_port()
    instance = tmp_path / "instance"
    env = {**os.environ, "HAZARDS_INSTANCE_PATH": str(instance), "BIN": str(BIN), "HOST": "127.0.0.1",
           "PORT": str(port), "HAZARDS_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    for key in [k for k in env if k.startswith("HAZARDS_") and k not in (
            "HAZARDS_INSTANCE_PATH", "HAZARDS_PASSWORD_HASH_METHOD")]:
        del env[key]  # the embedded default: no database or broker settings at all
    subprocess.run([str(BIN / "hazards"), "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    served = Started(["bash", "scripts/serve.sh"], env, tmp_path / "serve.log")
    try:
        wait_for(lambda: page(f"http://127.0.0.1:{port}/login")[0] == 200, "the login page", [served])
        assert "登录" in page(f"http://127.0.0.1:{port}/login")[1]
        wait_for(lambda: "ready." in (instance / "worker.log").read_text() if (instance / "worker.log").exists()
                 else False, "the job worker", [served])
    finally:
        served.stop()
    assert "Booting worker" in (tmp_path / "serve.log").read_text()
