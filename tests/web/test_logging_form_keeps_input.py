"""The logging form loses nothing across a question or a refusal: the photos attached wait in the file
store under a token only their sender may use, and every typed field comes back. Coordinates are read
as people paste them."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from shapely.geometry import Point
from sqlalchemy import func, select

from geo.geometry import from_db
from hazards import clock
from hazards.domain.enums import Direction
from hazards.models import Attachment, Hazard
from hazards.permissions import SYSTEM
from hazards.services import staged_uploads
from hazards.services.registration import report_hazard
from hazards.storage import current_store
from tests.factories import draft, jpeg

FORM = {"title": "X012线K3+200处急弯", "jurisdiction_code": "140902", "lon": "112.7340", "lat": "38.4170",
        "crs": "wgs84", "categories": ["sharp_curve"], "description": "弯道外侧无护栏", "place": "东楼村口",
        "temporary_controls": "已设警示牌"}


def _token(page: str) -> str:
    found = re.search(r'name="upload_token" value="([^"]*)"', page)
    return found.group(1) if found else ""


def _nearby_sharp_curve(session):
    report_hazard(session, draft(title="邻近急弯", jurisdiction_code="140902", geometry=Point(112.73423, 38.4170),
                                 category_codes=["sharp_curve"]), actor=SYSTEM)
    session.commit()


def _logged(session, title=FORM["title"]) -> Hazard | None:
    return session.scalar(select(Hazard).where(Hazard.title == title))


def test_a_photo_survives_the_duplicate_question(client, auth, session, people):
    _nearby_sharp_curve(session)
    auth.login(people["inspector"])

    asked = client.post("/hazards/new", data={**FORM, "photos": (io.BytesIO(jpeg(80, 40)), "现场.jpg")},
                        content_type="multipart/form-data")

    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "是否为同一处" in page
    assert "已保留照片：现场.jpg" in page
    assert "弯道外侧无护栏" in page and "东楼村口" in page and "已设警示牌" in page  # typed fields refilled
    token = _token(page)
    assert token and list(current_store().keys(f"{staged_uploads.STAGING}{token}/"))

    saved = client.post("/hazards/new", data={**FORM, "not_duplicate": "1", "upload_token": token},
                        content_type="multipart/form-data")

    assert saved.status_code == 302
    hazard = _logged(session)
    photos = session.scalars(select(Attachment).where(Attachment.hazard_id == hazard.id)).all()
    assert [p.original_name for p in photos] == ["现场.jpg"]
    assert list(current_store().keys(f"{staged_uploads.STAGING}{token}/")) == []  # nothing left waiting
    assert "现场.jpg" in client.get(saved.headers["Location"]).get_data(as_text=True)


def test_a_photo_survives_a_refusal_and_more_can_be_added(client, auth, session, people):
    auth.login(people["inspector"])

    refused = client.post("/hazards/new", data={**FORM, "title": "", "photos": (io.BytesIO(jpeg(80, 40)), "a.jpg")},
                          content_type="multipart/form-data")

    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "已保留照片：a.jpg" in page and "东楼村口" in page
    saved = client.post("/hazards/new", data={**FORM, "upload_token": _token(page),
                                              "photos": (io.BytesIO(jpeg(60, 40)), "b.jpg")},
                        content_type="multipart/form-data")
    assert saved.status_code == 302
    names = session.scalars(select(Attachment.original_name).where(Attachment.hazard_id == _logged(session).id))
    assert sorted(names) == ["a.jpg", "b.jpg"]


def test_a_token_is_only_its_senders(client, auth, session, people):
    _nearby_sharp_curve(session)
    auth.login(people["inspector"])
    token = _token(client.post("/hazards/new", data={**FORM, "photos": (io.BytesIO(jpeg(80, 40)), "mine.jpg")},
                               content_type="multipart/form-data").get_data(as_text=True))
    client.post("/logout")

    auth.login(people["county"])
    taken = client.post("/hazards/new", data={**FORM, "title": "别人的", "not_duplicate": "1", "upload_token": token})

    assert taken.status_code == 302
    assert session.scalar(select(func.count(Attachment.id)).where(Attachment.hazard_id == _logged(session, "别人的").id)) == 0
    assert list(current_store().keys(f"{staged_uploads.STAGING}{token}/"))  # still there for its sender


def test_an_unreadable_file_is_refused_and_the_good_photo_kept(client, auth, session, people):
    auth.login(people["inspector"])
    data = {**FORM, "photos": [(io.BytesIO(jpeg(80, 40)), "good.jpg"), (io.BytesIO(b"MZ\x90"), "virus.jpg")]}

    response = client.post("/hazards/new", data=data, content_type="multipart/form-data")

    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "不是可读取的图片" in page
    assert "已保留照片：good.jpg" in page and "virus.jpg" not in page
    assert _logged(session) is None


def test_stale_waiting_uploads_are_dropped_by_the_command(app, session, people, runner):
    store = current_store()
    fresh = staged_uploads.keep(store, people["inspector"].id, [staged_uploads.StagedPhoto("a.jpg", jpeg())])
    old = f"{int((clock.now() - timedelta(days=2)).timestamp()):010d}-{'0' * 32}"
    store.put(f"{staged_uploads.STAGING}{old}/1", jpeg())

    result = runner.invoke(args=["files", "drop-staged"])

    assert result.exit_code == 0, result.output
    assert list(store.keys(f"{staged_uploads.STAGING}{old}/")) == []
    assert staged_uploads.load(store, fresh, people["inspector"].id)[0].name == "a.jpg"
    staged_uploads.forget(store, fresh)


@pytest.mark.parametrize("lon, lat", [
    ("112.7340,38.4170", ""), ("112.7340，38.4170", ""), ("112.7340 38.4170", ""), ("38.4170, 112.7340", ""),
    ("", "112.7340,38.4170"),
], ids=["comma", "chinese-comma", "space", "lat-first", "pasted-into-latitude"])
def test_a_pasted_pair_is_read_as_longitude_and_latitude(client, auth, session, people, lon, lat):
    auth.login(people["inspector"])

    response = client.post("/hazards/new", data={**FORM, "lon": lon, "lat": lat})

    assert response.status_code == 302, response.get_data(as_text=True)
    x, y = from_db(_logged(session).geom).coords[0]
    assert (round(x, 4), round(y, 4)) == (112.734, 38.417)


def test_a_swapped_pair_is_offered_to_swap(client, auth, session, people):
    auth.login(people["inspector"])

    response = client.post("/hazards/new", data={**FORM, "lon": "38.4170", "lat": "112.7340"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "交换经纬度" in page
    assert re.search(r'<p id="swap-offer">', page)  # shown, not hidden
    assert "东楼村口" in page


def test_a_field_that_is_no_pair_is_refused_in_chinese(client, auth, session, people):
    auth.login(people["inspector"])

    response = client.post("/hazards/new", data={**FORM, "lon": "112.7340,北纬", "lat": ""})

    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "“112.7340,北纬”不是经纬度" in page
    assert 'id="swap-offer" hidden' in page


def test_a_section_written_high_stake_first_is_the_down_carriageway(client, auth, session, people):
    auth.login(people["inspector"])

    response = client.post("/hazards/new", data={**FORM, "route_code": "X012", "stakes": "K13+050~K12+300"})

    assert response.status_code == 302, response.get_data(as_text=True)
    hazard = _logged(session)
    assert (hazard.start_m, hazard.end_m, hazard.direction) == (12300, 13050, Direction.DOWN)
