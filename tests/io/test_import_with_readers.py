"""A large import on SpatiaLite while people keep using the app: no errors, reads and writes keep flowing.

The app runs under gunicorn with several worker processes on one SpatiaLite file, as a small
deployment does. Reader threads load the hazard list page and the API's list in a loop and a writer
posts a small change, while the API imports a file of several thousand rows: first with one bad row
at its end (refused, nothing written), then clean (every row written). Reading requests take no
lock and the import holds the write lock only for its final write, so nothing fails and requests
complete throughout; the rates are printed, not asserted.
"""

from __future__ import annotations

import csv
import io
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from hazards import db as hazards_db
from hazards.models import Hazard
from hazards.services.reference import ensure_reference_data
from hazards.services.tokens import issue_token
from tests.conftest import build_app
from tests.factories import user
from tests.servers import HttpClient, _free_port, wait_until

ROWS = 5000  # several seconds of checking on a developer's machine
READERS = 3
HEADER = ["隐患名称", "辖区代码", "发现日期", "经度", "纬度", "路线编号", "起点桩号", "隐患类型"]
ROOT = Path(__file__).resolve().parents[2]


def ledger_file(rows: int, *, bad_last_row: bool = False) -> bytes:
    rng = random.Random(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(rows):
        lon, lat = 112.734 + rng.uniform(-0.01, 0.01), 38.417 + rng.uniform(-0.01, 0.01)
        writer.writerow([f"导入测试隐患 {i}", "140902", "2024-03-05", f"{lon:.6f}", f"{lat:.6f}", "G208",
                         f"K{1000 + i // 1000}+{i % 1000:03d}", "急弯"])
    if bad_last_row:
        writer.writerow(["日期有误的一行", "140902", "2024-13-45", "112.734", "38.417", "G208", "K1+000", "急弯"])
    return out.getvalue().encode("utf-8-sig")


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Gunicorn:
    """`gunicorn -w N` on the app factory, configured through HAZARDS_* variables like a deployment."""

    def __init__(self, settings: dict, workers: int, log: Path):
        self.port = _free_port()
        env = {**os.environ, **{f"HAZARDS_{k}": str(v) for k, v in settings.items()}}
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--timeout", "300", "--log-level", "warning", "hazards.app:create_app()"],
            env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        self.base_url = f"http://127.0.0.1:{self.port}"
        wait_until(lambda: self._up(), timeout=90, what="gunicorn to serve", every=0.3)

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
        try:
            return HttpClient(self.base_url, timeout=5).get("/login").status == 200
        except OSError:
            return False

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class Traffic:
    """Readers and a writer in threads, each request's end time and outcome kept."""

    def __init__(self, base_url: str, bearer: dict):
        self.base_url, self.bearer = base_url, bearer
        self.stop = threading.Event()
        self.reads: list[float] = []
        self.writes: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._read, daemon=True) for _ in range(READERS)]
        self.threads.append(threading.Thread(target=self._write, daemon=True))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _note(self, kind: list, what: str, call):
        began = time.monotonic()
        try:
            answer = call()
            ok, outcome = answer.status == 200, answer.status
        except Exception as exc:  # noqa: BLE001 - a refused or dropped request is an error too
            ok, outcome = False, repr(exc)
        with self.lock:
            if ok:
                kind.append((began, time.monotonic()))
            else:
                self.errors.append(f"{what}: {outcome}")

    def _read(self):
        client = HttpClient(self.base_url)
        try:
            client.login("county-sup")
        except (AssertionError, OSError) as exc:
            with self.lock:
                self.errors.append(f"login: {exc}")
            return
        while not self.stop.is_set():
            self._note(self.reads, "GET /hazards", lambda: client.get("/hazards"))
            self._note(self.reads, "GET /api/v1/hazards", lambda: client.get("/api/v1/hazards?limit=20"))

    def _write(self):
        client = HttpClient(self.base_url)
        while not self.stop.is_set():
            self._note(self.writes, "POST /api/v1/notifications/read",
                       lambda: client.post("/api/v1/notifications/read", body=b"", headers=self.bearer))
            time.sleep(0.1)

    def between(self, kind: list, start: float, end: float) -> int:
        """Requests begun and answered within [start, end]: they did not wait for the import to end."""
        return sum(1 for began, done in kind if start <= began and done <= end)


def timed_import(base_url: str, bearer: dict, content: bytes):
    body, content_type = multipart("台账.csv", content)
    start = time.monotonic()
    answer = HttpClient(base_url, timeout=600).post("/api/v1/import", body=body,
                                                    headers={**bearer, "Content-Type": content_type})
    return answer, start, time.monotonic()


def count_imported(app) -> int:
    with app.app_context():
        session = hazards_db.get_session()
        try:
            return session.scalar(select(func.count(Hazard.id)).where(Hazard.title.like("导入测试隐患%")))
        finally:
            session.close()


def test_a_large_import_lets_readers_and_writers_through(make_database, tmp_path):
    url = make_database("spatialite")
    app = build_app(url, tmp_path)
    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        supervisor = user(session, "supervisor", "140902", login="county-sup")
        _token, secret = issue_token(session, supervisor, "import")
        session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    settings = {"DATABASE_URL": url, "INSTANCE_PATH": tmp_path, "SECRET_KEY": "test",
                "SESSION_COOKIE_SECURE": "false", "WTF_CSRF_ENABLED": "false", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    server = Gunicorn(settings, workers=READERS, log=tmp_path / "gunicorn.log")
    try:
        with Traffic(server.base_url, bearer) as traffic:
            wait_until(lambda: len(traffic.reads) >= 20 or traffic.errors, timeout=60, what="reads before the import")
            assert traffic.errors == [], traffic.errors[:10]
            quiet_start = time.monotonic()
            time.sleep(2)
            quiet_reads = traffic.between(traffic.reads, quiet_start, time.monotonic())

            refused, bad_start, bad_end = timed_import(server.base_url, bearer, ledger_file(ROWS, bad_last_row=True))
            written, start, end = timed_import(server.base_url, bearer, ledger_file(ROWS))
            time.sleep(1)
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn died:\n{(tmp_path / 'gunicorn.log').read_text()[-3000:]}")
    finally:
        server.stop()

    assert refused.status == 422, refused.text[:500]
    assert refused.json()["error_count"] == 1 and refused.json()["created_count"] == 0
    assert written.status == 201, written.text[:500]
    assert written.json()["created_count"] == ROWS
    assert count_imported(app) == ROWS  # the refused file wrote nothing, the clean one everything
    hazards_db.state(app).engine.dispose()

    assert traffic.errors == [], traffic.errors[:10]
    seconds = end - start
    reads_during = traffic.between(traffic.reads, start, end)
    writes_during = traffic.between(traffic.writes, start, end)
    print(f"\nimport of {ROWS} rows under gunicorn -w {READERS}, {READERS} reader threads and a writer: "
          f"{seconds:.1f} s (refused file: {bad_end - bad_start:.1f} s); "
          f"reads/s before {quiet_reads / 2:.1f}, during {reads_during / seconds:.1f} "
          f"(during the refused one {traffic.between(traffic.reads, bad_start, bad_end) / (bad_end - bad_start):.1f}); "
          f"writes during {writes_during} ({writes_during / seconds:.1f}/s; during the refused one "
          f"{traffic.between(traffic.writes, bad_start, bad_end)}); errors {len(traffic.errors)}")
    # Requests begun and answered while an import ran: more than one per client, as a client stuck
    # behind the import could finish at most the one it began before the import took the lock.
    assert reads_during > READERS and traffic.between(traffic.reads, bad_start, bad_end) > READERS
    assert traffic.between(traffic.writes, bad_start, bad_end) > 1  # the checks take no write lock
