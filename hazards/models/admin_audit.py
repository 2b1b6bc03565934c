"""The administrators' audit: one row per change an admin makes to accounts, units or vocabularies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hazards.models.base import Base, utcnow
from hazards.models.user import User


class AdminChange(Base):
    """Who changed which record, when (UTC), and its fields before and after, as JSON.

    Written only by `hazards.services.admin.audit.record`. `jurisdiction_code` places the row for
    the audit page's reach (an admin reads the rows of their own subtree); a user or unit moved
    between divisions keeps the division it left in `previous_jurisdiction_code`, so the admins of
    both see the move. Shared vocabularies have no division: every admin reads their rows.
    """

    __tablename__ = "admin_changes"
    __table_args__ = (Index("ix_admin_changes_changed_at_id", "changed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64))  # the login then, or "system" for commands
    kind: Mapped[str] = mapped_column(String(40), index=True)  # an AdminChangeKind value
    record_type: Mapped[str] = mapped_column(String(20))  # user, organization, category, measure
    record_id: Mapped[int] = mapped_column(Integer)
    record_label: Mapped[str] = mapped_column(String(128))  # login or name when it changed
    jurisdiction_code: Mapped[str | None] = mapped_column(String(6), index=True)
    previous_jurisdiction_code: Mapped[str | None] = mapped_column(String(6), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AdminChange {self.kind} {self.record_type} {self.record_id}>"
