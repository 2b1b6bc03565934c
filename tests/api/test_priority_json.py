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


def test_texts_kept_for_one_set_of_weights_are_not_shown_for_another(app):
    """Components are built once and kept (hazards.domain.priority): a hazard scored with other weights
    (PRIORITY_WEIGHTS changed) must show the new points and the new reasons, not the kept ones."""
    facts = PriorityFacts(status=Status.LISTED, risk_grade=RiskGrade.MAJOR, level=SupervisionLevel.CITY,
                          school_zone=True, found_on=TODAY - timedelta(days=95), deadline=None, crash_count=3,
                          death_count=1)
    heavier = PriorityWeights(crash=5, age_month=2, school_zone=20)
    with app.test_request_context("/api/v1/hazards", headers={"Accept-Language": "en"}):
        items = [json.loads(with_priority('{"id":1}', priority(facts, w, TODAY), Reasons())) for w in
                 (PriorityWeights(), heavier, PriorityWeights())]
    components = [{c["name"]: c for c in item["priority"]["components"]} for item in items]
    assert [c["crashes"]["points"] for c in components] == [6, 15, 6]
    assert [c["age"]["points"] for c in components] == [3, 6, 3]
    assert [c["school_zone"]["points"] for c in components] == [15, 20, 15]
    assert "5 points each" in components[1]["crashes"]["reason"]
    assert "2 points each" in components[0]["crashes"]["reason"]
    assert [item["priority"]["score"] for item in items] == [6 + 8 + 30 + 15 + 15 + 3, 15 + 8 + 30 + 15 + 20 + 6,
                                                             6 + 8 + 30 + 15 + 15 + 3]
