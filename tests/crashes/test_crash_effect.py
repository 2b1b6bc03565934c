"""The remediation effect (治理成效): a closed hazard's crashes in the same number of calendar months
before its works started and after they ended, counted exactly at the windows' edges."""

from datetime import date, datetime

from shapely.geometry import Point

from hazards.domain.crash_effect import AFTER, BEFORE, DURING, Toll, Windows, add_months, whole_months
from hazards.domain.crash_rules import EffectRule
from hazards.permissions import SYSTEM
from hazards.queries.crash_effect import crashes_of, effects, totals
from hazards.services.registration import report_hazard
from tests import factories
from tests.crashes.effect_ledger import RULE, TODAY, closed, planted


def test_calendar_months_clamp_to_the_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 3, 31), -1) == date(2023, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2023, 4, 1), -12) == date(2022, 4, 1)
    assert whole_months(date(2026, 8, 31), date(2026, 11, 29)) == 2
    assert whole_months(date(2026, 8, 31), date(2026, 11, 30)) == 3  # 30 November is as far as November goes


def test_windows_and_their_edges():
    w = Windows(date(2023, 4, 1), date(2023, 6, 30), 12, TODAY)
    assert (w.before_from, w.before_to, w.after_from, w.after_to) == (
        date(2022, 4, 1), date(2023, 3, 31), date(2023, 7, 1), date(2024, 6, 30))
    assert [w.phase(d) for d in (date(2022, 3, 31), date(2022, 4, 1), date(2023, 3, 31), date(2023, 4, 1),
                                 date(2023, 6, 30), date(2023, 7, 1), date(2024, 6, 30), date(2024, 7, 1))] == [
        None, BEFORE, BEFORE, DURING, DURING, AFTER, AFTER, None]
    assert w.complete and w.months_after == 12


def test_the_planted_pattern_comes_out_exact(session):
    hazard = planted(session)
    effect = effects(session, [hazard.id], RULE, TODAY)[hazard.id]
    assert (effect.windows.works_start, effect.windows.works_end) == (date(2023, 4, 1), date(2023, 6, 30))
    assert effect.before == Toll(crashes=5, deaths=2, injuries=6)
    assert effect.during == Toll(crashes=2, deaths=1, injuries=1)
    assert effect.after == Toll(crashes=2, deaths=0, injuries=1)
    assert effect.complete
    listed = crashes_of(session, hazard, effect.windows, RULE)
    assert [(c.source_id, c.phase) for c in listed] == [
        ("before-first-day", BEFORE), ("before-2", BEFORE), ("before-3", BEFORE), ("before-4", BEFORE),
        ("before-last-day", BEFORE), ("works-first-day", DURING), ("works-last-day", DURING),
        ("after-first-day", AFTER), ("after-last-day", AFTER)]


def test_start_falls_back_to_the_plan_then_the_listing_and_end_to_the_closing_day(session):
    planned = closed(session, "按计划", planned_start=date(2024, 5, 1), listed_on=date(2024, 1, 1),
                     completed_on=date(2024, 8, 31), closed_on=date(2024, 9, 5))
    listed = closed(session, "按挂牌", listed_on=date(2024, 2, 10), completed_on=None, closed_on=date(2024, 6, 30),
                    geometry=Point(112.75, 38.43))
    found = effects(session, [planned.id, listed.id], RULE, TODAY)
    assert (found[planned.id].windows.works_start, found[planned.id].windows.works_end) == (
        date(2024, 5, 1), date(2024, 8, 31))
    assert (found[listed.id].windows.works_start, found[listed.id].windows.works_end) == (
        date(2024, 2, 10), date(2024, 6, 30))


def test_open_hazards_have_no_effect(session):
    open_one = report_hazard(session, factories.draft(title="未销号"), actor=SYSTEM)
    factories.crash(session, "c", date(2024, 1, 1), lonlat=factories.XINFU_POINT)
    assert effects(session, [open_one.id], RULE, TODAY) == {}


def test_an_after_window_still_running_is_marked_and_kept_out_of_the_totals(session):
    done = planted(session)
    running = closed(session, "乙", section=True, started_at=datetime(2026, 5, 31, 4), completed_on=date(2026, 8, 30),
                     closed_on=date(2026, 9, 2))
    factories.crash(session, "on-the-line-before", date(2026, 1, 5), lonlat=(112.7051, 38.4031), injuries=3)
    factories.crash(session, "stake-50m-past-the-end-after", date(2026, 10, 1), route_code="X012", stake_m=4150)
    factories.crash(session, "210m-off-the-line", date(2026, 1, 5), lonlat=(112.7051, 38.4050))
    factories.crash(session, "stake-150m-past-the-end", date(2026, 10, 1), route_code="X012", stake_m=4250)
    found = effects(session, [done.id, running.id], RULE, TODAY)
    effect = found[running.id]
    assert not effect.complete and effect.windows.months_after == 3
    assert (effect.before, effect.after) == (Toll(1, 0, 3), Toll(1, 0, 0))
    sums = totals(found.values())
    assert (sums.complete, sums.incomplete) == (1, 1)
    assert (sums.before, sums.after) == (Toll(5, 2, 6), Toll(2, 0, 1))


def test_a_wider_buffer_takes_in_the_section_crashes_further_off(session):
    hazard = closed(session, "乙", section=True, started_at=datetime(2024, 3, 1, 4), completed_on=date(2024, 5, 1),
                    closed_on=date(2024, 5, 10))
    factories.crash(session, "210m-off-the-line", date(2024, 1, 5), lonlat=(112.7051, 38.4050))
    factories.crash(session, "stake-150m-past-the-end", date(2024, 9, 1), route_code="X012", stake_m=4250)
    narrow = effects(session, [hazard.id], RULE, TODAY)[hazard.id]
    wide = effects(session, [hazard.id], EffectRule(months=12, buffer_m=250), TODAY)[hazard.id]
    assert (narrow.before.crashes, narrow.after.crashes) == (0, 0)
    assert (wide.before.crashes, wide.after.crashes) == (1, 1)


def test_crashes_recorded_by_the_next_county_count_at_the_place(session):
    # The hazard's visibility governs: a crash at its place counts whichever division recorded it.
    hazard = closed(session, "界上", started_at=datetime(2024, 3, 1, 4), completed_on=date(2024, 5, 1),
                    closed_on=date(2024, 5, 10))
    factories.crash(session, "recorded-by-yuanping", date(2024, 1, 5), lonlat=(112.7340, 38.4175),
                    jurisdiction="140981")
    assert effects(session, [hazard.id], RULE, TODAY)[hazard.id].before.crashes == 1


def test_many_hazards_are_counted_in_chunks_with_the_same_numbers(session, monkeypatch):
    from hazards.queries import crash_effect
    from tests.crashes.effect_ledger import planted_section

    ids = [planted(session).id, planted_section(session).id]
    whole = effects(session, ids, RULE, TODAY)
    monkeypatch.setattr(crash_effect, "CHUNK", 1)
    monkeypatch.setattr(crash_effect, "DATES_CHUNK", 1)
    chunked = effects(session, ids, RULE, TODAY)
    assert [(e.before, e.during, e.after) for e in chunked.values()] == [
        (e.before, e.during, e.after) for e in whole.values()]
    assert [e.before.crashes for e in whole.values()] == [5, 3]
