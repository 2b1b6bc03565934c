"""Slowing down password guessing: failed logins are counted per login name and per address, apart.

A login name is refused after `max_failures` failures within the last `window_minutes`, from
wherever they came: that stops guessing one person's password. An address is refused after its own,
higher `max_failures_per_address`: that stops one machine trying many names, while the many people
who share an address behind a unit's NAT do not lock each other out with a few typos. A successful
login forgets that name's failures. The view asks and reports; the rule lives here.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hazards.models import LoginAttempt
from hazards.models.base import utcnow

# The columns' widths: longer names or addresses are cut, not refused (a guesser sends anything).
_LOGIN_MAX, _ADDRESS_MAX = 64, 64


def too_many_failures(session: Session, login: str, address: str, *, window_minutes: int, max_failures: int,
                      max_failures_per_address: int) -> bool:
    """Whether this login name, or else this address, has failed too often lately."""
    since = utcnow() - timedelta(minutes=window_minutes)
    return (_failures_since(session, since, LoginAttempt.login == login[:_LOGIN_MAX]) >= max_failures
            or _failures_since(session, since, LoginAttempt.remote_addr == address[:_ADDRESS_MAX])
            >= max_failures_per_address)


def _failures_since(session: Session, since, condition) -> int:
    return session.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.attempted_at >= since, condition))


def record_failure(session: Session, login: str, address: str) -> None:
    session.add(LoginAttempt(login=login[:_LOGIN_MAX], remote_addr=address[:_ADDRESS_MAX]))
    session.flush()


def forget_failures(session: Session, login: str) -> None:
    """A successful login starts that name's count afresh."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.login == login[:_LOGIN_MAX]))
    session.flush()
