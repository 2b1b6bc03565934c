"""The in-app inbox (站内通知): reminder digests, newest first; the header shows the unread count."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from hazards import permissions
from hazards.db import get_session
from hazards.models import Notification
from hazards.models.base import utcnow

bp = Blueprint("inbox", __name__)


def unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    return get_session().scalar(select(func.count(Notification.id)).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None))) or 0


def register(app: Flask) -> None:
    app.jinja_env.globals["unread_count"] = unread_count


@bp.get("/inbox")
@login_required
@permissions.own_records
def index():
    notes = get_session().scalars(select(Notification).where(Notification.user_id == current_user.id)
                                  .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(100)).all()
    return render_template("inbox.html", notes=notes)


@bp.post("/inbox/read")
@login_required
@permissions.own_records
def mark_read():
    session = get_session()
    session.execute(update(Notification).where(Notification.user_id == current_user.id,
                                               Notification.read_at.is_(None)).values(read_at=utcnow()))
    session.commit()
    return redirect(url_for("inbox.index"), code=303)
