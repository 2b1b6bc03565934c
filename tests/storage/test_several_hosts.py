"""Several hosts, one deployment: two web servers and a Celery worker, each with its own instance folder,
on one database (SpatiaLite file or PostGIS), one broker (Redis) and one file store (a shared folder, as
an NFS mount gives every host, or an S3 bucket). What one host stores, every other one serves."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hazards import db as hazards_db
from hazards.app import create_app
from hazards.domain.enums import AttachmentPhase
from hazards.models import Attachment
from hazards.services.reference import ensure_reference_data
from hazards.services.registration import report_hazard
from hazards.storage import store_from_config
from tests.conftest import IsolatedClient, unavailable
from tests.factories import draft, jpeg, user
from tests.tasks.test_worker import REDIS, Worker, redis_up, wait_for

HOSTS = ("web-a", "web-b", "worker")


@pytest.fixture(scope="module", params=[
    "folder+spatialite", "s3+spatialite",
    pytest.param("folder+postgis", marks=pytest.mark.postgis), pytest.param("s3+postgis", marks=pytest.mark.postgis),
])
def deployment(request, make_database, tmp_path_factory):
    store_kind, backend = request.param.split("+")
    if not redis_up():
        unavailable("Redis not reachable at 127.0.0.1:6379")
    root = tmp_path_factory.mktemp(request.param.replace("+", "-"))
    if store_kind == "folder":
        files = {"STORAGE_URL": str(root / "nfs-mount")}
    else:
        server = request.getfixturevalue("s3_server")
        files = server.settings(server.new_bucket(), "hazards")
    shared = {"DATABASE_URL": make_database(backend), "BROKER_URL": REDIS, "RESULT_BACKEND": REDIS,
              "CELERY_QUEUE": f"test-{uuid.uuid4().hex[:8]}", "SECRET_KEY": "one-key-for-every-web-server",
              "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **files}
    instances = {host: root / host for host in HOSTS}
    for folder in instances.values():
        folder.mkdir()
    web = {host: create_app({**shared, "INSTANCE_PATH": str(instances[host]), "TESTING": True,
                             "WTF_CSRF_ENABLED": False}) for host in ("web-a", "web-b")}
    from flask_migrate import upgrade

    with web["web-a"].app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        people = {"finder": user(session, "inspector", "140902", login="finder"),
                  "city": user(session, "supervisor", "140900", login="city-sup")}
        hazard = report_hazard(session, draft(), actor=people["finder"])
        session.commit()
        hazard_id = hazard.id
    worker = Worker({**shared, "INSTANCE_PATH": str(instances["worker"])})
    yield {"web": web, "worker": worker, "instances": instances, "hazard_id": hazard_id,
           "store": store_from_config(shared, root / "an-operators-shell")}
    worker.stop()
    for app in web.values():
        hazards_db.state(app).engine.dispose()


def logged_in(app, login: str):
    app.test_client_class = IsolatedClient
    client = app.test_client()
    assert client.post("/login", data={"login": login, "password": "secret-pass"}).status_code == 302
    return client


def nothing_in_instance_folders(instances: dict[str, Path]) -> bool:
    return not any((folder / kept).exists() for folder in instances.values() for kept in ("uploads", "reports", "files"))


def test_a_photo_uploaded_through_one_web_server_is_served_by_the_other(deployment):
    web_a, web_b = deployment["web"]["web-a"], deployment["web"]["web-b"]
    photo = jpeg(1600, 1200)
    upload = logged_in(web_a, "finder").post(
        f"/hazards/{deployment['hazard_id']}/photos", content_type="multipart/form-data",
        data={"phase": AttachmentPhase.BEFORE.value, "photos": (io.BytesIO(photo), "现场.jpg")})
    assert upload.status_code == 303  # back to the hazard's page; the row below shows it was kept
    with web_b.app_context():
        stored = hazards_db.get_session().query(Attachment).filter_by(hazard_id=deployment["hazard_id"]).one()

    on_b = logged_in(web_b, "city-sup")
    served = on_b.get(f"/attachments/{stored.id}")
    assert served.status_code == 200 and hashlib.sha256(served.data).hexdigest() == stored.sha256
    assert served.content_length == stored.size_bytes
    thumb = on_b.get(f"/attachments/{stored.id}?thumb=1")
    assert thumb.status_code == 200 and len(thumb.data) < len(served.data)
    assert stored.stored_path in set(deployment["store"].keys("uploads/"))  # what a backup would copy
    assert nothing_in_instance_folders(deployment["instances"])


def test_a_report_built_by_a_worker_on_a_third_host_downloads_through_either_web_server(deployment):
    web_a, web_b, worker = deployment["web"]["web-a"], deployment["web"]["web-b"], deployment["worker"]
    on_a, on_b = logged_in(web_a, "city-sup"), logged_in(web_b, "city-sup")
    started = on_a.post("/reports/jobs", data={"jurisdiction": "140900", "year": "2024", "format": "xlsx"},
                        headers={"Accept": "application/json"})
    assert started.status_code == 202
    status_url = started.json["status_url"]
    wait_for(lambda: on_a.get(status_url).json["state"] in ("SUCCESS", "FAILURE"), timeout=120,
             message="the report job", worker=worker)
    status = on_b.get(status_url).json  # the other web server follows the same job
    assert status["state"] == "SUCCESS", status
    from_a, from_b = on_a.get(status["file_url"]), on_b.get(status["file_url"])
    assert from_a.status_code == from_b.status_code == 200 and from_a.data == from_b.data
    assert from_b.headers["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(from_b.data))["汇总"]
    assert sheet.max_row > 5  # a real report, not an empty file
    assert f"reports/{started.json['task_id']}.xlsx" in set(deployment["store"].keys("reports/"))
    assert nothing_in_instance_folders(deployment["instances"])
