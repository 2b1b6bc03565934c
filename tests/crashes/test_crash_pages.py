"""The crash pages: a supervisor checks an export, sees what would be written and what was left
unread, confirms, and finds the crashes in the list in Beijing time; a bad export writes nothing
and names each wrong row in Chinese; inspectors read the list but do not import; nobody sees
another county's crashes."""

from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy import func, select

from hazards.models import Crash
from tests.crashes.crash_files import crash_row, write_crash_file
from tests.factories import XINFU_POINT
from tests.factories import crash as make_crash

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def upload(client, path, **fields):
    return client.post("/crashes/import", data={"file": (io.BytesIO(path.read_bytes()), path.name), **fields},
                       content_type="multipart/form-data", headers=ZH)


def confirm(client, check_page: str):
    token = re.search(r'name="token" value="([^"]+)"', check_page).group(1)
    return client.post("/crashes/import/confirm", data={"token": token}, headers=ZH)


def count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Crash.id)))


def test_a_supervisor_checks_an_export_confirms_it_and_finds_it_listed(client, auth, session, people, tmp_path):
    rows = [crash_row("SG-1", "2024-03-01 00:30", 行政区划="忻府区", 死亡人数=1, 受伤人数=2, 事故形态="正面相撞",
                      当事人="张三", 号牌号码="晋H12345"),
            crash_row("SG-2", "2024-03-05 18:00", 行政区划="140902", 路线编号="X099", 桩号="K12+300")]
    path = write_crash_file(tmp_path / "事故数据.csv", rows, encoding="gbk")
    auth.login(people["county"])

    check = upload(client, path)
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and 'name="token"' in page
    assert "个人信息列，未读取、不保存：当事人、号牌号码" in page
    assert "将导入事故记录 2 条" in page
    assert count(session) == 0  # checked, not written

    written = confirm(client, page)
    assert written.status_code == 303 and written.headers["Location"].endswith("/crashes")
    assert count(session) == 2
    listing = client.get("/crashes", headers=ZH).get_data(as_text=True)
    assert "已导入事故记录 2 条" in listing
    assert "2024-03-01 00:30" in listing  # shown in Beijing time, as typed (stored in UTC)
    assert "事故 2 起，死亡 1 人，受伤 2 人" in listing
    assert "X099 K12+300" in listing and "张三" not in listing
    again = confirm(client, page)  # the staged file is used once
    assert again.status_code == 303 and again.headers["Location"].endswith("/crashes/import")
    assert count(session) == 2

    overlapping = upload(client, path, existing="skip").get_data(as_text=True)
    assert "已导入过、跳过：2 条" in overlapping and "没有新数据" in overlapping and 'name="token"' not in overlapping
    refused = upload(client, path).get_data(as_text=True)
    assert "事故编号“SG-1”已导入过" in refused and 'name="token"' not in refused


def test_a_bad_export_names_each_row_in_chinese_and_writes_nothing(client, auth, session, people, tmp_path):
    rows = [crash_row("B-1", 行政区划="140902", 死亡人数=-1), crash_row("B-1", 行政区划="140902"),
            crash_row("B-3", "2024-13-01 10:00", 行政区划="140902")]
    auth.login(people["city"])
    page = upload(client, write_crash_file(tmp_path / "bad.xlsx", rows)).get_data(as_text=True)
    assert 'name="token"' not in page
    assert "第 2 行，死亡人数 (deaths)</strong>：“-1”不能为负数" in page
    assert "事故编号“B-1”已在本文件第 2 行出现" in page
    assert "第 4 行，事故时间 (occurred_at)" in page
    assert count(session) == 0


def test_inspectors_read_the_list_but_may_not_import(client, auth, session, people, tmp_path):
    make_crash(session, "SEEN-1", date(2024, 3, 1), lonlat=XINFU_POINT)
    session.commit()
    auth.login(people["inspector"])
    assert "SEEN-1" in client.get("/crashes").get_data(as_text=True)
    assert client.get("/crashes/import").status_code == 403
    path = write_crash_file(tmp_path / "c.csv", [crash_row("I-1", 行政区划="140902")])
    assert upload(client, path).status_code == 403
    home = client.get("/hazards", headers=ZH).get_data(as_text=True)
    assert 'href="/crashes"' not in home  # the menu offers the list to supervisors and admins
    auth.logout()
    for who in ("county", "admin"):
        auth.login(people[who])
        assert 'href="/crashes"' in client.get("/hazards", headers=ZH).get_data(as_text=True)
        auth.logout()


def test_another_county_neither_sees_nor_imports_xinfu_crashes(client, auth, session, people, tmp_path):
    make_crash(session, "XF-1", date(2024, 3, 1), lonlat=XINFU_POINT)
    make_crash(session, "YP-1", date(2024, 3, 1), jurisdiction="140981", lonlat=(112.7, 38.7))
    session.commit()
    auth.login(people["other_county"])
    listing = client.get("/crashes?jurisdiction=140902").get_data(as_text=True)
    assert "XF-1" not in listing and "YP-1" not in listing  # a filter narrows, never widens
    listing = client.get("/crashes").get_data(as_text=True)
    assert "XF-1" not in listing and "YP-1" in listing
    page = upload(client, write_crash_file(tmp_path / "x.csv", [crash_row("X-1", 行政区划="忻府区")])).get_data(
        as_text=True)
    assert "140902" in page and "140981" in page and 'name="token"' not in page
    assert count(session) == 2


def test_the_list_filters_by_period_route_division_and_fatal(client, auth, session, people):
    make_crash(session, "F-1", date(2024, 3, 1), route_code="G208", stake_m=1_052_000, deaths=2)
    make_crash(session, "F-2", date(2024, 6, 1), route_code="G208", stake_m=1_053_000)
    make_crash(session, "F-3", date(2024, 6, 2), lonlat=XINFU_POINT, deaths=1)
    make_crash(session, "F-4", date(2024, 6, 3), jurisdiction="140981", lonlat=(112.7, 38.7))
    session.commit()
    auth.login(people["city"])

    def shown(query: str) -> list[str]:
        page = client.get(f"/crashes?{query}").get_data(as_text=True)
        return sorted(re.findall(r"\bF-\d\b", page))

    assert shown("") == ["F-1", "F-2", "F-3", "F-4"]
    assert shown("fatal=1") == ["F-1", "F-3"]
    assert shown("route=g208") == ["F-1", "F-2"]
    assert shown("from=2024-06-01&to=2024-06-02") == ["F-2", "F-3"]
    assert shown("jurisdiction=140981") == ["F-4"]
    assert shown("from=not-a-date&route=%3Cb%3E") == ["F-1", "F-2", "F-3", "F-4"]  # no filter, no error
