"""One hazard's page as a read model: the hazard and everything the page shows beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.stakes import format_stake
from hazards import permissions
from hazards.domain.enums import AttachmentPhase, CrashLink, ExtensionState, FundingKind, Status, SupervisionLevel
from hazards.domain.priority import Priority
from hazards.models import (Attachment, Crash, ExtensionRequest, FundingEntry, Hazard, HazardCrash, Jurisdiction,
                            Organization)
from hazards.queries.actions import HazardActions, Waiting, actions_for, waiting_for
from hazards.queries.crash_effect import LISTED_CRASHES, CrashRow, HazardEffect, crashes_of, effects
from hazards.queries.divisions import list_units_for
from hazards.queries.priority import priorities
from hazards.queries.timeline import Entry, build_timeline
from hazards.services.access import load_hazard
from hazards.services.funding import funding_totals
from hazards.services.requirements import Requirement, checklist


@dataclass
class HazardDetail:
    hazard: Hazard
    actions: HazardActions
    photos: dict[str, list[Attachment]]  # by phase value
    pending_extension: ExtensionRequest | None
    timeline: list[Entry]
    totals: dict[FundingKind, Decimal]
    funding: list[FundingEntry]
    reversed_by: dict[int, FundingEntry]  # a reversed line's id -> the line that reversed it
    organizations: list[Organization]  # to choose a supervising body or responsible unit from
    merged_into: Hazard | None
    requirements: dict[str, list[Requirement]]  # per workflow step offered: what it needs, present or not
    # when no step is the user's: whose the steps are (with that division), so the page can say who acts next
    waiting: list[tuple[Waiting, Jurisdiction | None]]
    # 治理成效 of a closed hazard (None while open), and its crashes when there are few enough to list
    effect: HazardEffect | None = None
    effect_crashes: list[CrashRow] | None = None
    priority: Priority | None = None  # 轻重缓急: the score and its components; None once the hazard is done with
    # crashes linked to it: the evidence it was registered on (事故倒查), or found to be covered by it
    linked_crashes: list[LinkedCrash] = field(default_factory=list)


@dataclass(frozen=True)
class LinkedCrash:
    source_id: str
    occurred_on: date
    route_code: str | None
    stake_m: int | None
    deaths: int
    injuries: int
    form: str | None
    link: CrashLink

    @property
    def stake(self) -> str:
        return format_stake(self.stake_m) if self.stake_m is not None else ""


def linked_crashes(session: Session, hazard_id: int) -> list[LinkedCrash]:
    """The crash records linked to a hazard, oldest first. Seeing the hazard is what lets one see them:
    they are the record its registration or a supervisor's decision rests on."""
    rows = session.execute(
        select(Crash.source_id, Crash.occurred_on, Crash.route_code, Crash.stake_m, Crash.deaths, Crash.injuries,
               Crash.form, HazardCrash.link)
        .join(HazardCrash, HazardCrash.crash_id == Crash.id).where(HazardCrash.hazard_id == hazard_id)
        .order_by(Crash.occurred_on, Crash.id))
    return [LinkedCrash(*row) for row in rows]


def hazard_detail(session: Session, user, hazard_id: int) -> HazardDetail:
    """The page of a hazard `user` may see; NotFound (404) for any other."""
    hazard = load_hazard(session, hazard_id, user)
    photos = session.scalars(select(Attachment).where(Attachment.hazard_id == hazard.id)
                             .order_by(Attachment.uploaded_at)).all()
    # A county hazard is often handed to a city or provincial body, so the units above it are offered too;
    # the Ministry's when this user could list the hazard at that level.
    organizations = list_units_for(session, hazard.jurisdiction_code, _highest_level(user, hazard),
                                   keep=(hazard.supervising_body_id, hazard.responsible_unit_id))
    funding = list(session.scalars(select(FundingEntry).where(FundingEntry.hazard_id == hazard.id)
                                   .order_by(FundingEntry.entry_date, FundingEntry.id)))
    actions = actions_for(user, hazard)
    waiting = [] if actions.transitions else waiting_for(user, hazard)
    return HazardDetail(
        hazard=hazard,
        actions=actions,
        photos={phase.value: [p for p in photos if p.phase is phase] for phase in AttachmentPhase},
        pending_extension=session.scalar(select(ExtensionRequest).where(
            ExtensionRequest.hazard_id == hazard.id, ExtensionRequest.state == ExtensionState.PENDING)),
        timeline=build_timeline(session, hazard.id),
        totals=funding_totals(session, hazard.id),
        funding=funding,
        reversed_by={e.reverses_id: e for e in funding if e.reverses_id is not None},
        organizations=list(organizations),
        merged_into=session.get(Hazard, hazard.merged_into_id) if hazard.merged_into_id else None,
        requirements={t.action: checklist(session, hazard, t) for t in actions.transitions},
        waiting=[(w, session.get(Jurisdiction, w.division_code)) for w in waiting],
        **_effect(session, hazard),
        priority=priorities(session, [hazard])[hazard.id],
        linked_crashes=linked_crashes(session, hazard.id),
    )


def _effect(session: Session, hazard: Hazard) -> dict:
    """The remediation effect of a closed hazard and, up to LISTED_CRASHES of them, its crashes."""
    effect = effects(session, [hazard.id]).get(hazard.id) if hazard.status is Status.CLOSED else None
    if effect is None or not effect.any_crash:
        return {"effect": effect, "effect_crashes": []}
    listed = crashes_of(session, hazard, effect.windows)
    return {"effect": effect, "effect_crashes": listed if len(listed) <= LISTED_CRASHES else None}


def _highest_level(user, hazard: Hazard) -> SupervisionLevel:
    """The hazard's level, or the highest this user may list it at, whichever is higher."""
    settable = [lv for lv in SupervisionLevel if permissions.can_set_level(user, lv)]
    return max([hazard.level, *settable], key=lambda lv: lv.rank)


def page_context(detail: HazardDetail, today: date, refused=None) -> dict:
    """The names the hazard page's template uses; `refused` (a `hazards.web.refusals.Refusal`) when the
    page answers a refused form, which it shows again with what was typed."""
    return dict(
        hazard=detail.hazard, today=today, timeline=detail.timeline, photos=detail.photos, totals=detail.totals,
        funding=detail.funding, reversed_by=detail.reversed_by, pending_extension=detail.pending_extension, actions=detail.actions.transitions,
        organizations=detail.organizations, higher_levels=detail.actions.higher_levels,
        listable_levels=detail.actions.listable_levels, can=detail.actions.can, merged_into=detail.merged_into,
        requirements=detail.requirements, waiting=detail.waiting, refused=refused, priority=detail.priority,
        effect=detail.effect, effect_crashes=detail.effect_crashes, linked_crashes=detail.linked_crashes,
    )
