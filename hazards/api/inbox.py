"""The caller themselves under /api/v1: who they are (/me) and their inbox (站内通知)."""

from __future__ import annotations

from flask import jsonify, request, url_for
from sqlalchemy import select, update

from hazards import permissions
from hazards.api import representations as rep
from hazards.api.auth import api_user
from hazards.api.blueprints import api_blueprint
from hazards.api.paging import decode_cursor, encode_cursor, limit_from, reject_unknown
from hazards.api.problems import bad_request
from hazards.db import get_session
from hazards.domain.errors import N_, NotFound
from hazards.models import Notification
from hazards.models.base import utcnow

bp = api_blueprint("api_inbox", __name__, "/api/v1")


@bp.get("/me")
@permissions.own_records
def me():
    return jsonify(rep.user(api_user()))


@bp.get("/notifications")
@permissions.own_records
def list_notifications():
    """Newest first; `unread=1` for the unread ones only; keyset cursor on the id."""
    args = request.args
    reject_unknown(args, {"unread", "limit", "cursor"})
    if args.get("unread") not in (None, "0", "1", "true", "false"):
        raise bad_request(N_("unread must be 1, 0, true or false."), unread="invalid")
    limit = limit_from(args)
    stmt = select(Notification).where(Notification.user_id == api_user().id).order_by(Notification.id.desc())
    if args.get("unread") in ("1", "true"):
        stmt = stmt.where(Notification.read_at.is_(None))
    if args.get("cursor"):
        (last_id,) = decode_cursor(args["cursor"], (int,))
        stmt = stmt.where(Notification.id < last_id)
    rows = list(get_session().scalars(stmt.limit(limit + 1)))
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = encode_cursor([rows[-1].id]) if more else None
    links = {"self": request.full_path.rstrip("?")}
    if next_cursor:
        links["next"] = url_for("api_inbox.list_notifications", **{**args.to_dict(), "cursor": next_cursor})
    return jsonify(items=[rep.notification(n) for n in rows], limit=limit, next_cursor=next_cursor, links=links)


@bp.post("/notifications/<id:notification_id>/read")
@permissions.own_records
def mark_read(notification_id: int):
    session = get_session()
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != api_user().id:
        raise NotFound(N_("No notification %(id)s is known."), {"id": notification_id})
    if note.read_at is None:
        note.read_at = utcnow()
    session.commit()
    return jsonify(rep.notification(note))


@bp.post("/notifications/read")
@permissions.own_records
def mark_all_read():
    session = get_session()
    result = session.execute(update(Notification).where(Notification.user_id == api_user().id,
                                                        Notification.read_at.is_(None)).values(read_at=utcnow()))
    session.commit()
    return jsonify(marked=result.rowcount)
