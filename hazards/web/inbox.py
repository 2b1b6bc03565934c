"""The in-app inbox (站内通知): event notices and reminder digests, newest first, each a link to its
hazard; the header shows the unread count. Opening a note marks it read; so does "mark all as read".
The person's choice of channels for event notices is kept here too (通知设置)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from hazards import permissions
from hazards.db import get_session
from hazards.i18n import error_text
from hazards.models import Delivery, Notification, User
from hazards.models.base import utcnow
from hazards.services.users import UserError, set_notification_preferences

bp = Blueprint("inbox", __name__)

PAGE_SIZE = 100
# A digest's stages, most pressing first: escalated to the level above, overdue, then due soon.
STAGE_ORDER = ("escalated", "overdue", "due")
# A group with more items than this starts folded: the summary line says how many.
OPEN_UP_TO = 5


def unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    return get_session().scalar(select(func.count(Notification.id)).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None))) or 0


def register(app: Flask) -> None:
    app.jinja_env.globals["unread_count"] = unread_count


@dataclass
class DigestGroup:
    stage: str
    items: list[dict] = field(default_factory=list)

    @property
    def folded(self) -> bool:
        return len(self.items) > OPEN_UP_TO


def _stage_of(item: dict) -> str:
    if item.get("stage") == "escalate":
        return "escalated"
    if item.get("days_left", 0) < 0 or str(item.get("stage", "")).startswith("overdue"):
        return "overdue"
    return "due"


def digest_groups(items: list[dict]) -> list[DigestGroup]:
    """A reminder digest's items by stage, most pressing first; in each, the most overdue first."""
    groups = {stage: DigestGroup(stage) for stage in STAGE_ORDER}
    for item in items:
        groups[_stage_of(item)].items.append(item)
    for group in groups.values():
        group.items.sort(key=lambda i: (i.get("days_left", 0), i.get("code", "")))
    return [g for g in groups.values() if g.items]


def _digest_items(note: Notification, payloads: dict[int, dict]) -> list[dict] | None:
    if note.kind != "reminder":
        return None
    if note.data and "items" in note.data:
        return note.data["items"]
    # A digest noted before the inbox kept its items: they are on its delivery.
    return payloads.get(note.delivery_id, {}).get("items")


@bp.get("/inbox")
@login_required
@permissions.own_records
def index():
    session = get_session()
    notes = session.scalars(select(Notification).where(Notification.user_id == current_user.id)
                            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(PAGE_SIZE)).all()
    old = [n.delivery_id for n in notes if n.kind == "reminder" and not n.data and n.delivery_id]
    payloads = dict(session.execute(select(Delivery.id, Delivery.payload).where(Delivery.id.in_(old))).all()) \
        if old else {}
    digests = {n.id: digest_groups(items) for n in notes if (items := _digest_items(n, payloads)) is not None}
    return render_template("inbox.html", notes=notes, digests=digests)


def _own_note(note_id: int) -> Notification:
    note = get_session().get(Notification, note_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    return note


@bp.get("/inbox/<int:note_id>/open")
@login_required
@permissions.own_records
def open_note(note_id: int):
    """Mark the note read and go to what it is about: its hazard, or the hazard of one digest item."""
    note = _read(_own_note(note_id))
    hazard_id = request.args.get("hazard", type=int) or note.hazard_id
    if hazard_id is None:
        return redirect(url_for("inbox.index"), code=303)
    anchor = (note.data or {}).get("anchor") if hazard_id == note.hazard_id else None
    return redirect(url_for("hazard_pages.detail", hazard_id=hazard_id, _anchor=anchor), code=303)


@bp.post("/inbox/<int:note_id>/read")
@login_required
@permissions.own_records
def mark_one_read(note_id: int):
    _read(_own_note(note_id))
    return redirect(url_for("inbox.index"), code=303)


def _read(note: Notification) -> Notification:
    """Mark the note read, once: opening it again keeps the time it was first read."""
    if note.read_at is None:
        note.read_at = utcnow()
        get_session().commit()
    return note


@bp.post("/inbox/read")
@login_required
@permissions.own_records
def mark_read():
    session = get_session()
    session.execute(update(Notification).where(Notification.user_id == current_user.id,
                                               Notification.read_at.is_(None)).values(read_at=utcnow()))
    session.commit()
    return redirect(url_for("inbox.index"), code=303)


@bp.route("/inbox/preferences", methods=["GET", "POST"])
@login_required
@permissions.own_records
def preferences():
    session = get_session()
    me = session.get(User, current_user.id)
    config = current_app.config
    offered = {"email": bool(config.get("MAIL_SERVER")), "webhook": bool(config.get("WEBHOOK_URL"))}
    if request.method == "POST":
        try:
            set_notification_preferences(session, me, by_email=request.form.get("email") == "1",
                                         by_webhook=request.form.get("webhook") == "1")
        except UserError as exc:
            session.rollback()
            flash(error_text(exc), "error")
            return render_template("inbox_preferences.html", me=me, offered=offered), 422
        session.commit()
        flash(_("Your notification preferences are saved."), "success")
        return redirect(url_for("inbox.preferences"), code=303)
    return render_template("inbox_preferences.html", me=me, offered=offered)
