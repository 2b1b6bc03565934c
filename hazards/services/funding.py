"""The funding ledger: lines of budget, allocation and spending, in yuan, as Decimal.

Lines are never edited or deleted: a wrong line is voided by a reversing line (the negative amount,
a reason), so totals stay the sum of the lines and the ledger shows what was corrected and why.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hazards import clock
from hazards.domain.drafts import HazardDraft, opening_funding
from hazards.domain.enums import FundingKind, FundingSource
from hazards.domain.errors import N_, Conflict, InvalidInput, NotFound, UnconfirmedAmount
from hazards.domain.money import exceeds_line_limit, format_wan
from hazards.models import FundingEntry, User
from hazards.models.base import utcnow
from hazards.services.access import load_hazard

# Inspectors record what was spent; budgets and allocations are decided by supervisors.
_ACTION_FOR_KIND = {
    FundingKind.SPENDING: "add_spending",
    FundingKind.BUDGET: "add_budget",
    FundingKind.ALLOCATION: "add_budget",
}
REASON_MAX = 200
NOTE_MAX = 200


def add_funding(
    session: Session, hazard_id: int, actor: User, *, kind: FundingKind, source: FundingSource,
    amount: Decimal, entry_date: date | None = None, note: str | None = None,
    limit_wan: Decimal | int | None = None, confirm_large: bool = False,
) -> FundingEntry:
    """Record one line. Above `limit_wan` (万元; the adapters pass the HAZARDS_FUNDING_LINE_WARN_WAN
    setting) the line is refused until `confirm_large` says the person meant it."""
    hazard = load_hazard(session, hazard_id, actor, _ACTION_FOR_KIND[kind])
    if not isinstance(amount, Decimal):
        raise InvalidInput(N_("The amount must be a Decimal."), fields={"amount": "type"})
    if amount <= 0:
        raise InvalidInput(N_("The amount must be more than zero."), fields={"amount": "not_positive"})
    if not confirm_large and exceeds_line_limit(amount, limit_wan):
        raise UnconfirmedAmount(
            N_("%(amount)s (10,000 yuan) is more than %(limit)s (10,000 yuan) for one line. "
               "Check the unit, then confirm the amount if it is right."),
            {"amount": format_wan(amount), "limit": limit_wan}, fields={"amount": "needs_confirmation"})
    entry = FundingEntry(hazard_id=hazard.id, kind=kind, source=source, amount=amount,
                         entry_date=entry_date or clock.today(), note=note, created_by_id=actor.id)
    session.add(entry)
    session.flush()
    return entry


def record_opening_funding(session: Session, hazards: list[tuple[int, HazardDraft]], *, actor_id: int | None,
                           note: str | None = None) -> int:
    """Write the lines new hazards arrive with (a historic ledger's budget and spending), in one
    statement; returns how many. Part of registering them, so whoever may bring the hazard in its
    state brings its money too: a ledger of closed hazards arrives with what they cost, which no one
    could add line by line afterwards but the supervisors settling them."""
    rows = opening_funding_rows(hazards, actor_id=actor_id, note=note, now=utcnow())
    if rows:
        session.execute(insert(FundingEntry.__table__), rows)
    return len(rows)


def opening_funding_rows(hazards: list[tuple[int, HazardDraft]], *, actor_id: int | None, note: str | None,
                         now) -> list[dict]:
    """The funding_entries rows of the lines new hazards arrive with."""
    return [
        {"hazard_id": hazard_id, "kind": line.kind, "source": line.source, "amount": line.amount,
         "entry_date": line.entry_date, "note": (note or "")[:NOTE_MAX] or None, "created_by_id": actor_id,
         "created_at": now}
        for hazard_id, draft in hazards for line in opening_funding(draft)
    ]


def reverse_funding(session: Session, hazard_id: int, entry_id: int, actor: User, *, reason: str | None) -> FundingEntry:
    """Void line `entry_id` of hazard `hazard_id` with a reversing line.

    Whoever may add a line of that kind may reverse one. The reversal carries the original's date,
    kind and source, so the period, kind and source it was counted in come back to what they
    should have been; when it was made is its `created_at`.
    """
    hazard = load_hazard(session, hazard_id, actor)
    entry = session.get(FundingEntry, entry_id)
    if entry is None or entry.hazard_id != hazard.id:
        raise NotFound(N_("Hazard %(code)s has no funding line %(id)s."), {"code": hazard.code, "id": entry_id})
    load_hazard(session, hazard_id, actor, _ACTION_FOR_KIND[entry.kind])
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(N_("Say why the line is reversed."), fields={"reason": "required"})
    if len(reason) > REASON_MAX:
        raise InvalidInput(N_("The reason may have at most %(n)s characters."), {"n": REASON_MAX},
                           fields={"reason": "too_long"})
    if entry.is_reversal:
        raise Conflict(N_("Line %(id)s is itself a reversal; record a new line instead."), {"id": entry.id})
    if reversal_of(session, entry.id) is not None:
        raise Conflict(N_("Line %(id)s has already been reversed."), {"id": entry.id})
    reversal = FundingEntry(hazard_id=hazard.id, kind=entry.kind, source=entry.source, amount=-entry.amount,
                            entry_date=entry.entry_date, note=None, created_by_id=actor.id,
                            reverses_id=entry.id, reversal_reason=reason)
    try:
        with session.begin_nested():  # someone reversing the same line at the same moment loses here
            session.add(reversal)
    except IntegrityError:
        raise Conflict(N_("Line %(id)s has already been reversed."), {"id": entry.id}) from None
    return reversal


def reversal_of(session: Session, entry_id: int) -> FundingEntry | None:
    return session.scalar(select(FundingEntry).where(FundingEntry.reverses_id == entry_id))


def funding_totals(session: Session, hazard_id: int) -> dict[FundingKind, Decimal]:
    """Totals per kind, summed by the database from the ledger lines (reversals included, negative)."""
    rows = session.execute(
        select(FundingEntry.kind, func.sum(FundingEntry.amount))
        .where(FundingEntry.hazard_id == hazard_id)
        .group_by(FundingEntry.kind)
    ).all()
    totals = {kind: Decimal("0.00") for kind in FundingKind}
    totals.update({kind: Decimal(total) for kind, total in rows})
    return totals
