"""The admin audit page: every admin change, newest first, by kind, in the ledger's time zone, and only
what lies in the reader's own subtree (plus the shared vocabularies)."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from hazards.domain.enums import AdminChangeKind, OrganizationKind
from hazards.models import AdminChange, Category, Organization
from hazards.services.admin import audit

ROOT = Path(__file__).resolve().parents[2]


def rows_on(page: str) -> list[str]:
    """The audit rows' kinds, in the order the page lists them."""
    return re.findall(r'<tr class="audit-([a-z_]+)">', page)


def test_changes_are_listed_newest_first_with_the_local_time(client, auth, session, people):
    inspector = people["inspector"]
    auth.login(people["county_admin"])
    client.post(f"/admin/users/{inspector.id}", data={"name": "王小明", "language": "zh"})
    client.post(f"/admin/users/{inspector.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{inspector.id}/active", data={"active": "1"})
    session.expire_all()
    made = session.scalars(select(AdminChange).order_by(AdminChange.id)).all()
    assert [r.kind for r in made] == ["user_edited", "user_disabled", "user_enabled"]
    # Stored in UTC: 2026-03-01 00:30 UTC is 08:30 in Asia/Shanghai, the ledger's zone.
    made[0].changed_at = datetime(2026, 3, 1, 0, 30)
    session.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert rows_on(page) == ["user_enabled", "user_disabled", "user_edited"]
    assert "2026-03-01 08:30" in page and "2026-03-01 00:30" not in page
    assert "修改用户信息" in page and "停用用户" in page and "王小明" in page
    assert people["county_admin"].login in page

    only = client.get("/admin/audit?kind=user_disabled").get_data(as_text=True)
    assert rows_on(only) == ["user_disabled"]
    assert 'value="user_disabled" selected' in only


def test_an_admin_reads_only_their_own_subtree_and_the_shared_vocabularies(client, auth, session, people):
    yuanping = Organization(name="原平市交通运输局", kind=OrganizationKind.RESPONSIBLE, jurisdiction_code="140981")
    xinfu = Organization(name="忻府区交通运输局", kind=OrganizationKind.RESPONSIBLE, jurisdiction_code="140902")
    session.add_all([yuanping, xinfu])
    session.flush()
    city_admin = people["admin"]
    audit.record(session, city_admin, AdminChangeKind.ORGANIZATION_DEACTIVATED, yuanping, before={"active": True},
                 after={"active": False}, jurisdiction_code="140981")
    audit.record(session, city_admin, AdminChangeKind.ORGANIZATION_DEACTIVATED, xinfu, before={"active": True},
                 after={"active": False}, jurisdiction_code="140902")
    curve = session.scalar(select(Category).where(Category.code == "sharp_curve"))
    audit.record(session, city_admin, AdminChangeKind.CATEGORY_EDITED, curve, before={"name_zh": "急弯"},
                 after={"name_zh": "急弯<路段>"})
    session.commit()

    auth.login(people["county_admin"])  # Xinfu, 140902
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "忻府区交通运输局" in page and "原平市交通运输局" not in page
    assert "急弯&lt;路段&gt;" in page and "急弯<路段>" not in page  # data is text, never markup
    auth.logout()
    auth.login(city_admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "忻府区交通运输局" in page and "原平市交通运输局" in page


def test_the_audit_pages_through_older_changes(client, auth, session, people):
    curve = session.scalar(select(Category).where(Category.code == "sharp_curve"))
    for n in range(53):
        audit.record(session, people["admin"], AdminChangeKind.CATEGORY_REORDERED, curve, before={"position": n},
                     after={"position": n + 1})
    session.commit()
    auth.login(people["admin"])
    first = client.get("/admin/audit").get_data(as_text=True)
    assert len(rows_on(first)) == 50 and "page=2" in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert len(rows_on(second)) == 3 and "page=1" in second
    assert client.get("/admin/audit?page=abc&kind=nonsense").status_code == 200


@pytest.mark.parametrize("who", ["inspector", "county", "province"])
def test_only_admins_read_the_audit(client, auth, people, who):
    auth.login(people[who])
    assert client.get("/admin/audit").status_code == 403


def test_audit_rows_are_made_in_one_place_only():
    """Every admin change goes through `services.admin.audit.record`: no other module builds a row."""
    builders = []
    for path in sorted((ROOT / "hazards").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "AdminChange":
                builders.append(str(path.relative_to(ROOT)))
    assert builders == ["hazards/services/admin/audit.py"]
