"""Personal API tokens: what scripts and GIS tools (QGIS, GDAL) send instead of a login session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hazards.models.base import Base, utcnow
from hazards.models.user import User


class ApiToken(Base):
    """One token of one user. Only the SHA-256 of the secret is kept: the secret is shown once.

    A revoked token stays as a row (revoked_at set), so the page can still show what it was and
    when it was last used.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name!r} of user {self.user_id}>"
