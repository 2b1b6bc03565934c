"""People who use the ledger."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from hazards.domain.enums import Role
from hazards.models.base import Base, utcnow
from hazards.models.jurisdiction import Jurisdiction, Organization
from hazards.models.types import enum_column


def password_hash_method() -> str:
    # Tests lower the work factor through PASSWORD_HASH_METHOD; production keeps scrypt.
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return "scrypt"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of the id kept in the signed session cookie: bumping it (logout, a new password) makes every
    # cookie issued before worthless, copies included, since the cookie itself cannot be taken back.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The person's own choice: event notices (a new report, an extension request, an acceptance...) by
    # e-mail and to the webhook as well as in the inbox. Off until they choose; deadline reminders follow
    # the deployment's settings, as before.
    notify_by_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notify_by_webhook: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    jurisdiction: Mapped[Jurisdiction] = relationship()
    organization: Mapped[Organization | None] = relationship()

    # Flask-Login's interface: the row itself is the logged-in user.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Flask-Login stores this in the session; `hazards.web.auth` loads the user only while it matches.
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Every session cookie issued so far stops working (the caller commits)."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.login} {self.role}>"


class LoginAttempt(Base):
    """Failed logins, kept in the database so the rate limit holds across web processes."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
