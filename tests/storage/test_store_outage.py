"""The S3 store going away under a running app: a clear 503 that says to try again, nothing half-saved."""

from __future__ import annotations

import io

from flask_migrate import upgrade
from sqlalchemy import func, select

from hazards import db as hazards_db
from hazards.domain.enums import AttachmentPhase
from hazards.models import Attachment
from hazards.services.reference import ensure_reference_data
from hazards.services.registration import report_hazard
from tests.conftest import build_app, unavailable
from tests.factories import draft, jpeg, user


def test_an_upload_while_the_store_is_down_is_a_503_and_saves_nothing(make_database, tmp_path):
    try:
        from tests.servers import S3Server
    except ImportError as exc:  # moto is a test requirement
        unavailable(f"moto's S3 server is not installed: {exc}")
    server = S3Server().__enter__()
    bucket = server.new_bucket()
    app = build_app(make_database("spatialite"), tmp_path)
    app.config.update(server.settings(bucket, "hazards"))
    from hazards import storage

    storage.init_app(app)
    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        finder = user(session, "inspector", "140902", login="finder")
        hazard = report_hazard(session, draft(), actor=finder)
        session.commit()
        hazard_id = hazard.id
    client = app.test_client()
    assert client.post("/login", data={"login": "finder", "password": "secret-pass"}).status_code == 302

    def upload():
        return client.post(f"/hazards/{hazard_id}/photos", content_type="multipart/form-data",
                           data={"phase": AttachmentPhase.BEFORE.value, "photos": (io.BytesIO(jpeg()), "现场.jpg")})

    assert upload().status_code in (302, 303)  # the store is up: saved
    with app.app_context():
        attachment_id = hazards_db.get_session().scalar(select(Attachment.id))

    server.__exit__(None, None, None)  # the S3 server goes away

    page = upload()
    assert page.status_code == 503
    assert page.headers["Retry-After"]
    assert "暂时无法连接文件存储" in page.get_data(as_text=True)
    api = client.post(f"/api/v1/hazards/{hazard_id}/attachments", content_type="multipart/form-data",
                      headers={"Accept": "application/json"},
                      data={"phase": AttachmentPhase.BEFORE.value, "file": (io.BytesIO(jpeg()), "现场.jpg")})
    assert api.status_code == 503 and api.headers["Retry-After"]
    assert api.get_json()["code"] == "file_store_unavailable"
    download = client.get(f"/attachments/{attachment_id}")
    assert download.status_code == 503
    with app.app_context():
        assert hazards_db.get_session().scalar(select(func.count(Attachment.id))) == 1  # nothing half-saved
    hazards_db.state(app).engine.dispose()
