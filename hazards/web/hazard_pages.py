"""Reading hazards: the filtered list, "my hazards", and one hazard's page."""

from __future__ import annotations

import io
from dataclasses import replace
import tempfile
from pathlib import Path

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user, login_required
from sqlalchemy import select

from hazards import clock, permissions
from hazards.db import get_session
from hazards.domain.enums import Status, SupervisionLevel
from hazards.i18n import current_language
from hazards.io.exporter import export_hazards
from hazards.models import Attachment, Category, Hazard
from hazards.queries import crash_effect
from hazards.queries import hazard_list as listing
from hazards.queries.divisions import list_jurisdictions
from hazards.queries.hazard_detail import hazard_detail, page_context
from hazards.queries.hazard_list import HazardFilters, filters_from_args
from hazards.queries.priority import priorities
from hazards.services.access import load_hazard
from hazards.services.attachments import thumbnail_key
from hazards.storage import FileMissing
from hazards.web.downloads import log_missing_file, send_stored

bp = Blueprint("hazard_pages", __name__)
PAGE_SIZE = 50


@bp.get("/hazards")
@login_required
@permissions.checked_inside
def index():
    session = get_session()
    filters = filters_from_args(request.args)
    today = clock.today()
    page = listing.page_of(session, listing.filtered(current_user, filters, today), filters.sort,
                           request.args.get("page", 1, type=int), PAGE_SIZE, today)
    # The score column shows when the list is in that order, so the order can be read off the page.
    scores = priorities(session, page.items, today) if filters.sort == listing.PRIORITY else None
    categories = session.scalars(select(Category).order_by(Category.sort_order)).all()
    jurisdictions = list_jurisdictions(session, current_user)
    # 治理成效 for the page's closed rows only: two statements whatever the page holds.
    effects = crash_effect.effects(session, [h.id for h in page.items if h.status is Status.CLOSED], today=today)
    return render_template("hazards/index.html", page=page, filters=filters, today=today, categories=categories,
                           jurisdictions=jurisdictions, statuses=list(Status), levels=list(SupervisionLevel),
                           effects=effects, scores=scores)


@bp.get("/hazards/export")
@login_required
@permissions.checked_inside
def export():
    """The list as it is filtered and sorted on the page, as a spreadsheet with the Chinese headers (or
    English ones for a user who reads English): what supervisors take to meetings and send up the line.
    逾期天数 is judged today, as the page's overdue filter is."""
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        abort(400)
    session = get_session()
    filters = filters_from_args(request.args)
    today = clock.today()
    listed = listing.filtered(current_user, filters, today)
    ordered = listing.in_order(listed.with_only_columns(Hazard.id), filters.sort, today, session=session)
    order = list(session.scalars(ordered))
    headers = "en" if current_language() == "en" else "zh"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"hazards.{fmt}"
        export_hazards(session, path, actor=current_user, fmt=fmt, headers=headers,
                       only=Hazard.id.in_(listed.with_only_columns(Hazard.id)), order=order, today=today)
        data = path.read_bytes()
    name = f"{'hazards' if headers == 'en' else '隐患台账'}-{clock.today():%Y%m%d}.{fmt}"
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                else "text/csv; charset=utf-8")
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.get("/hazards/mine")
@login_required
@permissions.checked_inside
def mine():
    """An inspector's day: open work in their area waiting for the field, and what they logged, open
    first; both narrowed by the state and the words asked for."""
    session = get_session()
    today = clock.today()
    shown = request.args.get("status", "")
    text = (request.args.get("q") or "").strip()[:100] or None
    narrowed = _mine_filters(shown, text)
    logged = listing.page_of(session, listing.filtered(current_user, replace(narrowed, found_by_id=current_user.id),
                                                       today), "open_first", request.args.get("page", 1, type=int),
                             PAGE_SIZE)
    work = [s for s in (narrowed.statuses or FIELD_WORK) if s in FIELD_WORK]
    field_work = listing.page_of(session, listing.filtered(current_user, replace(narrowed, statuses=work), today),
                                 "deadline", 1, PAGE_SIZE) if work else None
    return render_template("hazards/mine.html", logged=logged, field_work=field_work, today=today, shown=shown,
                           text=text or "", statuses=list(Status))


FIELD_WORK = (Status.PLAN_APPROVED, Status.IN_REMEDIATION)


def _mine_filters(shown: str, text: str | None) -> HazardFilters:
    if shown == "open":
        return HazardFilters(open_only=True, text=text)
    if shown == "closed":
        return HazardFilters(statuses=[s for s in Status if not s.is_open], text=text)
    if shown == "overdue":
        return HazardFilters(overdue=True, text=text)
    if shown in Status.values():
        return HazardFilters(statuses=[Status(shown)], text=text)
    return HazardFilters(text=text)


@bp.get("/hazards/<int:hazard_id>")
@login_required
@permissions.checked_inside
def detail(hazard_id: int):
    detail = hazard_detail(get_session(), current_user, hazard_id)
    return render_template("hazards/detail.html", **page_context(detail, clock.today()))


@bp.get("/attachments/<int:attachment_id>")
@login_required
@permissions.checked_inside
def attachment(attachment_id: int):
    session = get_session()
    item = session.get(Attachment, attachment_id)
    if item is None:
        abort(404)
    load_hazard(session, item.hazard_id, current_user)  # 404 outside the user's jurisdiction
    if request.args.get("thumb") and item.content_type.startswith("image/"):
        try:
            return send_stored(thumbnail_key(item.stored_path), mimetype="image/jpeg",
                               download_name=f"thumb-{item.original_name}", max_age=3600,
                               etag=f"{item.sha256}-thumb")
        except FileMissing:
            pass  # no thumbnail: the photo itself
    try:
        return send_stored(item.stored_path, mimetype=item.content_type, download_name=item.original_name,
                           max_age=3600, etag=item.sha256)
    except FileMissing:
        log_missing_file(item.stored_path)
        abort(404)
