"""A crash export counts at once in the priority of every open hazard at a new crash's place, also when the
hazard lies in the next county: a crash recorded in 原平市 on a national road's stake, or at a point beside
a hazard of 忻府区, moves that hazard's crash history without waiting for the night. Both backends."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import Status, SupervisionLevel
from hazards.io.crash_import import import_crashes
from hazards.models import HazardCrashHistory
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.crashes.crash_files import crash_row, write_crash_file
from tests.crashes.planted import XINFU, YUANPING
from tests.factories import XINFU_POINT, draft

TODAY = clock.today()


def _history(session, hazard_id) -> tuple[int, int] | None:
    row = session.execute(select(HazardCrashHistory.crashes, HazardCrashHistory.deaths)
                          .where(HazardCrashHistory.hazard_id == hazard_id)).one_or_none()
    return None if row is None else tuple(row)


def _open_hazard(session, **place):
    return report_hazard(session, draft(title="跨县界隐患", status=Status.LISTED, level=SupervisionLevel.COUNTY,
                                        listed_on=TODAY - timedelta(days=5), deadline=TODAY + timedelta(days=60),
                                        found_on=TODAY - timedelta(days=10), batch_year=TODAY.year,
                                        jurisdiction_code=XINFU, **place), actor=SYSTEM)


def _when(days_ago: int) -> str:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(9, 30)).strftime("%Y-%m-%d %H:%M")


def test_a_crash_on_a_national_roads_stake_in_the_next_county_counts_at_once(session, people, tmp_path):
    on_g208 = _open_hazard(session, route_code="G208", start_m=1060000, end_m=1060200)
    elsewhere = _open_hazard(session, route_code="G208", start_m=1090000, end_m=1090100)
    assert _history(session, on_g208.id) == (0, 0)
    rows = [crash_row("YP-001", _when(20), 路线编号="G208", 桩号="K1060+100", 行政区划=YUANPING, 死亡人数=1),
            crash_row("YP-002", _when(40), 路线编号="G208", 桩号="K1060+230", 行政区划=YUANPING)]
    report = import_crashes(session, write_crash_file(tmp_path / "原平事故.csv", rows), actor=people["city"])
    assert not report.errors, [str(e) for e in report.errors]
    assert report.written == 2

    # The G208 hazard of 忻府区 counts both (the second 30 m past its end, within the 50 m buffer).
    assert _history(session, on_g208.id) == (2, 1)
    assert _history(session, elsewhere.id) == (0, 0)


def test_a_crash_beside_a_hazard_across_the_county_line_counts_at_once(session, people, tmp_path):
    hazard = _open_hazard(session)
    assert _history(session, hazard.id) == (0, 0)
    # About 20 m east of the hazard's point, recorded by 原平市's police.
    beside = (round(XINFU_POINT[0] + 0.00023, 7), XINFU_POINT[1])
    rows = [crash_row("YP-101", _when(15), 经度=beside[0], 纬度=beside[1], 行政区划=YUANPING, 死亡人数=2)]
    report = import_crashes(session, write_crash_file(tmp_path / "原平事故.csv", rows), actor=people["city"])
    assert not report.errors, [str(e) for e in report.errors]

    assert _history(session, hazard.id) == (1, 2)


def test_an_updated_crash_moved_away_leaves_the_hazard_it_was_at(session, people, tmp_path):
    hazard = _open_hazard(session, route_code="G208", start_m=1060000, end_m=1060200)
    first = [crash_row("YP-201", _when(20), 路线编号="G208", 桩号="K1060+100", 行政区划=YUANPING)]
    import_crashes(session, write_crash_file(tmp_path / "第一版.csv", first), actor=people["city"])
    assert _history(session, hazard.id) == (1, 0)

    # The revised export puts the crash 5 km further on, still in 原平市.
    revised = [crash_row("YP-201", _when(20), 路线编号="G208", 桩号="K1065+100", 行政区划=YUANPING)]
    report = import_crashes(session, write_crash_file(tmp_path / "修订版.csv", revised), actor=people["city"],
                            update_existing=True)
    assert not report.errors, [str(e) for e in report.errors]
    assert _history(session, hazard.id) == (0, 0)
