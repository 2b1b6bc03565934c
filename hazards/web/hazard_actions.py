"""Changing a hazard from its page: each view reads the form, calls one service, and reports back."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hazards import permissions
from hazards.db import get_session
from hazards.domain.enums import AttachmentPhase, EventKind, FundingKind, FundingSource, SupervisionLevel
from hazards.domain.errors import Conflict, InvalidInput, RequirementsMissing, ServiceError
from hazards.i18n import current_language
from hazards.services import editing, supervision
from hazards.services.access import load_hazard
from hazards.services.attachments import add_attachment
from hazards.services.funding import add_funding
from hazards.services.requirements import ActionInput, describe
from hazards.services.workflow import change_status
from hazards.web.forms import FormReader

bp = Blueprint("hazard_actions", __name__)


def _back(hazard_id: int):
    return redirect(url_for("hazard_pages.detail", hazard_id=hazard_id), code=303)


def _run(hazard_id: int, work, success: str):
    """Run one use case; commit on success, otherwise roll back and say why on the hazard's page."""
    session = get_session()
    try:
        work(session)
    except RequirementsMissing as exc:
        session.rollback()
        flash(describe(exc.details["missing"], current_language()), "error")
        return _back(hazard_id)
    except InvalidInput as exc:
        session.rollback()
        fields = exc.details.get("fields") or {}
        flash(exc.message + ("" if not fields else " (" + "; ".join(f"{k}: {v}" for k, v in fields.items()) + ")"),
              "error")
        return _back(hazard_id)
    except ServiceError:
        session.rollback()
        raise
    session.commit()
    flash(success, "success")
    return _back(hazard_id)


@bp.post("/hazards/<int:hazard_id>/actions/<action>")
@login_required
@permissions.checked_inside
def take_action(hazard_id: int, action: str):
    f = FormReader(request.form)
    given = ActionInput(
        reason=f.text("reason"), note=f.text("note"), level=f.choice("level", SupervisionLevel),
        deadline=f.date("deadline"), supervising_body_id=f.integer("supervising_body_id"),
        document_no=f.text("document_no", max_length=100), responsible_unit_id=f.integer("responsible_unit_id"),
        responsible_person=f.text("responsible_person", max_length=64), plan_text=f.text("plan_text"),
        completed_on=f.date("completed_on"), acceptance_note=f.text("acceptance_note"),
        merge_target_id=_merge_target(f),
    )
    version = f.integer("version")

    def work(session):
        f.check()
        change_status(session, hazard_id, action, current_user, given, expected_version=version)

    return _run(hazard_id, work, _("Done."))


def _merge_target(f: FormReader):
    """The original is named by its code, as people know it; an id works too."""
    raw = f.text("merge_target")
    if not raw:
        return None
    if raw.isdigit():
        return int(raw)
    from sqlalchemy import select

    from hazards.models import Hazard

    return get_session().scalar(select(Hazard.id).where(Hazard.code == raw)) or -1


@bp.route("/hazards/<int:hazard_id>/edit", methods=["GET", "POST"])
@login_required
@permissions.checked_inside
def edit(hazard_id: int):
    session = get_session()
    hazard = load_hazard(session, hazard_id, current_user, "edit")
    if request.method == "GET":
        return render_template("hazards/edit.html", hazard=hazard, form=None, conflict=None)
    f = FormReader(request.form)
    changes = {
        "title": f.text("title", required=True, max_length=200), "description": f.text("description"),
        "place": f.text("place", max_length=200), "road_name": f.text("road_name", max_length=100),
        "responsible_person": f.text("responsible_person", max_length=64),
        "responsible_contact": f.text("responsible_contact", max_length=64),
        "plan_text": f.text("plan_text"), "measures_text": f.text("measures_text"),
        "temporary_controls": f.text("temporary_controls"),
    }
    try:
        f.check()
        editing.update_hazard(session, hazard_id, current_user, changes, expected_version=f.integer("version"))
    except Conflict as exc:
        session.rollback()
        # Keep what this person typed on the page beside what the other person saved: nothing is lost.
        hazard = load_hazard(session, hazard_id, current_user, "edit")
        return render_template("hazards/edit.html", hazard=hazard, form=request.form, conflict=exc), 409
    except InvalidInput as exc:
        session.rollback()
        flash(exc.message, "error")
        return render_template("hazards/edit.html", hazard=hazard, form=request.form, conflict=None), 422
    session.commit()
    flash(_("Saved."), "success")
    return _back(hazard_id)


@bp.post("/hazards/<int:hazard_id>/photos")
@login_required
@permissions.checked_inside
def upload_photo(hazard_id: int):
    f = FormReader(request.form)
    phase = f.choice("phase", AttachmentPhase, default=AttachmentPhase.DURING)
    files = [u for u in request.files.getlist("photos") if u and u.filename]

    def work(session):
        if not files:
            raise InvalidInput(_("Choose a photo to upload."), fields={"photos": "required"})
        for upload in files:
            add_attachment(session, hazard_id, current_user, data=upload.read(), filename=upload.filename,
                           phase=phase, instance_path=current_app.instance_path, caption=f.text("caption"))

    return _run(hazard_id, work, _("Photo uploaded."))


@bp.post("/hazards/<int:hazard_id>/funding")
@login_required
@permissions.checked_inside
def add_funding_entry(hazard_id: int):
    f = FormReader(request.form)
    kind = f.choice("kind", FundingKind, required=True)
    source = f.choice("source", FundingSource, required=True)
    amount = f.money("amount_wan", unit="wan")
    entry_date, note = f.date("entry_date"), f.text("note", max_length=200)

    def work(session):
        f.check()
        add_funding(session, hazard_id, current_user, kind=kind, source=source, amount=amount,
                    entry_date=entry_date, note=note)

    return _run(hazard_id, work, _("Funding entry recorded."))


@bp.post("/hazards/<int:hazard_id>/events")
@login_required
@permissions.checked_inside
def add_event(hazard_id: int):
    f = FormReader(request.form)
    kind = f.choice("kind", EventKind, default=EventKind.PROGRESS)
    note, happened_on, doc = f.text("note", required=True), f.date("happened_on"), f.text("document_no")

    def work(session):
        f.check()
        supervision.log_event(session, hazard_id, current_user, kind, note, happened_on=happened_on,
                              document_no=doc)

    return _run(hazard_id, work, _("Recorded."))


@bp.post("/hazards/<int:hazard_id>/extensions")
@login_required
@permissions.checked_inside
def request_extension(hazard_id: int):
    f = FormReader(request.form)
    requested, reason = f.date("requested_deadline", required=True), f.text("reason", required=True)

    def work(session):
        f.check()
        supervision.request_extension(session, hazard_id, current_user, requested, reason)

    return _run(hazard_id, work, _("Extension requested."))


@bp.post("/hazards/<int:hazard_id>/extensions/<int:request_id>")
@login_required
@permissions.checked_inside
def decide_extension(hazard_id: int, request_id: int):
    f = FormReader(request.form)
    grant = request.form.get("decision") == "grant"

    def work(session):
        load_hazard(session, hazard_id, current_user)
        supervision.decide_extension(session, request_id, current_user, grant=grant, note=f.text("note"),
                                     deadline=f.date("deadline"))

    return _run(hazard_id, work, _("Extension granted.") if grant else _("Extension refused."))


@bp.post("/hazards/<int:hazard_id>/level")
@login_required
@permissions.checked_inside
def raise_level(hazard_id: int):
    f = FormReader(request.form)
    level = f.choice("level", SupervisionLevel, required=True)
    note, version = f.text("note", required=True), f.integer("version")

    def work(session):
        f.check()
        supervision.raise_level(session, hazard_id, current_user, level, note, expected_version=version)

    return _run(hazard_id, work, _("Supervision level raised."))
