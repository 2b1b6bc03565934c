"""The pages inspectors and supervisors use, driven over HTTP as a browser would."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from PIL import Image
from shapely.geometry import Point
from sqlalchemy import func, select

from geo.coords import wgs84_to_gcj02
from geo.geometry import from_db
from hazards import clock
from hazards.domain.enums import CoordinateInput, FundingKind, FundingSource, Status, SupervisionLevel
from hazards.models import Attachment, Hazard, Organization
from hazards.permissions import SYSTEM
from hazards.services.funding import add_funding
from hazards.services.registration import report_hazard
from hazards.storage import current_store
from tests.factories import draft, jpeg

FORM = {"title": "X012线K3+200处急弯", "jurisdiction_code": "140902", "lon": "112.7340", "lat": "38.4170",
        "crs": "wgs84", "route_code": "x012", "stakes": "K3+200", "categories": ["sharp_curve"]}


def count(session):
    return session.scalar(select(func.count(Hazard.id)))


@pytest.fixture
def inspector(people):
    return people["inspector"]


@pytest.fixture
def supervisor(people):
    """Xinfu's county supervisor."""
    return people["county"]


def test_inspector_logs_a_hazard_with_typed_coordinates(client, auth, session, inspector):
    auth.login(inspector)
    response = client.post("/hazards/new", data=FORM)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "140902-" in page and "X012线K3+200处急弯" in page and "已上报" in page and "急弯" in page
    hazard = session.scalar(select(Hazard))
    assert hazard.route_code == "X012" and hazard.start_m == 3200 and hazard.found_by_id == inspector.id
    assert from_db(hazard.geom).coords[0] == pytest.approx((112.734, 38.417))


def test_gcj02_coordinates_are_converted_and_marked(client, auth, session, inspector):
    auth.login(inspector)
    gcj_lon, gcj_lat = wgs84_to_gcj02(112.734, 38.417)
    client.post("/hazards/new", data={**FORM, "lon": f"{gcj_lon:.7f}", "lat": f"{gcj_lat:.7f}", "crs": "gcj02"})
    hazard = session.scalar(select(Hazard))
    assert hazard.coordinate_input is CoordinateInput.GCJ02
    assert from_db(hazard.geom).coords[0] == pytest.approx((112.734, 38.417), abs=1e-6)


def test_a_section_drawn_on_the_map(client, auth, session, inspector):
    auth.login(inspector)
    client.post("/hazards/new", data={**FORM, "lon": "", "lat": "", "stakes": "K3+200~K4+100",
                                      "geometry_wkt": "LINESTRING(112.70 38.40, 112.71 38.405)"})
    hazard = session.scalar(select(Hazard))
    assert from_db(hazard.geom).geom_type == "LineString" and hazard.end_m == 4100


@pytest.mark.parametrize(
    "change, message",
    [
        ({"lon": "212.7", "lat": "38.4"}, "经度 212.7 超出 -180～180 的范围"),
        ({"lon": "38.417", "lat": "112.734"}, "经纬度似乎填反了"),
        ({"lon": "", "lat": "", "stakes": ""}, "请给出位置"),
        ({"lon": "", "lat": ""}, "忻府区 没有路线 X012 的资料"),
        ({"stakes": "K3+2OO"}, "“K3+2OO”不是桩号"),
        ({"title": ""}, "必填"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, auth, session, inspector, change, message):
    auth.login(inspector)
    response = client.post("/hazards/new", data={**FORM, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="x012"' in page  # what was typed is kept for correcting
    assert count(session) == 0


def test_a_nearby_open_hazard_of_the_same_category_is_offered_as_a_duplicate(client, auth, session, inspector):
    original = report_hazard(session, draft(geometry=Point(112.7342, 38.4171)), actor=SYSTEM)
    session.commit()
    auth.login(inspector)
    response = client.post("/hazards/new", data=FORM)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and original.code in page and "是否为同一处" in page
    assert count(session) == 1
    client.post("/hazards/new", data={**FORM, "not_duplicate": "1"})
    assert count(session) == 2


def test_photo_gps_is_the_location_and_orientation_is_respected(client, auth, session, inspector):
    auth.login(inspector)
    photo = jpeg(80, 40, orientation=6, gps=(112.7301, 38.4012))  # taken holding the phone sideways
    data = {**FORM, "lon": "", "lat": "", "photos": (io.BytesIO(photo), "scene.jpg")}
    response = client.post("/hazards/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    hazard = session.scalar(select(Hazard))
    assert from_db(hazard.geom).coords[0] == pytest.approx((112.7301, 38.4012), abs=1e-5)
    stored = session.scalar(select(Attachment))
    with Image.open(current_store().open(stored.stored_path)) as image:
        assert image.size == (40, 80)  # turned upright: portrait, not the sensor's landscape
    assert client.get(f"/attachments/{stored.id}?thumb=1").status_code == 200


def test_photo_location_endpoint(client, auth, session, inspector):
    auth.login(inspector)
    response = client.post("/hazards/photo-location", data={"photo": (io.BytesIO(jpeg(gps=(112.5, 38.5))), "a.jpg")},
                           content_type="multipart/form-data")
    assert response.get_json() == pytest.approx({"lon": 112.5, "lat": 38.5}, abs=1e-5)
    response = client.post("/hazards/photo-location", data={"photo": (io.BytesIO(b"not an image"), "a.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 422


def test_a_file_that_is_not_a_photo_is_refused(client, auth, session, inspector):
    hazard = report_hazard(session, draft(), actor=SYSTEM)
    session.commit()
    auth.login(inspector)
    response = client.post(f"/hazards/{hazard.id}/photos", data={"phase": "after", "photos": (io.BytesIO(b"MZ\x90"), "virus.jpg")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "文件不是可读取的图片" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Attachment.id))) == 0


def test_supervisor_walks_a_hazard_to_closure_over_http(client, auth, session, inspector, supervisor):
    hazard = report_hazard(session, draft(), actor=inspector)
    body = Organization(name="忻府区人民政府", kind="supervising", jurisdiction_code="140902")
    unit = Organization(name="忻府区交通运输局", kind="responsible", jurisdiction_code="140902")
    session.add_all([body, unit])
    session.commit()
    auth.login(supervisor)

    def act(action, **data):
        session.refresh(hazard)
        return client.post(f"/hazards/{hazard.id}/actions/{action}", data={"version": hazard.version, **data},
                           follow_redirects=True)

    act("verify")
    page = act("list", level="county").get_data(as_text=True)
    assert "尚缺：整改期限、督办单位" in page
    act("list", level="county", deadline=(clock.today() + timedelta(days=60)).isoformat(),
        supervising_body_id=body.id, document_no="忻府安办〔2024〕3号")
    add_funding(session, hazard.id, supervisor, kind=FundingKind.BUDGET, source=FundingSource.COUNTY,
                amount=Decimal("120000"))
    session.commit()
    act("approve_plan", plan_text="增设减速带", responsible_unit_id=unit.id)
    act("start_works")
    client.post(f"/hazards/{hazard.id}/photos", data={"phase": "after", "photos": (io.BytesIO(jpeg()), "after.jpg")},
                content_type="multipart/form-data")
    act("request_closure", completed_on=clock.today().isoformat())
    page = act("accept", acceptance_note="验收合格").get_data(as_text=True)
    session.refresh(hazard)
    assert hazard.status is Status.CLOSED
    assert "已销号" in page and "验收合格" in page and "12.00" in page  # budget shown in 万元


def test_outsiders_get_404_and_inspectors_403(client, auth, session, inspector, people):
    hazard = report_hazard(session, draft(), actor=SYSTEM)
    session.commit()
    outsider = people["other_county"]
    auth.login(outsider)
    assert client.get(f"/hazards/{hazard.id}").status_code == 404
    assert client.post(f"/hazards/{hazard.id}/actions/verify").status_code == 404
    assert client.get(f"/maps/hazards/{hazard.id}.geojson").status_code == 404
    assert hazard.code not in client.get("/hazards").get_data(as_text=True)
    auth.logout()
    auth.login(inspector)
    response = client.post(f"/hazards/{hazard.id}/actions/verify")
    assert response.status_code == 403 and "无权" in response.get_data(as_text=True)


def test_a_stale_edit_shows_the_other_change_and_keeps_mine(client, auth, session, inspector, supervisor):
    hazard = report_hazard(session, draft(), actor=SYSTEM)
    session.commit()
    auth.login(inspector)
    form = client.get(f"/hazards/{hazard.id}/edit").get_data(as_text=True)
    assert f'name="version" value="{hazard.version}"' in form
    stale = hazard.version
    from hazards.services.editing import update_hazard

    update_hazard(session, hazard.id, supervisor, {"place": "村口"}, expected_version=stale)
    session.commit()
    response = client.post(f"/hazards/{hazard.id}/edit", data={"version": stale, "title": "我的新标题",
                                                               "place": "桥头"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "村口" in page and "我的新标题" in page and "桥头" in page
    session.refresh(hazard)
    assert hazard.title != "我的新标题" and hazard.place == "村口"


def test_list_filters_and_dashboard(client, auth, session, supervisor):
    today = clock.today()
    report_hazard(session, draft(title="逾期的", level=SupervisionLevel.COUNTY, status=Status.LISTED,
                                 listed_on=today - timedelta(days=100), deadline=today - timedelta(days=3)), actor=SYSTEM)
    report_hazard(session, draft(title="按期的", level=SupervisionLevel.CITY, status=Status.LISTED,
                                 listed_on=today - timedelta(days=10), deadline=today + timedelta(days=5)), actor=SYSTEM)
    report_hazard(session, draft(title="已销号的", status=Status.CLOSED, closed_on=today), actor=SYSTEM)
    session.commit()
    auth.login(supervisor)
    overdue = client.get("/hazards?overdue=1").get_data(as_text=True)
    assert "逾期的" in overdue and "按期的" not in overdue and "逾期 3 天" in overdue
    city = client.get("/hazards?level=city").get_data(as_text=True)
    assert "按期的" in city and "逾期的" not in city
    board = client.get("/dashboard").get_data(as_text=True)
    assert "7日内到期" in board
    assert '<a href="/reports">报表</a>' in board and '<a href="/map">地图</a>' in board  # the header leads there


def test_the_filtered_list_downloads_as_a_spreadsheet(client, auth, session, supervisor):
    from openpyxl import load_workbook

    today = clock.today()
    late = report_hazard(session, draft(title="逾期的", level=SupervisionLevel.COUNTY, status=Status.LISTED,
                                        listed_on=today - timedelta(days=100), deadline=today - timedelta(days=3)), actor=SYSTEM)
    report_hazard(session, draft(title="按期的", level=SupervisionLevel.COUNTY, status=Status.LISTED,
                                 listed_on=today - timedelta(days=10), deadline=today + timedelta(days=5)), actor=SYSTEM)
    report_hazard(session, draft(title="别县逾期", jurisdiction_code="140932", status=Status.LISTED,
                                 level=SupervisionLevel.COUNTY, listed_on=today - timedelta(days=100),
                                 deadline=today - timedelta(days=3)), actor=SYSTEM)
    session.commit()
    auth.login(supervisor)
    page = client.get("/hazards?overdue=1&page=1").get_data(as_text=True)
    assert "导出本列表" in page and "/hazards/export?format=xlsx&amp;overdue=1" in page and "page=1" not in page.split("导出本列表")[1][:300]

    response = client.get("/hazards/export?format=xlsx&overdue=1")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E9%9A%90%E6%82%A3%E5%8F%B0%E8%B4%A6-" in response.headers["Content-Disposition"]  # 隐患台账-
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert "隐患编号" in header and "隐患名称" in header
    titles = [row[header.index("隐患名称")] for row in body]
    assert titles == ["逾期的"]  # not the one on time, not the other county's
    assert body[0][header.index("隐患编号")] == late.code

    csv_text = client.get("/hazards/export?format=csv").data.decode("utf-8-sig")
    assert "逾期的" in csv_text and "按期的" in csv_text and "别县逾期" not in csv_text
    assert client.get("/hazards/export?format=pdf").status_code == 400


def test_admin_pages_are_for_admins(client, auth, session, supervisor, people):
    admin = people["admin"]
    auth.login(supervisor)
    assert client.get("/admin/users").status_code == 403
    auth.logout()
    auth.login(admin)
    response = client.post("/admin/users", data={"login": "new-inspector", "name": "新同事", "password": "longenough",
                                                 "role": "inspector", "jurisdiction_code": "140921"},
                           follow_redirects=True)
    assert "新同事" in response.get_data(as_text=True)


def test_a_hazard_placed_by_route_and_stake(client, auth, session, inspector):
    from geo.linear import haversine_m
    from hazards.domain.enums import RoadClass
    from hazards.services.roads import add_road

    add_road(session, route_code="X012", division_code="140902", road_class=RoadClass.COUNTY,
             coords=[(112.70, 38.40), (112.72, 38.41)], start_m=1000)
    session.commit()
    auth.login(inspector)
    response = client.post("/hazards/new", data={**FORM, "lon": "", "lat": "", "stakes": "K2+000"})
    assert response.status_code == 302
    where = from_db(session.scalar(select(Hazard)).geom).coords[0]
    assert haversine_m((112.70, 38.40), where) == pytest.approx(1000, abs=2)
    page = client.post("/hazards/new", data={**FORM, "lon": "", "lat": "", "stakes": "K90+000"}).get_data(as_text=True)
    assert "桩号 K90+000 不在路线 X012 上" in page


def test_a_refused_upload_leaves_no_file_behind(client, auth, session, inspector):
    """Two photos with a hazard, the second not an image: nothing is saved, in the file store or the ledger."""
    before = set(current_store().keys("uploads/"))
    auth.login(inspector)
    data = {**FORM, "photos": [(io.BytesIO(jpeg(80, 40)), "good.jpg"), (io.BytesIO(b"MZ\x90"), "virus.jpg")]}
    response = client.post("/hazards/new", data=data, content_type="multipart/form-data")
    assert response.status_code in (200, 400, 422)
    assert count(session) == 0 and session.scalar(select(func.count(Attachment.id))) == 0
    assert set(current_store().keys("uploads/")) == before


def test_merging_by_a_code_outside_ones_area_tells_neither_existence_nor_id(client, auth, session, people, ledger):
    """Issue 12, finding 9: merge-by-code must not look outside the user's area, nor name internal ids."""
    duplicate, elsewhere = ledger[0], ledger[3]  # 甲 in Xinfu; 丁 in Yuanping
    auth.login(people["county"])

    def refusal(code: str) -> str:
        session.refresh(duplicate)
        page = client.post(f"/hazards/{duplicate.id}/actions/merge",
                           data={"version": duplicate.version, "merge_target": code, "reason": "重复上报"},
                           follow_redirects=True).get_data(as_text=True)
        flashes = re.findall(r'<div class="flash (\w+)" role="status">(.*?)</div>', page)
        refusals = re.findall(r'<p class="flash error refusal" role="alert"[^>]*>(.*?)</p>', page)
        assert flashes == [] and refusals == ["要合并到的原隐患不在您的辖区内，或并不存在。"]
        return refusals

    assert refusal(elsewhere.code) == refusal(elsewhere.code[:-4] + "0999")
    assert refusal(str(elsewhere.id)) == refusal("999999")  # by id too, the same answer
    session.refresh(duplicate)
    assert duplicate.status is Status.REPORTED
