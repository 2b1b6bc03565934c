"""Slowing down password guessing: failed logins are counted per login name and per address.

Logins are refused once either has `max_failures` failures within the last `window_minutes`; a
successful login forgets that name's failures. The view asks and reports; the rule lives here.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from hazards.models import LoginAttempt
from hazards.models.base import utcnow

# The columns' widths: longer names or addresses are cut, not refused (a guesser sends anything).
_LOGIN_MAX, _ADDRESS_MAX = 64, 64


def too_many_failures(session: Session, login: str, address: str, *, window_minutes: int, max_failures: int) -> bool:
    """Whether this login name or this address has failed too often lately."""
    window = utcnow() - timedelta(minutes=window_minutes)
    failures = session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.attempted_at >= window,
            or_(LoginAttempt.login == login, LoginAttempt.remote_addr == address),
        )
    )
    return failures >= max_failures


def record_failure(session: Session, login: str, address: str) -> None:
    session.add(LoginAttempt(login=login[:_LOGIN_MAX], remote_addr=address[:_ADDRESS_MAX]))
    session.flush()


def forget_failures(session: Session, login: str) -> None:
    """A successful login starts that name's count afresh."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.login == login))
    session.flush()
