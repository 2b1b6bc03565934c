"""Personal API tokens (个人访问令牌): issued and revoked by their owner, checked on every API call.

The secret is random and shown once; only its SHA-256 is stored, so a copy of the database does not
hand out working tokens. A random 256-bit secret needs no slow, salted hash: nothing can be guessed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from hazards.domain.errors import N_, InvalidInput, NotFound
from hazards.models import ApiToken, User
from hazards.models.base import utcnow

PREFIX = "hzt_"  # recognisable in logs and secret scanners
NAME_MAX = 100
# Writing last_used_at on every call would turn each GET into a write; once a minute is enough to
# tell a person which tokens are still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the secret, which is never available again."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(N_("A token needs a name saying what it is for."), fields={"name": "required"})
    if len(name) > NAME_MAX:
        raise InvalidInput(N_("The name is longer than %(n)s characters."), {"n": NAME_MAX}, fields={"name": "too_long"})
    if not user.active:
        raise InvalidInput(N_("This user is not active."), fields={"user": "inactive"})
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_secret(secret))
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; someone else's token does not exist for them (404)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(N_("No token %(id)s is known."), {"id": token_id})
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def use_unrecorded(session: Session, secret: str) -> bool:
    """Whether a call with this token would note its use now (see LAST_USED_RESOLUTION): a reading
    request then writes, and must say so before it does (`hazards.db.writing`)."""
    last_used = session.scalar(select(ApiToken.last_used_at).where(ApiToken.token_hash == hash_secret(secret)))
    return last_used is None or utcnow() - last_used >= LAST_USED_RESOLUTION


#: Every API call runs this. Built once, the statement keeps its cache key, so a call only binds the
#: hash: building it and computing its key each time cost more than the database spends on it.
_CALLER = (
    select(User, ApiToken.last_used_at).join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.active.is_(True))
)


def caller(session: Session, secret: str) -> tuple[User | None, bool]:
    """In one query: the active user owning this unrevoked token (or None), and whether a call with it
    would note its use now (`use_unrecorded`). Nothing is written; see `user_for_secret` to note it.

    Asked of the database on every call, never remembered: a revoked token or a deactivated user is
    refused from the next request on."""
    if not secret or not secret.startswith(PREFIX):
        return None, False
    found = session.execute(_CALLER, {"token_hash": hash_secret(secret)}).first()
    if found is None:
        return None, False
    user, last_used = found
    return user, last_used is None or utcnow() - last_used >= LAST_USED_RESOLUTION


def user_for_secret(session: Session, secret: str, *, touch: bool = True) -> User | None:
    """The active user owning this unrevoked token, or None.

    With `touch`, notes when the token was last used (flushed; the caller commits, so it must call
    this before any other change is pending).
    """
    if not secret or not secret.startswith(PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if touch and (token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION):
        token.last_used_at = now
        session.flush()
    return user
