"""When a deadline reminder is due, as pure date arithmetic.

Stages: `lead_30`, `lead_7`, `lead_1` before the deadline (configurable lead days), `overdue_w0` on
the first day past it, `overdue_w1`, `overdue_w2`... once a week while it stays open, and
`escalate` once it has been overdue for the configured number of days. A stage is due from its
day on, so a day the job did not run is caught up on the next run; the stage key makes each one
go out once per deadline (an extension starts the sequence afresh).
"""

from __future__ import annotations

from datetime import date

from hazards.domain.enums import SupervisionLevel

DEFAULT_LEAD_DAYS = (30, 7, 1)
DEFAULT_ESCALATE_AFTER_DAYS = 14
ESCALATE = "escalate"

# Who is told when a hazard escalates: the level above the one that supervises it.
LEVEL_ABOVE = {
    SupervisionLevel.NONE: SupervisionLevel.CITY,
    SupervisionLevel.COUNTY: SupervisionLevel.CITY,
    SupervisionLevel.CITY: SupervisionLevel.PROVINCE,
    SupervisionLevel.PROVINCE: SupervisionLevel.MINISTRY,
    SupervisionLevel.MINISTRY: SupervisionLevel.MINISTRY,
}


def stage_for(deadline: date, as_of: date, lead_days=DEFAULT_LEAD_DAYS) -> str | None:
    """The reminder stage that applies on `as_of`, or None when nothing is due yet."""
    remaining = (deadline - as_of).days
    if remaining >= 0:
        covering = [d for d in lead_days if remaining <= d]
        return f"lead_{min(covering)}" if covering else None
    days_overdue = -remaining
    return f"overdue_w{(days_overdue - 1) // 7}"


def escalation_due(deadline: date, as_of: date, after_days: int = DEFAULT_ESCALATE_AFTER_DAYS) -> bool:
    return (as_of - deadline).days >= after_days


def days_left(deadline: date, as_of: date) -> int:
    """Positive: days left; negative: days overdue."""
    return (deadline - as_of).days
