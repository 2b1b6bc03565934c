"""The import's bulk write (COPY on PostGIS, a prepared executemany on SpatiaLite) leaves every row as
registering the drafts through the ORM-era path did: same codes, columns, geometry, categories,
measures, history, funding lines, units and code counters."""

from __future__ import annotations

import pickle
from datetime import timedelta

from sqlalchemy import delete, func, select, text

from hazards.io import importer
from hazards.io.importer import import_hazards
from hazards.models import (CodeSequence, FundingEntry, Hazard, Organization, StatusChange, hazard_categories,
                            hazard_measures)
from hazards.permissions import SYSTEM
from hazards.services.codes import given_floors, take_codes
from hazards.services.registration import register_hazards
from tests.factories import user
from tests.io.test_import import HEADER, POINT_ROW, SECTION_ROW, row, write_csv

EXTRA = ["坐标系", "措施类别", "预算资金(万元)", "已投入资金(万元)", "资金来源", "资金日期", "销号日期"]
NO_EXTRA = [""] * len(EXTRA)
ROWS = [
    POINT_ROW + NO_EXTRA,
    SECTION_ROW + ["", "标志标线、护栏", "", "", "", "", ""],
    # typed on AMap: converted to WGS-84, every digit of the result kept
    row(隐患编号="", 隐患名称="高德点位", 经度="112.74056823", 纬度="38.41758077", 治理状态="上报", 督办级别="",
        挂牌日期="", 整改期限="", 责任单位="") + ["高德", "", "", "", "", "", ""],
    # a closed hazard of an old ledger, with its money, a unit already met above and one new to the ledger
    row(隐患编号="", 隐患名称="老G208线急弯", 发现日期="2023-03-01", 治理状态="已销号", 督办级别="县级",
        挂牌日期="2023-03-05", 整改期限="2023-09-30") + ["", "线形改造", "120", "118.5", "省级", "2023-09-30", "2023-10-20"],
    row(隐患编号="140902-2024-0150", 隐患名称="村口路口", 责任单位="忻府区公路段", 治理状态="上报", 督办级别="",
        挂牌日期="", 整改期限="") + ["", "", "", "2.4万元", "县级财政", "", ""],
    row(隐患编号="", 隐患名称="百度路段", 起点桩号="K1+000", 止点桩号="K2+000") + NO_EXTRA,
]
ROWS[-1][HEADER.index("几何(WKT)")] = "LINESTRING (112.75 38.43, 112.76 38.44)"
ROWS[-1][HEADER.index("经度")] = ROWS[-1][HEADER.index("纬度")] = ""
ROWS[-1][len(HEADER)] = "BD-09"


def _orm_era_spool(spool, drafts):
    if drafts:
        pickle.dump(drafts, spool, protocol=pickle.HIGHEST_PROTOCOL)


def _orm_era_write_pass(session, spool, ref, codes, to_generate, report, actor_id, chunk_size, *, note):
    """The write phase before the bulk path: the drafts through `register_hazards`, chunk by chunk."""
    bad_rows = {e.row for e in report.errors}
    blocks = take_codes(session, to_generate, given_floors(codes))
    created = []
    drafts = (draft for number, draft in importer._spooled(spool) if number not in bad_rows)
    for chunk in importer._chunks(drafts, chunk_size):
        for draft in chunk:
            if not draft.code:
                draft.code = next(blocks[(draft.jurisdiction_code, draft.batch_year)])
        register_hazards(session, chunk, ref=ref, actor_id=actor_id, action="import", note=note)
        created.extend(d.code for d in chunk)
    return created


def ledger_rows(session) -> dict:
    """Everything an import writes, keyed by hazard code instead of id (the ids of a rolled-back
    PostgreSQL insert are not handed out again), with the write's timestamps checked and left out."""
    table = Hazard.__table__
    columns = [c for c in table.columns if c.name not in ("id", "geom", "created_at", "updated_at")]
    hazards = session.execute(select(table.c.id, table.c.created_at, table.c.updated_at, *columns,
                                     func.ST_AsBinary(table.c.geom).label("wkb")).order_by(table.c.id)).all()
    code_of = {h.id: h.code for h in hazards}
    written_at = {h.code: h.created_at for h in hazards}
    assert all(h.created_at == h.updated_at for h in hazards)

    history = session.execute(select(StatusChange).order_by(StatusChange.id)).scalars().all()
    assert all(h.changed_at == written_at[code_of[h.hazard_id]] for h in history)
    funding = session.execute(select(FundingEntry).order_by(FundingEntry.id)).scalars().all()
    # (registering stamped its funding lines a moment after the hazards: the same write, not the same instant)
    assert all(abs(f.created_at - written_at[code_of[f.hazard_id]]) < timedelta(minutes=1) for f in funding)
    units = {o.id: (o.name, o.jurisdiction_code) for o in session.scalars(select(Organization))}
    named = {"supervising_body_id", "responsible_unit_id"}  # by the unit's name: PostgreSQL ids are not reused
    spatial_index = []
    if session.get_bind().dialect.name == "sqlite":  # SpatiaLite's R*Tree is a table of its own
        spatial_index = sorted((code_of[pkid], *box) for pkid, *box in session.execute(text(
            "SELECT pkid, xmin, xmax, ymin, ymax FROM idx_hazards_geom")).all() if pkid in code_of)
        assert len(spatial_index) == len(hazards)
    return {
        "spatial index": spatial_index,
        "hazards": [tuple(units.get(getattr(h, c.name)) if c.name in named else getattr(h, c.name) for c in columns)
                    + (bytes(h.wkb),) for h in hazards],
        "categories": sorted((code_of[h], c) for h, c in session.execute(select(hazard_categories)).all()),
        "measures": sorted((code_of[h], m) for h, m in session.execute(select(hazard_measures)).all()),
        "history": [(code_of[h.hazard_id], h.action, h.from_status, h.to_status, h.changed_by_id, h.note)
                    for h in history],
        "funding": [(code_of[f.hazard_id], f.kind, f.source, f.amount, f.entry_date, f.note, f.created_by_id,
                     f.reverses_id, f.reversal_reason) for f in funding],
        "units": session.execute(select(Organization.name, Organization.kind, Organization.jurisdiction_code)
                                 .order_by(Organization.name, Organization.jurisdiction_code)).all(),
        "counters": session.execute(select(CodeSequence.jurisdiction_code, CodeSequence.batch_year,
                                           CodeSequence.last_value).order_by(CodeSequence.jurisdiction_code,
                                                                             CodeSequence.batch_year)).all(),
    }


def forget_the_import(session) -> None:
    for table in (hazard_categories, hazard_measures, StatusChange.__table__, FundingEntry.__table__,
                  Hazard.__table__, Organization.__table__, CodeSequence.__table__):
        session.execute(delete(table))
    session.flush()


def test_the_bulk_write_leaves_every_row_as_the_orm_path_did(session, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "台账.csv", ROWS, header=HEADER + EXTRA)
    admin = user(session, "admin", "140900")

    empty = ledger_rows(session)
    with monkeypatch.context() as orm_era:
        orm_era.setattr(importer, "_spool", _orm_era_spool)
        orm_era.setattr(importer, "_write_pass", _orm_era_write_pass)
        old = import_hazards(session, path, actor=admin, chunk_size=4)
    assert old.errors == [] and len(old.created) == len(ROWS)
    expected = ledger_rows(session)
    forget_the_import(session)  # (the import commits its own phases: no savepoint to roll back to)
    assert ledger_rows(session) == empty

    new = import_hazards(session, path, actor=admin, chunk_size=4)

    assert new.errors == [] and new.created == old.created
    found = ledger_rows(session)
    for part in expected:  # one part at a time, so a difference names its table
        assert found[part] == expected[part], part
    assert len(found["hazards"]) == len(ROWS) and found["funding"] and found["measures"]


def test_imported_hazards_are_found_by_the_text_search_at_once(session, tmp_path):
    """The bulk write bypasses no index the list searches through: SpatiaLite's full-text triggers fire
    for its executemany, and PostgreSQL's trigram indexes take COPY's rows."""
    from hazards.queries.text_search import matching

    path = write_csv(tmp_path / "台账.csv", ROWS, header=HEADER + EXTRA)
    report = import_hazards(session, path, actor=user(session, "admin", "140900"))
    assert report.errors == []
    for hazard in session.scalars(select(Hazard)):
        fragment = hazard.title[1:6]
        assert hazard.id in set(session.scalars(select(Hazard.id).where(matching(fragment)))), fragment
