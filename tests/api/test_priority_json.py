"""A list item's `priority` is written from per-component texts kept between requests: it must read
exactly as the single hazard's `priority_body` does, in each language."""

from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import product

import pytest

from hazards.api.priority_json import Reasons, priority_body, with_priority
from hazards.domain.enums import RiskGrade, Status, SupervisionLevel
from hazards.domain.priority import PriorityFacts, PriorityWeights, priority

TODAY = date(2026, 6, 1)


def _all_kinds():
    """Priorities of every kind of component: crashes recorded, typed or none; every grade and level;
    school zone or not; overdue, with a deadline ahead, or none."""
    kinds = product([None, RiskGrade.MAJOR, RiskGrade.GENERAL], list(SupervisionLevel), [True, False],
                    [None, TODAY - timedelta(days=9), TODAY + timedelta(days=30)], [(None, 0), (4, 2), (0, 3)])
    for n, (grade, level, school, deadline, (recorded, typed)) in enumerate(kinds):
        facts = PriorityFacts(status=Status.LISTED, risk_grade=grade, level=level, school_zone=school,
                              found_on=TODAY - timedelta(days=17 * n), deadline=deadline, crash_count=typed,
                              death_count=typed // 2, recorded_crashes=recorded, recorded_deaths=recorded,
                              counted_from=TODAY - timedelta(days=1000) if recorded is not None else None)
        yield priority(facts, PriorityWeights(), TODAY)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_list_items_carry_the_same_priority_as_the_hazard_page(app, language):
    with app.test_request_context("/api/v1/hazards", headers={"Accept-Language": language}):
        for p in [*_all_kinds(), *_all_kinds(), None]:  # the second time from the kept texts
            item = json.loads(with_priority('{"id":7,"code":"140902-2026-0001"}', p, Reasons()))
            assert item == {"id": 7, "code": "140902-2026-0001", "priority": priority_body(p, Reasons())}
        reasons = " ".join(c["reason"] for c in priority_body(next(_all_kinds()), Reasons())["components"])
        assert ("级" in reasons) == (language == "zh-CN")
