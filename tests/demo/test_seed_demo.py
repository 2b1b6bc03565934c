"""The demo ledger: complete (every status and level), consistent (stakes, boundaries, history, money),
deterministic, and reachable through `hazards seed-demo`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from shapely.geometry import LineString, Point
from sqlalchemy import func, select

from geo import linear, spatial
from geo.geometry import from_db
from geo.stakes import format_stake
from hazards import clock
from hazards.demo.geography import build_geography, point_at, section
from hazards.demo.ledger import seed_demo
from hazards.demo.lifecycle import list_fixed_on
from hazards.demo.people import DEMO_PASSWORD, EMAIL_DOMAIN
from hazards.demo.scenario import MAX_BUDGET, MIN_BUDGET, plan_ledger
from hazards.demo.text import TITLE_KEYWORDS
from hazards.domain.enums import CLOSED_STATUSES, FundingKind, Role, Status, SupervisionLevel
from hazards.models import (
    Category,
    FundingEntry,
    Hazard,
    Jurisdiction,
    LevelChange,
    Measure,
    Organization,
    StatusChange,
    User,
    hazard_categories,
    hazard_measures,
)
from hazards.services.roads import locate_by_stake

TODAY = date(2024, 11, 20)
COUNT = 300


@pytest.fixture
def seeded(session):
    return seed_demo(session, hazards=COUNT, today=TODAY)


def _hazards(session) -> list[Hazard]:
    return session.scalars(select(Hazard).order_by(Hazard.id)).all()


def _codes(session, table, column, model) -> dict[int, set[str]]:
    rows = session.execute(select(table.c.hazard_id, model.code).join(model, model.id == column))
    found: dict[int, set[str]] = defaultdict(set)
    for hazard_id, code in rows:
        found[hazard_id].add(code)
    return found


def test_every_status_level_and_batch_year(session, seeded):
    hazards = _hazards(session)
    assert len(hazards) == seeded.hazards == COUNT
    assert {h.status for h in hazards} == set(Status)
    assert {h.level for h in hazards} == set(SupervisionLevel)
    assert {h.batch_year for h in hazards} == {TODAY.year - 1, TODAY.year}
    levels = seeded.by_level
    assert levels["county"] > levels["city"] > levels["ministry"] + levels["province"] > 0  # most county, a handful 部省级
    previous = [h for h in hazards if h.batch_year == TODAY.year - 1 and h.status not in (Status.REJECTED, Status.MERGED)]
    assert sum(h.status is Status.CLOSED for h in previous) / len(previous) > 0.6  # last year's list mostly closed

    kinds = {from_db(h.geom).geom_type for h in hazards}
    assert kinds == {"Point", "LineString"}
    sections = [h for h in hazards if h.end_m is not None]
    assert 0.15 < len(sections) / len(hazards) < 0.5

    overdue = [h for h in hazards if h.is_overdue(TODAY)]
    early = [h for h in hazards if h.closed_on and h.deadline and h.closed_on < h.deadline]
    late = [h for h in hazards if h.closed_on and h.deadline and h.closed_on > h.deadline]
    assert overdue and early and late
    assert all(h.deadline < TODAY and h.status not in CLOSED_STATUSES for h in overdue)

    dynamic = [h for h in hazards if h.dynamic_add]
    assert 0.04 < len(dynamic) / len(hazards) < 0.25
    assert any(h.batch_year == TODAY.year for h in dynamic)
    assert all(h.found_on >= list_fixed_on(h.batch_year) for h in dynamic)
    assert all(h.found_on <= TODAY and (h.closed_on or TODAY) <= TODAY for h in hazards)


def test_geometry_agrees_with_stakes_and_boundaries(session, seeded):
    dialect = session.get_bind().dialect.name
    lengths = session.execute(
        select(Hazard.start_m, Hazard.end_m, spatial.length_m(Hazard.__table__.c.geom, dialect))
        .where(Hazard.end_m.is_not(None))
    ).all()
    assert lengths
    for start_m, end_m, stored in lengths:
        assert abs(stored - (end_m - start_m)) <= 0.05 * (end_m - start_m), (start_m, end_m, stored)

    inside = session.execute(
        select(Hazard.code, func.ST_Within(Hazard.__table__.c.geom, Jurisdiction.__table__.c.boundary))
        .join(Jurisdiction, Jurisdiction.code == Hazard.jurisdiction_code)
    ).all()
    assert len(inside) == COUNT
    assert [code for code, within in inside if within not in (True, 1)] == []
    city = from_db(session.get(Jurisdiction, "140900").boundary)
    assert all(city.covers(from_db(h.geom)) for h in _hazards(session))

    # The app places a hazard typed as route + stake on the demo's roads exactly where the demo put it.
    for hazard in _hazards(session)[:40]:
        placed = locate_by_stake(session, hazard.route_code, hazard.start_m, hazard.end_m, hazard.jurisdiction_code)
        assert placed.hausdorff_distance(from_db(hazard.geom)) < 1e-5, hazard.code


def test_titles_categories_measures_and_supervision(session, seeded):
    categories = _codes(session, hazard_categories, hazard_categories.c.category_id, Category)
    measures = _codes(session, hazard_measures, hazard_measures.c.measure_id, Measure)
    bodies = dict(session.execute(select(Organization.id, Organization.name)).all())
    for h in _hazards(session):
        cats = categories[h.id]
        assert 1 <= len(cats) <= 3, h.title
        assert format_stake(h.start_m) in h.title
        for word, expected in TITLE_KEYWORDS.items():
            if word in h.title:
                assert cats & expected, (h.title, cats)
        assert h.crash_prone == ("crash_prone" in cats)
        if h.crash_prone:
            assert h.crash_count >= max(1, h.death_count)
        assert h.school_zone == ("school_area" in cats)
        if h.plan_text:
            assert measures[h.id] and h.measures_text and h.responsible_unit_id and h.responsible_person
        if h.level is SupervisionLevel.NONE:
            assert h.supervising_body_id is None and h.document_no is None
        else:
            assert h.listed_on and h.deadline and h.document_no.endswith("号")
            body = bodies[h.supervising_body_id]
            expected = {SupervisionLevel.MINISTRY: "公安部", SupervisionLevel.PROVINCE: "山西省",
                        SupervisionLevel.CITY: "忻州市"}.get(h.level, session.get(Jurisdiction, h.jurisdiction_code).name)
            assert body.startswith(expected), (h.level, body)
        if h.status is Status.CLOSED:
            assert h.closed_on and h.completed_on and h.closure_requested_on and h.accepted_on and h.accepted_by_id


def test_history_trails(session, seeded):
    hazards = {h.id: h for h in _hazards(session)}
    trails = defaultdict(list)
    for row in session.scalars(select(StatusChange).order_by(StatusChange.changed_at, StatusChange.id)):
        trails[row.hazard_id].append(row)
    for hazard_id, hazard in hazards.items():
        trail = trails[hazard_id]
        assert trail[0].action == "report" and trail[0].from_status is None and trail[0].to_status is Status.REPORTED
        assert clock.local(trail[0].changed_at).date() == hazard.found_on
        for before, after in zip(trail, trail[1:]):
            assert after.from_status is before.to_status, hazard.code
            assert after.changed_by_id is not None
        assert trail[-1].to_status is hazard.status, hazard.code

    merged = [h for h in hazards.values() if h.status is Status.MERGED]
    assert merged
    for duplicate in merged:
        original = hazards[duplicate.merged_into_id]
        assert original.id != duplicate.id and original.status not in (Status.MERGED, Status.REJECTED)
        assert (original.jurisdiction_code, original.route_code, original.start_m) == \
            (duplicate.jurisdiction_code, duplicate.route_code, duplicate.start_m)

    level_trails = defaultdict(list)
    for row in session.scalars(select(LevelChange).order_by(LevelChange.changed_at, LevelChange.id)):
        level_trails[row.hazard_id].append(row)
    for hazard in hazards.values():
        if hazard.level is not SupervisionLevel.NONE:
            assert level_trails[hazard.id][-1].to_level is hazard.level
    raised = [t for t in level_trails.values() if (t[-1].from_level, t[-1].to_level) ==
              (SupervisionLevel.COUNTY, SupervisionLevel.CITY)]
    assert raised


def test_funding_is_decimal_and_adds_up(session, seeded):
    totals = defaultdict(lambda: defaultdict(Decimal))
    for entry in session.scalars(select(FundingEntry)):
        assert isinstance(entry.amount, Decimal) and entry.amount > 0
        totals[entry.hazard_id][entry.kind] += entry.amount
    assert totals
    for hazard in _hazards(session):
        money = totals.get(hazard.id)
        if hazard.plan_text:
            budget = money[FundingKind.BUDGET]
            assert MIN_BUDGET <= budget <= MAX_BUDGET
            assert money[FundingKind.SPENDING] <= money[FundingKind.ALLOCATION] <= budget
        else:
            assert money is None or not money[FundingKind.BUDGET]
    spent = sum(t[FundingKind.SPENDING] for t in totals.values())
    assert spent > Decimal(1_000_000)


def test_demo_users_log_in(session, seeded):
    users = {u.login: u for u in session.scalars(select(User))}
    assert {login.role for login in seeded.logins} == set(Role)
    assert any(login.language == "en" for login in seeded.logins)
    for login in seeded.logins:
        user = users[login.login]
        assert user.role is login.role and user.jurisdiction_code == login.jurisdiction_code
        assert user.check_password(DEMO_PASSWORD) and login.password == DEMO_PASSWORD
        assert user.email.endswith("@" + EMAIL_DOMAIN) and user.name
    featured = {login.login for login in seeded.logins if login.featured}
    assert {"admin", "xinzhou", "xinfu", "yuanping", "xinfu-inspector", "wutai-inspector"} <= featured
    assert users["xinfu"].jurisdiction_code == "140902" and users["yuanping"].jurisdiction_code == "140981"


def test_seeding_again_adds_hazards_and_reuses_units_and_users(session):
    first = seed_demo(session, hazards=30, today=TODAY)
    units = session.scalar(select(func.count(Organization.id)))
    second = seed_demo(session, hazards=30, today=TODAY)
    assert second.ledger_total == 60 and second.users_created == 0 and second.roads_added == 0
    assert session.scalar(select(func.count(Organization.id))) == units
    assert first.users_created > 0
    assert len(set(session.scalars(select(Hazard.code)))) == 60


def test_same_seed_same_ledger():
    geo = build_geography()
    first = plan_ledger(geo, count=120, seed=7, today=TODAY)
    again = plan_ledger(geo, count=120, seed=7, today=TODAY)
    other = plan_ledger(geo, count=120, seed=8, today=TODAY)
    assert [(p.draft.code, p.draft.title) for p in first] == [(p.draft.code, p.draft.title) for p in again]
    assert [p.draft.geometry.wkt for p in first] == [p.draft.geometry.wkt for p in again]
    assert [p.draft.title for p in first] != [p.draft.title for p in other]


def test_geography_is_consistent():
    geo = build_geography()
    assert len(geo.counties) == 14 and geo.city.is_valid
    assert abs(sum(c.area for c in geo.counties.values()) - geo.city.area) < 1e-6  # no overlaps, no gaps
    for road in geo.roads:
        assert geo.city.covers(LineString(road.coords)), road.route_code
        assert road.stretches[0].start_m == road.start_m and road.stretches[-1].end_m == road.end_m
        assert all(a.end_m == b.start_m for a, b in zip(road.stretches, road.stretches[1:]))
        stake = road.start_m + int(road.length_m * 0.37)
        assert point_at(road, stake) == linear.point_at(road.coords, stake - road.start_m)
        part = section(road, stake, stake + 500)
        assert abs(linear.length_m(part) - 500) < 0.5
    seat = Point(113.25, 38.73)  # 五台县
    assert geo.counties["140922"].contains(seat)
    assert {"G208", "G108", "G55", "S311"} <= {r.route_code for r in geo.roads}


def test_cli_seed_demo(runner, session):
    result = runner.invoke(args=["seed-demo", "--hazards", "50"])
    assert result.exit_code == 0, result.output
    for text in ("admin", "xinzhou", "xinfu-inspector", "wutai-inspector", DEMO_PASSWORD, "忻府区", "Demo logins"):
        assert text in result.output
    count = session.scalar(select(func.count(Hazard.id)))
    assert count == 50

    again = runner.invoke(args=["seed-demo", "--if-empty", "--hazards", "50"])
    assert again.exit_code == 0, again.output
    assert "50" in again.output and "already" in again.output
    assert session.scalar(select(func.count(Hazard.id))) == count


def test_site_photos_follow_the_workflow(session, tmp_path):
    """Closing needs an "after" photo: every demo hazard closed or up for closure has one, in the file
    store with its thumbnail, and the photos are dated along the hazard's own life."""
    from PIL import Image

    from hazards.domain.enums import AttachmentPhase, Status
    from hazards.models import Attachment
    from hazards.services.attachments import thumbnail_key
    from hazards.storage.local import FolderStore

    store = FolderStore(tmp_path)
    seed_demo(session, hazards=60, today=TODAY, store=store)
    phases: dict[int, set[AttachmentPhase]] = defaultdict(set)
    for photo in session.scalars(select(Attachment)):
        phases[photo.hazard_id].add(photo.phase)
        with store.open(photo.stored_path) as stored, Image.open(stored) as image:
            assert image.format == "JPEG" and image.size == (480, 320)
            assert stored.size == photo.size_bytes
        assert store.exists(thumbnail_key(photo.stored_path))
    for hazard in _hazards(session):
        if hazard.status in (Status.CLOSED, Status.CLOSURE_REQUESTED):
            assert AttachmentPhase.AFTER in phases[hazard.id], hazard.code
        if hazard.status in (Status.REJECTED, Status.MERGED):
            assert hazard.id not in phases
        if hazard.status is Status.REPORTED:
            assert phases[hazard.id] == {AttachmentPhase.BEFORE}
    after = session.execute(select(Attachment.uploaded_at, Hazard.completed_on).join(Hazard)
                            .where(Attachment.phase == AttachmentPhase.AFTER)).all()
    assert after and all(clock.local(uploaded).date() == completed for uploaded, completed in after)


def test_the_city_report_shows_supervision_work_and_a_trend(session, seeded):
    from hazards.reports import build_report, parse_period
    from hazards.reports.wording import supervision_zh

    report = build_report(session, "140900", parse_period(TODAY.year), today=TODAY, with_trend=True)
    work = report.supervision
    assert len(work.listed) >= 3 and work.listed_total > 50 and work.raised
    assert work.notices and work.summons and work.units_concerned
    assert work.extensions_granted and work.lookbacks
    assert work.accountability and work.reopened and work.escalations  # 问责, 重新整改, 提级催办
    assert supervision_zh(report).startswith(f"全年挂牌督办隐患{work.listed_total}处（其中")
    assert [p.year for p in report.trend] == [TODAY.year - 1, TODAY.year]
