"""Slowing down password guessing: failed logins are counted per login name and per address, apart.

A login name is refused after `max_failures` failures within the last `window_minutes`, from
wherever they came: that stops guessing one person's password. An address is refused after its own,
higher `max_failures_per_address`: that stops one machine trying many names, while the many people
who share an address behind a unit's NAT do not lock each other out with a few typos. A successful
login forgets that name's failures. The view asks and reports; the rule lives here.

An attempt is counted before its password is checked, not after: `claim_attempt` records it as a
failure (forgotten again if the password proves right) and counts in one transaction that other
claims for the same name or address wait for. Checking first and counting afterwards let twenty
guesses sent at once all pass the check before any was counted: eight were checked against a limit
of five. Now at most `max_failures` passwords are ever checked per window.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from hazards.models import LoginAttempt
from hazards.models.base import utcnow

# The columns' widths: longer names or addresses are cut, not refused (a guesser sends anything).
_LOGIN_MAX, _ADDRESS_MAX = 64, 64


def claim_attempt(session: Session, login: str, address: str, *, window_minutes: int, max_failures: int,
                  max_failures_per_address: int) -> bool:
    """Count a login attempt before its password is checked; False when the name or the address has
    failed too often lately (the attempt is then not counted, and the password must not be checked).

    The caller commits right away, before checking the password: the claim must be seen by the next
    attempt, and the slow hash must not run while others wait."""
    login, address = login[:_LOGIN_MAX], address[:_ADDRESS_MAX]
    _wait_for_other_claims(session, f"login:{login}", f"address:{address}")
    claim = LoginAttempt(login=login, remote_addr=address)
    session.add(claim)
    session.flush()  # on SQLite this first write takes the database's one write lock
    since = utcnow() - timedelta(minutes=window_minutes)
    if (_failures_since(session, since, LoginAttempt.login == login) > max_failures
            or _failures_since(session, since, LoginAttempt.remote_addr == address) > max_failures_per_address):
        session.delete(claim)
        session.flush()
        return False
    return True


def _failures_since(session: Session, since, condition) -> int:
    return session.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.attempted_at >= since, condition))


def _wait_for_other_claims(session: Session, *names: str) -> None:
    """Hold these names until this transaction ends, so claims for the same name count one after another.

    PostgreSQL: transaction-level advisory locks, taken in one order so two claims never wait for each
    other in a circle. SQLite needs none: its one writer at a time is the claim's own first write."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({int.from_bytes(hashlib.blake2b(n.encode(), digest_size=8).digest(), "big", signed=True)
                   for n in names})
    for key in keys:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def forget_failures(session: Session, login: str) -> None:
    """A successful login starts that name's count afresh (its own claim included)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.login == login[:_LOGIN_MAX]))
    session.flush()
