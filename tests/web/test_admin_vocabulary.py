"""The shared vocabularies (隐患类型, 治理措施): rename, reorder, retire, each audited.

A retired category is not offered on the logging form any more, while the hazards that have it still
show it and a ledger file naming it still imports and exports; a new order is the order the form
offers; a name that another entry already carries is refused.
"""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from hazards.io.exporter import export_hazards
from hazards.io.importer import import_hazards
from hazards.models import AdminChange, Category, Hazard, Measure
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft

ERROR_FLASH = 'class="flash error"'


def term(session, model, code: str):
    session.expire_all()
    return session.scalar(select(model).where(model.code == code))


def codes_in_order(session, model) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(model.code).order_by(model.sort_order, model.id)))


def audit_rows(session, record_type: str, entry, kind: str) -> list[AdminChange]:
    session.expire_all()
    return list(session.scalars(select(AdminChange).where(
        AdminChange.record_type == record_type, AdminChange.record_id == entry.id, AdminChange.kind == kind)))


def offered_categories(client) -> list[str]:
    import re

    return re.findall(r'name="categories" value="([a-z_]+)"', client.get("/hazards/new").get_data(as_text=True))


@pytest.mark.parametrize("vocabulary, model, code, record_type", [
    ("categories", Category, "sharp_curve", "category"),
    ("measures", Measure, "guardrail", "measure"),
])
def test_an_admin_renames_an_entry_and_the_change_is_audited(client, auth, session, people, vocabulary, model,
                                                             code, record_type):
    entry = term(session, model, code)
    old_zh, old_en = entry.name_zh, entry.name_en
    auth.login(people["county_admin"])
    response = client.post(f"/admin/{vocabulary}/{entry.id}", data={"name_zh": "新<名>", "name_en": "New name"})
    assert response.status_code == 303
    assert (term(session, model, code).name_zh, term(session, model, code).name_en) == ("新<名>", "New name")
    [row] = audit_rows(session, record_type, entry, f"{record_type}_edited")
    assert row.before == {"name_zh": old_zh, "name_en": old_en}
    assert row.after == {"name_zh": "新<名>", "name_en": "New name"}
    assert row.jurisdiction_code is None  # shared: every admin reads it
    page = client.get(f"/admin/{vocabulary}").get_data(as_text=True)
    assert "新&lt;名&gt;" in page and "新<名>" not in page


def test_a_name_another_entry_has_is_refused_and_what_was_typed_stays(client, auth, session, people):
    curve = term(session, Category, "sharp_curve")
    auth.login(people["admin"])
    response = client.post(f"/admin/categories/{curve.id}", data={"name_zh": "陡坡", "name_en": "Bend"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "名称不能重复" in page
    assert 'value="陡坡"' in page and 'value="Bend"' in page
    assert term(session, Category, "sharp_curve").name_zh == "急弯"
    assert audit_rows(session, "category", curve, "category_edited") == []


def test_moving_up_and_down_and_to_a_position_is_the_order_the_form_offers(client, auth, session, people):
    before = codes_in_order(session, Category)
    fog = term(session, Category, "weather")
    auth.login(people["admin"])
    assert client.post(f"/admin/categories/{fog.id}/move", data={"direction": "up"}).status_code == 303
    expected = list(before)
    i = expected.index("weather")
    expected[i - 1], expected[i] = expected[i], expected[i - 1]
    assert codes_in_order(session, Category) == expected
    assert client.post(f"/admin/categories/{fog.id}/move", data={"position": "1"}).status_code == 303
    expected.remove("weather")
    assert codes_in_order(session, Category) == ["weather", *expected]
    moves = audit_rows(session, "category", fog, "category_reordered")
    assert [(m.before["position"], m.after["position"]) for m in moves] == [(i + 1, i), (i, 1)]
    auth.logout()
    auth.login(people["inspector"])
    assert offered_categories(client)[0] == "weather"


def test_a_bad_position_is_refused_on_the_entrys_page(client, auth, session, people):
    fog = term(session, Category, "weather")
    before = codes_in_order(session, Category)
    auth.login(people["admin"])
    response = client.post(f"/admin/categories/{fog.id}/move", data={"position": "abc"})
    assert response.status_code == 422 and ERROR_FLASH in response.get_data(as_text=True)
    assert codes_in_order(session, Category) == before


def test_a_retired_category_vanishes_from_the_logging_form_but_old_hazards_keep_it(client, auth, session, people,
                                                                                   tmp_path):
    old = report_hazard(session, draft(title="旧隐患", category_codes=["weather", "sharp_curve"]), actor=SYSTEM)
    session.commit()
    fog = term(session, Category, "weather")
    auth.login(people["admin"])
    assert client.post(f"/admin/categories/{fog.id}/active", data={"active": "0"}).status_code == 303
    [row] = audit_rows(session, "category", fog, "category_deactivated")
    assert row.before == {"active": True} and row.after == {"active": False}
    assert "已停用" in client.get("/admin/categories").get_data(as_text=True)
    auth.logout()
    auth.login(people["inspector"])
    offered = offered_categories(client)
    assert "weather" not in offered and "sharp_curve" in offered
    assert "积水结冰团雾" in client.get(f"/hazards/{old.id}").get_data(as_text=True)

    # files still resolve it: exported with its name, and a file naming it imports
    exported = tmp_path / "ledger.csv"
    export_hazards(session, exported, actor=SYSTEM, fmt="csv")
    with open(exported, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert any("积水结冰团雾" in r["隐患类型"] for r in rows)
    for r in rows:
        r["隐患编号"] = ""
        r["隐患名称"] = "再导入的" + r["隐患名称"]
    again = tmp_path / "again.csv"
    with open(again, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = import_hazards(session, again, actor=SYSTEM)
    assert not report.errors, report.errors
    reimported = session.scalar(select(Hazard).where(Hazard.title == "再导入的旧隐患"))
    assert "weather" in {c.code for c in reimported.categories}

    auth.logout()
    auth.login(people["admin"])
    assert client.post(f"/admin/categories/{fog.id}/active", data={"active": "1"}).status_code == 303
    auth.logout()
    auth.login(people["inspector"])
    assert "weather" in offered_categories(client)


@pytest.mark.parametrize("who", ["inspector", "county", "province"])
def test_only_admins_keep_the_vocabularies(client, auth, session, people, who):
    fog = term(session, Category, "weather")
    auth.login(people[who])
    for path, form in ((f"/admin/categories/{fog.id}", {"name_zh": "雾", "name_en": "Fog"}),
                       (f"/admin/categories/{fog.id}/active", {"active": "0"}),
                       (f"/admin/measures/{term(session, Measure, 'guardrail').id}/move", {"direction": "up"})):
        assert client.post(path, data=form).status_code == 403
    assert term(session, Category, "weather").active and term(session, Category, "weather").name_zh == "积水结冰团雾"


def test_an_unknown_entry_is_a_404(client, auth, session, people):
    auth.login(people["admin"])
    assert client.get("/admin/categories/999999").status_code == 404
    assert client.post("/admin/measures/999999", data={"name_zh": "甲", "name_en": "a"}).status_code == 404


def test_measures_are_added_like_categories(client, auth, session, people):
    auth.login(people["admin"])
    response = client.post("/admin/measures", data={"code": "rumble_strips", "name_zh": "减速振动带",
                                                    "name_en": "Rumble strips"})
    assert response.status_code == 303
    added = term(session, Measure, "rumble_strips")
    assert codes_in_order(session, Measure)[-1] == "rumble_strips"
    [row] = audit_rows(session, "measure", added, "measure_added")
    assert row.after["code"] == "rumble_strips" and row.before is None
