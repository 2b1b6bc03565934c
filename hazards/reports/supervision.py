"""Supervision work (督办工作) in a report: what the supervisors did within the period to the hazards
in the report's scope — listings by level, level raises, 通报/约谈/问责, extensions decided, look-backs,
reopenings and the reminders' escalations.

The scope is the report's own (`build._conditions(...)["scope"]`, passed in): the same division
subtree, level filter, counted statuses and found-by date, so a rejected or merged hazard's history is
never counted, whatever happened to it before. Counting happens in the database; the definitions are
in `hazards/reports/__init__.py` and docs/reports.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import Select, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from hazards.clock import as_stored
from hazards.domain.enums import EventKind, ExtensionState
from hazards.domain.enums import SupervisionLevel as L
from hazards.models import ExtensionRequest, Hazard, HazardEvent, LevelChange, ReminderSent, StatusChange
from hazards.reports.period import Period

#: The levels a hazard is listed at, highest first (the table's and the sentence's order).
LISTING_LEVELS = (L.MINISTRY, L.PROVINCE, L.CITY, L.COUNTY)
#: Events that hold a responsible unit to account: their units are counted together.
ACCOUNT_EVENTS = (EventKind.NOTICE, EventKind.SUMMONS, EventKind.ACCOUNTABILITY)


@dataclass
class Supervision:
    """Counts of the period's supervision work. 处 figures count distinct hazards, 次 figures events."""

    listed: dict[L, int] = field(default_factory=dict)  # hazards listed in the period, by level at listing
    raised: int = 0  # hazards whose level was raised (提级督办), outside listing
    notices: int = 0  # 通报, events
    summons: int = 0  # 约谈, events
    accountability: int = 0  # 问责, events
    units_concerned: int = 0  # distinct responsible units of the hazards of those events
    extensions_granted: int = 0  # hazards with an extension granted in the period
    extensions_refused: int = 0  # hazards with an extension refused in the period
    lookbacks: int = 0  # hazards looked back at (回头看)
    reopened: int = 0  # hazards reopened after closing (重新整改)
    escalations: int = 0  # hazards escalated to the level above by the overdue reminders

    @property
    def listed_total(self) -> int:
        return sum(self.listed.values())

    def listed_at(self, level: L) -> int:
        return self.listed.get(level, 0)

    @property
    def anything(self) -> bool:
        return any((self.listed_total, self.raised, self.notices, self.summons, self.accountability,
                    self.extensions_granted, self.extensions_refused, self.lookbacks, self.reopened,
                    self.escalations))


def stored_window(period: Period) -> tuple[datetime, datetime]:
    """The period as stored timestamps (naive UTC): from its first local midnight to the one after its end."""
    return (as_stored(datetime.combine(period.start, time())),
            as_stored(datetime.combine(period.end + timedelta(days=1), time())))


def _rank(column):
    return case({level: level.rank for level in L}, value=column, else_=0)


def _is_raise():
    """A level change upward from a real level: not the listing's own change from 未挂牌."""
    return and_(LevelChange.from_level.is_not(None), LevelChange.from_level != L.NONE,
                _rank(LevelChange.to_level) > _rank(LevelChange.from_level))


def supervision_statements(scope: list, period: Period) -> dict[str, Select]:
    """The statements that count the supervision work of the hazards in `scope` within `period`."""
    lo, hi = stored_window(period)
    # The level a hazard was listed at: where a raise followed the listing, the level it was raised from;
    # otherwise the level it has now (the listing's own level change is from 未挂牌, never a raise).
    raised_from = (select(LevelChange.from_level)
                   .where(LevelChange.hazard_id == StatusChange.hazard_id,
                          LevelChange.changed_at > StatusChange.changed_at, _is_raise())
                   .order_by(LevelChange.changed_at, LevelChange.id).limit(1)
                   .correlate(StatusChange).scalar_subquery())
    listing_level = func.coalesce(raised_from, Hazard.level).label("listing_level")
    listings = (select(StatusChange.hazard_id, listing_level).select_from(StatusChange)
                .join(Hazard, Hazard.id == StatusChange.hazard_id)
                .where(*scope, StatusChange.action == "list", StatusChange.changed_at >= lo,
                       StatusChange.changed_at < hi)
                .subquery())

    def hazards_where(*conditions):
        return func.count(distinct(case((and_(*conditions), Hazard.id))))

    def events_where(*conditions):
        return func.count(case((and_(*conditions), HazardEvent.id)))

    account = HazardEvent.kind.in_(ACCOUNT_EVENTS)
    return {
        "listings": select(listings.c.listing_level, func.count(distinct(listings.c.hazard_id)))
        .group_by(listings.c.listing_level),
        "raised": select(func.count(distinct(LevelChange.hazard_id))).select_from(LevelChange)
        .join(Hazard, Hazard.id == LevelChange.hazard_id)
        .where(*scope, _is_raise(), LevelChange.changed_at >= lo, LevelChange.changed_at < hi),
        "reopened": select(func.count(distinct(StatusChange.hazard_id))).select_from(StatusChange)
        .join(Hazard, Hazard.id == StatusChange.hazard_id)
        .where(*scope, StatusChange.action == "reopen", StatusChange.changed_at >= lo, StatusChange.changed_at < hi),
        "events": select(
            events_where(HazardEvent.kind == EventKind.NOTICE), events_where(HazardEvent.kind == EventKind.SUMMONS),
            events_where(HazardEvent.kind == EventKind.ACCOUNTABILITY),
            func.count(distinct(case((account, Hazard.responsible_unit_id)))),
            hazards_where(HazardEvent.kind == EventKind.LOOKBACK),
        ).select_from(HazardEvent).join(Hazard, Hazard.id == HazardEvent.hazard_id)
        .where(*scope, HazardEvent.happened_on.between(period.start, period.end)),
        "extensions": select(
            hazards_where(ExtensionRequest.state == ExtensionState.GRANTED),
            hazards_where(ExtensionRequest.state == ExtensionState.REFUSED),
        ).select_from(ExtensionRequest).join(Hazard, Hazard.id == ExtensionRequest.hazard_id)
        .where(*scope, ExtensionRequest.decided_at >= lo, ExtensionRequest.decided_at < hi),
        "escalations": select(func.count(distinct(ReminderSent.hazard_id))).select_from(ReminderSent)
        .join(Hazard, Hazard.id == ReminderSent.hazard_id)
        .where(*scope, ReminderSent.stage == "escalate", ReminderSent.as_of.between(period.start, period.end)),
    }


def count_supervision(session: Session, scope: list, period: Period) -> Supervision:
    statements = supervision_statements(scope, period)
    listed: dict[L, int] = {}
    for level, n in session.execute(statements["listings"]):
        level = L(level) if level is not None else L.NONE
        listed[level] = listed.get(level, 0) + int(n)
    notices, summons, accountability, units, lookbacks = session.execute(statements["events"]).one()
    granted, refused = session.execute(statements["extensions"]).one()
    return Supervision(
        listed=listed, raised=int(session.scalar(statements["raised"]) or 0),
        notices=int(notices or 0), summons=int(summons or 0), accountability=int(accountability or 0),
        units_concerned=int(units or 0), extensions_granted=int(granted or 0), extensions_refused=int(refused or 0),
        lookbacks=int(lookbacks or 0), reopened=int(session.scalar(statements["reopened"]) or 0),
        escalations=int(session.scalar(statements["escalations"]) or 0),
    )

