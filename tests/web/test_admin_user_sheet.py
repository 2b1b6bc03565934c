"""People from a sheet: an agency going live brings its staff in one XLSX or CSV with Chinese headers.

Every wrong row is named with its row number in Chinese and nothing is written; a good sheet makes
every account, with the passwords it gives or generated ones shown once (and as a downloadable sheet
whose passwords log in); only hashes are stored; each account has its audit row.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from html import unescape

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from hazards.domain.enums import OrganizationKind, Role
from hazards.models import AdminChange, Organization, User

HEADER = ["登录名", "姓名", "角色", "辖区代码", "单位", "邮箱", "电话", "初始密码"]
GIVEN = "xinfu-chushi-2026"


def xlsx(rows, header=HEADER, title: str | None = "忻府区大队人员名单") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])  # a title row above the header, as people make them
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text, as Excel keeps a cell typed with a leading '
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, header=HEADER, encoding="gb18030") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, data: bytes, name: str = "人员.xlsx"):
    return client.post("/admin/users/import", data={"sheet": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def count_users(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(User.id)))


def can_log_in(app, login: str, password: str) -> bool:
    return app.test_client().post("/login", data={"login": login, "password": password}).status_code == 302


@pytest.fixture
def police(session):
    made = Organization(name="忻府区交警大队", kind=OrganizationKind.POLICE, jurisdiction_code="140902")
    session.add(made)
    session.commit()
    return made


def test_a_good_sheet_makes_every_account_and_shows_generated_passwords_once(app, client, auth, session, people,
                                                                            police):
    auth.login(people["county_admin"])
    data = xlsx([
        ["xinfu-zhang", "张三", "排查员", 140902, "忻府区交警大队", "zhang@xinfu.gov.cn", 13800000000, ""],
        ["xinfu-li", "李四", "督办人员", "140902", "", "", "0350-3033123", GIVEN],
        ["xinfu-wang", "=王五", "Administrator", "140902", "", "", "", None],
    ])
    response = upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert response.headers["Cache-Control"] == "no-store"
    made = {u.login: u for u in session.scalars(select(User).where(User.login.like("xinfu-%")))}
    assert set(made) == {"xinfu-zhang", "xinfu-li", "xinfu-wang"}
    zhang = made["xinfu-zhang"]
    assert (zhang.name, zhang.role, zhang.organization_id, zhang.email, zhang.phone) == (
        "张三", Role.INSPECTOR, police.id, "zhang@xinfu.gov.cn", "13800000000")
    assert made["xinfu-li"].role is Role.SUPERVISOR and made["xinfu-wang"].role is Role.ADMIN
    assert "=王五" in page  # shown as text

    shown = {}
    for row in page.split("<tr>")[1:]:
        login, password = re.search(r'href="/admin/users/\d+">([\w.-]+)</a>', row), \
            re.search(r'<code class="password">([^<]+)</code>', row)
        if login and password:
            shown[login.group(1)] = password.group(1)
    assert set(shown) == {"xinfu-zhang", "xinfu-wang"}  # generated ones only; 李四's came with the sheet
    for login, password in shown.items():
        assert can_log_in(app, login, password)
        assert password not in made[login].password_hash
    assert can_log_in(app, "xinfu-li", GIVEN)

    link = re.search(r'href="data:application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet;base64,'
                     r'([A-Za-z0-9+/=]+)" download="([^"]+)"', page)
    assert link and link.group(2).startswith("初始密码-")
    workbook = load_workbook(io.BytesIO(base64.b64decode(link.group(1))))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("登录名", "姓名", "角色", "辖区代码", "初始密码")
    assert {r[0]: r[4] for r in rows[1:]} == shown
    assert any(r[1] == "=王五" for r in rows[1:]) and workbook.active["B3"].data_type == "s"  # text, not a formula

    rows = session.scalars(select(AdminChange).where(AdminChange.kind == "user_imported")).all()
    assert sorted(r.record_label for r in rows) == ["xinfu-li", "xinfu-wang", "xinfu-zhang"]
    assert all(r.actor_id == people["county_admin"].id and r.jurisdiction_code == "140902" for r in rows)
    assert not any(p in str(r.after) for r in rows for p in [GIVEN, *shown.values()])
    assert client.get("/admin/users").status_code == 200  # the passwords are not on any other page
    assert not any(p in client.get("/admin/users").get_data(as_text=True) for p in shown.values())


def test_every_bad_row_is_named_in_chinese_and_nothing_is_written(client, auth, session, people, police):
    before = count_users(session)
    auth.login(people["county_admin"])
    data = xlsx([
        ["xinfu-ok", "好人", "排查员", "140902", "", "", "", ""],                     # row 3: fine
        ["xinfu-mail", "赵六", "排查员", "140902", "", "not-an-email", "", ""],       # row 4
        ["xinfu-role", "钱七", "局长", "140902", "", "", "", ""],                     # row 5
        ["xinfu-far", "孙八", "排查员", "140981", "", "", "", ""],                    # row 6: Yuanping
        ["xinfu-ok", "重名", "排查员", "140902", "", "", "", ""],                     # row 7: same login
        [people["inspector"].login, "周九", "排查员", "140902", "", "", "", ""],     # row 8: taken
        ["xinfu-unit", "吴十", "排查员", "140902", "原平市交通运输局", "", "", ""],  # row 9
        ["xinfu-weak", "郑一", "排查员", "140902", "", "", "", "12345678"],          # row 10
        ["", "无名", "排查员", "140902", "", "", "", ""],                             # row 11
        ["xinfu-code", "王二", "排查员", "14090", "", "", "", ""],                    # row 12
    ])
    response = upload(client, data)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "未导入任何用户" in page and "共 10 行，其中 9 行有错误" in page
    for row, says in [(4, "不是有效的电子邮箱地址"), (5, "“局长”不是有效的角色"), (6, "无权管理 140981"),
                      (7, "与第 3 行重复"), (8, "已被占用"), (9, "不是辖区 140902 或其上级辖区的单位"),
                      (10, "至少需要 10 个字符"), (11, "“登录名”为空"), (12, "不是 6 位")]:
        line = next((l for l in re.findall(r"<li>(第 \d+ 行：[^<]*)</li>", page) if l.startswith(f"第 {row} 行：")),
                    None)
        assert line and says in line, (row, says, line)
    assert "<li>第 3 行：" not in page
    assert count_users(session) == before
    assert session.scalar(select(func.count(AdminChange.id))) == 0


def test_a_gbk_csv_from_chinese_excel_imports(app, client, auth, session, people):
    auth.login(people["admin"])
    response = upload(client, csv_bytes([["dingxiang-liu", "刘一", "排查员", "140921", "", "", "", GIVEN]]),
                      "人员.csv")
    assert response.status_code == 200
    assert can_log_in(app, "dingxiang-liu", GIVEN)
    assert "下载初始密码表" not in response.get_data(as_text=True)  # nothing was generated


@pytest.mark.parametrize("data, name, says", [
    (xlsx([["a-b", "某", "排查员", "140902"]], header=["登录名", "姓名", "角色"]), "x.xlsx", "缺少以下列：辖区代码"),
    (xlsx([], title=None), "x.xlsx", "没有任何人员"),
    (b"not a workbook", "x.xlsx", "不是 Excel .xlsx 工作簿"),
    (b"%PDF-1.4", "x.pdf", "无法识别的文件类型"),
])
def test_a_sheet_that_cannot_be_read_says_why(client, auth, session, people, data, name, says):
    before = count_users(session)
    auth.login(people["admin"])
    response = upload(client, data, name)
    assert response.status_code == 422 and says in unescape(response.get_data(as_text=True))
    assert count_users(session) == before


def test_the_blank_sheet_has_the_chinese_columns_and_imports_as_it_is(client, auth, session, people):
    auth.login(people["county_admin"])
    response = client.get("/admin/users/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:7] == ["登录名", "姓名", "角色", "辖区代码", "单位", "邮箱", "电话"]
    assert upload(client, response.data).status_code == 200  # its example row is a valid person
    assert session.scalar(select(User).where(User.login == "xinfu-zhang")).jurisdiction_code == "140902"


@pytest.mark.parametrize("who", ["inspector", "county", "city"])
def test_only_admins_import_people(client, auth, session, people, who):
    before = count_users(session)
    auth.login(people[who])
    response = upload(client, xlsx([["x-y", "某", "排查员", "140902", "", "", "", ""]]))
    assert response.status_code == 403 and count_users(session) == before
    assert client.get("/admin/users/import/template.xlsx").status_code == 403


def test_a_sheet_longer_than_the_limit_is_refused_whole(client, auth, session, people, monkeypatch):
    from hazards.services.admin import user_sheet

    monkeypatch.setattr(user_sheet, "MAX_ROWS", 2)
    before = count_users(session)
    auth.login(people["county_admin"])
    response = upload(client, xlsx([[f"xinfu-{i}", f"某{i}", "排查员", "140902", "", "", "", ""] for i in range(3)]))
    assert response.status_code == 422 and "超过 2 人" in response.get_data(as_text=True)
    assert count_users(session) == before
