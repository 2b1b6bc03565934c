"""The whole way from a crash export to a hazard and back: the planted crashes of tests/crashes/planted.py
written as the traffic police's export (GBK CSV, Chinese headers, a title row), imported, identified
exactly as when written directly, one place registered as a 事故倒查 hazard with its crashes as
evidence, and the open hazards' priority counting the new crashes at once."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from geo.stakes import format_stake
from hazards import clock
from hazards.domain.enums import CrashLink, Source
from hazards.io.crash_import import import_crashes
from hazards.models import Crash, HazardCrash
from hazards.permissions import SYSTEM
from hazards.queries.priority import priorities
from hazards.services.crash_places import identify, register_candidate
from hazards.services.registration import report_hazard
from tests import factories
from tests.crashes import planted
from tests.crashes.crash_files import write_crash_file
from tests.crashes.planted import ACROSS_EXPECTED, EXPECTED, PLACES, RULE, XINFU


def _export_rows(rows, today):
    out = []
    for row in rows:
        day = today - timedelta(days=row.days_ago)
        cells = {"事故编号": row.source_id, "事故时间": datetime.combine(day, time(9, 30)).strftime("%Y-%m-%d %H:%M"),
                 "行政区划": row.division, "死亡人数": row.deaths, "受伤人数": row.injuries, "事故形态": "追尾",
                 "当事人姓名": "张三", "号牌号码": "晋H12345"}  # personal data an export carries: never stored
        if row.route_code:
            cells.update({"路线编号": row.route_code, "桩号": format_stake(row.stake_m)})
        if row.lonlat:
            cells.update({"经度": row.lonlat[0], "纬度": row.lonlat[1]})
        out.append(cells)
    return out


def _shape(place):
    return (place.kind, place.route_code, place.start_m, place.end_m, place.crashes, place.deaths, place.fatal)


def test_an_export_imported_gives_exactly_the_planted_places_and_a_registered_one_keeps_its_evidence(
        session, people, tmp_path):
    today = clock.today()
    # An open hazard on G208 just past the long run, so the import's recount shows in its priority.
    waiting = report_hazard(session, factories.draft(title="待治理", start_m=1200950, found_on=today), actor=SYSTEM)
    before = priorities(session, [waiting])[waiting.id]

    export = write_crash_file(tmp_path / "事故数据导出.csv", _export_rows(planted.ROWS, today), encoding="gbk",
                              title="忻州市道路交通事故信息表")
    report = import_crashes(session, export, actor=people["city"])
    assert not report.errors, [str(e) for e in report.errors[:3]]
    assert report.written == len(planted.ROWS)
    assert {"当事人姓名", "号牌号码"} <= set(report.personal_columns)

    ids = dict(session.execute(select(Crash.source_id, Crash.id)).all())
    places = identify(session, people["county"], XINFU, rule=RULE)
    # Every planted place but the long run, which ends 50 m short of the open hazard and so is covered by it.
    assert [_shape(p) for p in places] == [shape for name, shape in EXPECTED.items() if name != "long_run"]
    for place in places:
        name = next(n for n, shape in EXPECTED.items() if shape[2] == place.start_m and shape[0] == place.kind)
        assert place.crash_ids == tuple(sorted(ids[row.source_id] for row in PLACES[name]))
    assert ACROSS_EXPECTED in [_shape(p) for p in identify(session, people["city"], "140900", rule=RULE)]

    # The long run's ten crashes now count in that open hazard's priority, without waiting for the night.
    after = priorities(session, [waiting])[waiting.id]
    crash_points = {c.name: c.points for c in after.components}["crashes"]
    assert crash_points > {c.name: c.points for c in before.components}["crashes"]

    top = next(p for p in places if p.start_m == 1060000)  # crashes with points: a known place
    hazard = register_candidate(session, people["county"], top.crash_ids, rule=RULE)
    assert (hazard.source, hazard.crash_prone, hazard.crash_count, hazard.death_count) == (
        Source.CRASH_REVIEW, True, top.crashes, top.deaths)
    evidence = session.scalars(select(HazardCrash.crash_id).where(HazardCrash.hazard_id == hazard.id,
                                                                  HazardCrash.link == CrashLink.EVIDENCE)).all()
    assert tuple(sorted(evidence)) == top.crash_ids
    assert top.start_m not in [p.start_m for p in identify(session, people["county"], XINFU, rule=RULE)]
