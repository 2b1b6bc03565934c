"""A revised crash export (the police count deaths within 7 days, correct the place or the form) imported
again with "update them from the file": the crashes change, the open hazards' crash history and priority
follow at once (also where a moved crash left), identical rows change nothing, any row error writes
nothing, a crash outside the importer's reach is a row error, links to hazards stay and are counted.
Both backends, through the importer, the command and the page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from shapely.geometry import Point
from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import CrashLink
from hazards.io.crash_import import import_crashes
from hazards.models import Crash, HazardCrash, HazardCrashHistory
from hazards.permissions import SYSTEM
from hazards.queries.priority import priorities
from hazards.services.registration import report_hazard
from tests.crashes.crash_files import planted, write_crash_file
from tests.crashes.test_crash_pages import ZH, confirm, upload
from tests.factories import XINFU_POINT, draft

TODAY = clock.today()
START = datetime.combine(TODAY - timedelta(days=90), time(9, 30))
NEAR_XINFU = (XINFU_POINT[0], XINFU_POINT[1] + 0.0005)  # about 55 m north of the Xinfu hazard
YUANPING_POINT = (112.70, 38.70)


def _export(**columns):
    """Three crashes about 55 m from the Xinfu hazard, a week apart, nobody killed."""
    return planted("REV", 3, start=START, lonlat=NEAR_XINFU, 行政区划="140902", 受伤人数=1, **columns)


def _revised(rows, source_id, **changes):
    return [{**row, **changes} if row["事故编号"] == source_id else dict(row) for row in rows]


def _stored(session, source_id) -> Crash:
    session.expire_all()
    return session.scalar(select(Crash).where(Crash.source_id == source_id))


def _history(session, hazard_id) -> tuple[int, int]:
    return tuple(session.execute(select(HazardCrashHistory.crashes, HazardCrashHistory.deaths)
                                 .where(HazardCrashHistory.hazard_id == hazard_id)).one())


def _deaths_points(session, hazard) -> int:
    return {c.name: c.points for c in priorities(session, [hazard])[hazard.id].components}["deaths"]


@pytest.fixture
def xinfu_hazard(session, people):
    """An open hazard at the Xinfu point, found today (no typed crashes)."""
    return report_hazard(session, draft(title="待治理", found_on=TODAY), actor=SYSTEM)


def test_a_revised_export_updates_deaths_and_the_hazards_priority_at_once(session, people, xinfu_hazard, tmp_path):
    rows = _export()
    first = import_crashes(session, write_crash_file(tmp_path / "first.csv", rows), actor=people["county"])
    assert first.errors == [] and first.added == 3
    assert _history(session, xinfu_hazard.id) == (3, 0) and _deaths_points(session, xinfu_hazard) == 0
    imported_at = _stored(session, "REV-002").imported_at

    # Within 7 days one of the injured died: the police's revised export says so, and corrects the form.
    revised = _revised(rows, "REV-002", 死亡人数=1, 受伤人数=0, 事故形态="刮撞行人")
    path = write_crash_file(tmp_path / "revised.xlsx", revised)
    checked = import_crashes(session, path, actor=people["county"], update_existing=True, dry_run=True)
    assert (checked.added, checked.updated, checked.unchanged, checked.written) == (0, 1, 2, 0)
    assert _stored(session, "REV-002").deaths == 0  # a check writes nothing
    report = import_crashes(session, path, actor=people["county"], update_existing=True)
    assert report.errors == [] and (report.added, report.updated, report.unchanged, report.written) == (0, 1, 2, 1)
    assert "new: 0, updated: 1, unchanged: 2" in report.summary()

    crash = _stored(session, "REV-002")
    assert (crash.deaths, crash.injuries, crash.form) == (1, 0, "刮撞行人")
    assert crash.imported_at >= imported_at and crash.imported_by_id == people["county"].id
    # The hazard's crash history and priority count the death now, not after the night's tally.
    assert _history(session, xinfu_hazard.id) == (3, 1)
    assert _deaths_points(session, xinfu_hazard) == 8


def test_identical_rows_are_unchanged_and_new_ones_are_added(session, people, tmp_path):
    rows = _export()
    import_crashes(session, write_crash_file(tmp_path / "a.csv", rows), actor=people["county"])
    before = {c.source_id: (c.id, c.imported_at) for c in session.scalars(select(Crash))}
    more = rows + planted("NEW", 1, start=START, lonlat=NEAR_XINFU, 行政区划="140902")
    report = import_crashes(session, write_crash_file(tmp_path / "b.csv", more, encoding="gbk"),
                            actor=people["county"], update_existing=True)
    assert report.errors == [] and (report.added, report.updated, report.unchanged) == (1, 0, 3)
    session.expire_all()
    after = {c.source_id: (c.id, c.imported_at) for c in session.scalars(select(Crash))}
    assert {k: v for k, v in after.items() if k in before} == before  # untouched, not even re-stamped
    assert "NEW-001" in after


def test_a_row_error_anywhere_writes_nothing(session, people, tmp_path):
    rows = _export()
    import_crashes(session, write_crash_file(tmp_path / "a.csv", rows), actor=people["county"])
    revised = _revised(rows, "REV-001", 死亡人数=2) + planted("BAD", 1, start=START, lonlat=NEAR_XINFU,
                                                             行政区划="140902", 受伤人数=-1)
    revised += planted("NEW", 1, start=START, lonlat=NEAR_XINFU, 行政区划="140902")
    report = import_crashes(session, write_crash_file(tmp_path / "b.csv", revised), actor=people["county"],
                            update_existing=True)
    assert [str(e) for e in report.errors] == ["row 5, 受伤人数 (injuries): '-1' cannot be negative"]
    assert report.written == 0
    assert _stored(session, "REV-001").deaths == 0 and _stored(session, "NEW-001") is None


def test_a_crash_moved_across_the_county_line_is_recounted_on_both_sides(session, people, xinfu_hazard, tmp_path):
    yuanping_hazard = report_hazard(session, draft(title="原平", jurisdiction_code="140981", found_on=TODAY,
                                                   geometry=Point(*YUANPING_POINT), route_code="S311", start_m=5000),
                                    actor=SYSTEM)
    rows = _export()
    import_crashes(session, write_crash_file(tmp_path / "a.csv", rows), actor=people["city"])
    assert _history(session, xinfu_hazard.id) == (3, 0) and _history(session, yuanping_hazard.id) == (0, 0)
    # The police corrected the place of REV-003: it happened in Yuanping, by the hazard there.
    moved = _revised(rows, "REV-003", 经度=YUANPING_POINT[0], 纬度=YUANPING_POINT[1] + 0.0005, 行政区划="原平市",
                     死亡人数=1)
    report = import_crashes(session, write_crash_file(tmp_path / "b.csv", moved), actor=people["city"],
                            update_existing=True)
    assert report.errors == [] and report.updated == 1
    assert _stored(session, "REV-003").jurisdiction_code == "140981"
    assert _history(session, xinfu_hazard.id) == (2, 0)  # the division the crash left is counted again
    assert _history(session, yuanping_hazard.id) == (1, 1)


def test_a_crash_outside_the_importers_reach_is_a_row_error(session, people, tmp_path):
    rows = _export()
    import_crashes(session, write_crash_file(tmp_path / "a.csv", rows), actor=people["county"])
    # Yuanping's supervisor may not take a Xinfu crash into Yuanping by "correcting" its place.
    grab = _revised(rows, "REV-002", 经度=YUANPING_POINT[0], 纬度=YUANPING_POINT[1], 行政区划="140981")[1:2]
    report = import_crashes(session, write_crash_file(tmp_path / "b.csv", grab), actor=people["other_county"],
                            update_existing=True)
    assert [str(e) for e in report.errors] == [
        "row 2, 事故编号 (source_id): crash number 'REV-002' is recorded in division 140902, outside your "
        "jurisdiction 140981: you may not change it"]
    assert _stored(session, "REV-002").jurisdiction_code == "140902"


def test_a_linked_crash_keeps_its_link_and_the_summary_counts_it(session, people, xinfu_hazard, tmp_path):
    rows = _export()
    import_crashes(session, write_crash_file(tmp_path / "a.csv", rows), actor=people["county"])
    linked = _stored(session, "REV-001")
    session.add(HazardCrash(hazard_id=xinfu_hazard.id, crash_id=linked.id, link=CrashLink.EVIDENCE,
                            linked_by_id=people["county"].id))
    session.flush()
    revised = _revised(rows, "REV-001", 死亡人数=1)
    report = import_crashes(session, write_crash_file(tmp_path / "b.csv", _revised(revised, "REV-002", 受伤人数=2)),
                            actor=people["county"], update_existing=True)
    assert report.errors == [] and (report.updated, report.updated_linked) == (2, 1)
    assert "updated crashes linked to hazards (their evidence changed): 1" in report.summary()
    assert session.scalars(select(HazardCrash.crash_id).where(HazardCrash.hazard_id == xinfu_hazard.id)).all() == [
        linked.id]
    assert _stored(session, "REV-001").id == linked.id and _stored(session, "REV-001").deaths == 1


def test_columns_the_revised_file_lacks_keep_their_stored_values(session, people, tmp_path):
    rows = _export(事故形态="翻车")
    import_crashes(session, write_crash_file(tmp_path / "a.csv", rows), actor=people["county"])
    narrow = [{k: v for k, v in row.items() if k not in ("受伤人数", "事故形态")} for row in rows]
    narrow[0]["死亡人数"] = 1
    report = import_crashes(session, write_crash_file(tmp_path / "b.csv", narrow), actor=people["county"],
                            update_existing=True)
    assert report.errors == [] and (report.updated, report.unchanged) == (1, 2)
    crash = _stored(session, "REV-001")
    assert (crash.deaths, crash.injuries, crash.form) == (1, 1, "翻车")


def test_the_command_updates_and_refuses_both_choices_at_once(session, runner, people, tmp_path):
    rows = _export()
    path = write_crash_file(tmp_path / "a.csv", rows)
    assert runner.invoke(args=["crashes", "import", str(path)]).exit_code == 0
    revised = write_crash_file(tmp_path / "b.csv", _revised(rows, "REV-001", 死亡人数=1))
    both = runner.invoke(args=["crashes", "import", str(revised), "--skip-existing", "--update-existing"])
    assert both.exit_code == 2
    assert "--skip-existing and --update-existing exclude each other" in both.output
    assert _stored(session, "REV-001").deaths == 0
    plain = runner.invoke(args=["crashes", "import", str(revised)])
    assert plain.exit_code == 1 and "crash number 'REV-001' is already in the ledger" in plain.output
    result = runner.invoke(args=["crashes", "import", str(revised), "--update-existing", "--as", people["county"].login])
    assert result.exit_code == 0, result.output
    assert "new: 0, updated: 1, unchanged: 2" in result.output
    assert "written: 1 crashes (0 added, 1 updated)" in result.output
    assert _stored(session, "REV-001").deaths == 1


def test_a_supervisor_updates_on_the_page_and_an_inspector_cannot_import(client, auth, session, people,
                                                                         xinfu_hazard, tmp_path):
    rows = _export()
    import_crashes(session, write_crash_file(tmp_path / "a.csv", rows), actor=people["county"])
    session.add(HazardCrash(hazard_id=xinfu_hazard.id, crash_id=_stored(session, "REV-002").id,
                            link=CrashLink.COVERED, linked_by_id=people["county"].id))
    session.commit()
    revised = write_crash_file(tmp_path / "修订.csv", _revised(rows, "REV-002", 死亡人数=1), encoding="gbk")

    auth.login(people["inspector"])
    assert upload(client, revised, existing="update").status_code == 403
    auth.logout()

    auth.login(people["county"])
    form = client.get("/crashes/import", headers=ZH).get_data(as_text=True)
    for choice in ("报错", "跳过", "以新文件为准更新"):
        assert choice in form
    page = upload(client, revised, existing="update").get_data(as_text=True)
    assert 'name="token"' in page
    assert "新增事故：0" in page and "更新：1" in page and "无变化：2" in page
    assert "将新增事故记录 0 条、更新 1 条" in page
    assert "其中 1 条已关联隐患（倒查依据或已覆盖）" in page
    assert _stored(session, "REV-002").deaths == 0  # checked, not written
    done = confirm(client, page)
    assert done.status_code == 303
    listing = client.get("/crashes", headers=ZH).get_data(as_text=True)
    assert "已新增事故记录 0 条，更新 1 条" in listing
    assert "更新的事故中有 1 条已关联隐患" in listing
    assert _stored(session, "REV-002").deaths == 1
    assert _history(session, xinfu_hazard.id) == (3, 1)  # the priority's count, at once

    again = upload(client, revised, existing="update").get_data(as_text=True)
    assert "没有需要更新的数据" in again and 'name="token"' not in again
