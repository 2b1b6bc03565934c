"""Reminder stages by date: 30, 7 and 1 days before, the day it falls overdue, then weekly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hazards.domain.reminder_rules import escalation_due, stage_for

DEADLINE = date(2024, 6, 30)


@pytest.mark.parametrize(
    "days_before, stage",
    [
        (45, None), (31, None), (30, "lead_30"), (12, "lead_30"), (7, "lead_7"), (2, "lead_7"), (1, "lead_1"),
        (0, "lead_1"), (-1, "overdue_w0"), (-7, "overdue_w0"), (-8, "overdue_w1"), (-14, "overdue_w1"),
        (-15, "overdue_w2"), (-100, "overdue_w14"),
    ],
)
def test_stage_by_days_before_deadline(days_before, stage):
    assert stage_for(DEADLINE, DEADLINE - timedelta(days=days_before)) == stage


def test_custom_lead_days():
    assert stage_for(DEADLINE, DEADLINE - timedelta(days=3), lead_days=(14, 3)) == "lead_3"
    assert stage_for(DEADLINE, DEADLINE - timedelta(days=20), lead_days=(14, 3)) is None


def test_running_every_day_gives_each_stage_on_its_first_day_only():
    seen = []
    day = DEADLINE - timedelta(days=40)
    while day <= DEADLINE + timedelta(days=22):
        stage = stage_for(DEADLINE, day)
        if stage and stage not in seen:
            seen.append((stage, (day - DEADLINE).days))
            seen.append(stage)
        day += timedelta(days=1)
    firsts = [s for s in seen if isinstance(s, tuple)]
    assert firsts == [("lead_30", -30), ("lead_7", -7), ("lead_1", -1), ("overdue_w0", 1), ("overdue_w1", 8),
                      ("overdue_w2", 15), ("overdue_w3", 22)]


@pytest.mark.parametrize("days_overdue, due", [(13, False), (14, True), (30, True), (-3, False)])
def test_escalation_after_n_days(days_overdue, due):
    assert escalation_due(DEADLINE, DEADLINE + timedelta(days=days_overdue), 14) is due
