"""The funding ledger: lines of budget, allocation and spending, in yuan, as Decimal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hazards.domain.enums import FundingKind, FundingSource
from hazards.domain.errors import N_, InvalidInput
from hazards.models import FundingEntry, User
from hazards.services.access import load_hazard

# Inspectors record what was spent; budgets and allocations are decided by supervisors.
_ACTION_FOR_KIND = {
    FundingKind.SPENDING: "add_spending",
    FundingKind.BUDGET: "add_budget",
    FundingKind.ALLOCATION: "add_budget",
}


def add_funding(
    session: Session, hazard_id: int, actor: User, *, kind: FundingKind, source: FundingSource,
    amount: Decimal, entry_date: date | None = None, note: str | None = None,
) -> FundingEntry:
    hazard = load_hazard(session, hazard_id, actor, _ACTION_FOR_KIND[kind])
    if not isinstance(amount, Decimal):
        raise InvalidInput(N_("The amount must be a Decimal."), fields={"amount": "type"})
    if amount <= 0:
        raise InvalidInput(N_("The amount must be more than zero."), fields={"amount": "not_positive"})
    entry = FundingEntry(hazard_id=hazard.id, kind=kind, source=source, amount=amount,
                         entry_date=entry_date or date.today(), note=note, created_by_id=actor.id)
    session.add(entry)
    session.flush()
    return entry


def funding_totals(session: Session, hazard_id: int) -> dict[FundingKind, Decimal]:
    """Totals per kind, summed by the database from the ledger lines."""
    rows = session.execute(
        select(FundingEntry.kind, func.sum(FundingEntry.amount))
        .where(FundingEntry.hazard_id == hazard_id)
        .group_by(FundingEntry.kind)
    ).all()
    totals = {kind: Decimal("0.00") for kind in FundingKind}
    totals.update({kind: Decimal(total) for kind, total in rows})
    return totals
