"""Changing a hazard from its page: each view reads the form, calls one service, and reports back."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from hazards import clock, permissions
from hazards.db import get_session
from hazards.domain.enums import AttachmentPhase, EventKind, SupervisionLevel
from hazards.domain.errors import N_, Conflict, InvalidInput, RequirementsMissing, ServiceError, UnconfirmedAmount
from hazards.inputs import shapes
from hazards.inputs.values import INT_MAX, FieldValues, FormValues, whole_number
from hazards.models import Hazard
from hazards.queries.hazard_detail import hazard_detail, page_context
from hazards.services import editing, supervision
from hazards.services.access import load_hazard
from hazards.services.attachments import add_attachment
from hazards.services.funding import REASON_MAX, add_funding, reverse_funding
from hazards.services.workflow import change_status
from hazards.storage import current_store
from hazards.web.refusals import Refusal, refused

bp = Blueprint("hazard_actions", __name__)

# The texts the edit page offers (its other fields are changed through actions).
EDIT_PAGE_FIELDS = ("title", "description", "place", "road_name", "responsible_person", "responsible_contact",
                    "plan_text", "measures_text", "temporary_controls")


def _back(hazard_id: int):
    return redirect(url_for("hazard_pages.detail", hazard_id=hazard_id), code=303)


def _run(hazard_id: int, form: str, values: FieldValues, work, success: str, confirmable: bool = False):
    """Check the form, then run one use case; commit on success. A refusal (something missing or wrong,
    or someone else's change first) rolls back and shows the page again, with the form `form` (the id of
    its element) holding what was typed and the refusal beside it: nothing typed is lost. The form is
    checked here, not in each view, so no view can forget it. `confirmable`: a large amount is asked
    about on that form, to be confirmed with a tick."""
    session = get_session()
    try:
        values.check()
        work(session)
    except (InvalidInput, RequirementsMissing, Conflict) as exc:
        session.rollback()
        return _page_again(hazard_id, refused(form, exc, request.form,
                                              confirm=confirmable and isinstance(exc, UnconfirmedAmount)), exc.status)
    except ServiceError:
        session.rollback()
        raise
    session.commit()
    flash(success, "success")
    return _back(hazard_id)


def _page_again(hazard_id: int, refusal: Refusal, status: int):
    detail = hazard_detail(get_session(), current_user, hazard_id)
    return render_template("hazards/detail.html", **page_context(detail, clock.today(), refusal)), status


@bp.post("/hazards/<int:hazard_id>/actions/<action>")
@login_required
@permissions.checked_inside
def take_action(hazard_id: int, action: str):
    f = FormValues(request.form)
    given = shapes.read_action(f, merge_target_id=_merge_target(f))
    version = shapes.read_version(f)

    def work(session):
        change_status(session, hazard_id, action, current_user, given, expected_version=version)

    return _run(hazard_id, f"action-{action}", f, work, _("Done."))


def _merge_target(f: FormValues):
    """The original is named by its code, as people know it; an id works too.

    A code is looked up only among the hazards this user may see: the id of one outside their area
    must not reach the refusal, which would then tell that it exists and what its id is."""
    raw = f.text("merge_target", max_length=64)
    if not raw:
        return None
    number = whole_number(raw)
    if number is not None:
        return number if number <= INT_MAX else -1  # an id no row has
    found = get_session().scalar(select(Hazard.id).where(Hazard.code == raw, permissions.visible_clause(current_user)))
    return found or -1


@bp.route("/hazards/<int:hazard_id>/edit", methods=["GET", "POST"])
@login_required
@permissions.checked_inside
def edit(hazard_id: int):
    session = get_session()
    hazard = load_hazard(session, hazard_id, current_user, "edit")
    if request.method == "GET":
        return render_template("hazards/edit.html", hazard=hazard, form=None, conflict=None, refused=None)
    f = FormValues(request.form)
    changes = shapes.read_hazard_changes(f, EDIT_PAGE_FIELDS)
    version = shapes.read_version(f)
    try:
        f.check()
        editing.update_hazard(session, hazard_id, current_user, changes, expected_version=version)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        # Keep what this person typed on the page (beside what another person saved first): nothing is lost.
        hazard = load_hazard(session, hazard_id, current_user, "edit")
        return render_template("hazards/edit.html", hazard=hazard, form=request.form,
                               conflict=exc if isinstance(exc, Conflict) else None,
                               refused=refused("edit-form", exc, request.form)), exc.status
    session.commit()
    flash(_("Saved."), "success")
    return _back(hazard_id)


@bp.post("/hazards/<int:hazard_id>/photos")
@login_required
@permissions.checked_inside
def upload_photo(hazard_id: int):
    f = FormValues(request.form)
    phase = f.choice("phase", AttachmentPhase, default=AttachmentPhase.DURING)
    caption = f.text("caption", max_length=200)
    files = [u for u in request.files.getlist("photos") if u and u.filename]

    def work(session):
        if not files:
            raise InvalidInput(N_("Choose a photo to upload."), fields={"photos": "required"})
        for upload in files:
            add_attachment(session, hazard_id, current_user, data=upload.read(), filename=upload.filename,
                           phase=phase, store=current_store(), caption=caption)

    return _run(hazard_id, "photo-form", f, work, _("Photo uploaded."))


@bp.post("/hazards/<int:hazard_id>/funding")
@login_required
@permissions.checked_inside
def add_funding_entry(hazard_id: int):
    f = FormValues(request.form)
    line = shapes.read_funding_line(f, amount_field="amount_wan", unit="wan")

    def work(session):
        add_funding(session, hazard_id, current_user, kind=line.kind, source=line.source, amount=line.amount,
                    entry_date=line.entry_date, note=line.note,
                    limit_wan=current_app.config["FUNDING_LINE_WARN_WAN"], confirm_large=line.confirm_large)

    # A large amount is asked about on the form itself, with what was typed kept: one tick and a click.
    return _run(hazard_id, "funding-form", f, work, _("Funding entry recorded."), confirmable=True)


@bp.post("/hazards/<int:hazard_id>/funding/<int:entry_id>/reversal")
@login_required
@permissions.checked_inside
def reverse_funding_entry(hazard_id: int, entry_id: int):
    f = FormValues(request.form)
    reason = f.text("reason", max_length=REASON_MAX)

    def work(session):
        reverse_funding(session, hazard_id, entry_id, current_user, reason=reason)

    return _run(hazard_id, f"reverse-{entry_id}", f, work, _("The line was reversed."))


@bp.post("/hazards/<int:hazard_id>/events")
@login_required
@permissions.checked_inside
def add_event(hazard_id: int):
    f = FormValues(request.form)
    kind = f.choice("kind", EventKind, default=EventKind.PROGRESS)
    note, happened_on, doc = f.text("note", required=True), f.date("happened_on"), f.text("document_no")

    def work(session):
        supervision.log_event(session, hazard_id, current_user, kind, note, happened_on=happened_on,
                              document_no=doc)

    return _run(hazard_id, "event-form", f, work, _("Recorded."))


@bp.post("/hazards/<int:hazard_id>/extensions")
@login_required
@permissions.checked_inside
def request_extension(hazard_id: int):
    f = FormValues(request.form)
    requested, reason = f.date("requested_deadline", required=True), f.text("reason", required=True)

    def work(session):
        supervision.request_extension(session, hazard_id, current_user, requested, reason)

    return _run(hazard_id, "extension", f, work, _("Extension requested."))


@bp.post("/hazards/<int:hazard_id>/extensions/<int:request_id>")
@login_required
@permissions.checked_inside
def decide_extension(hazard_id: int, request_id: int):
    f = FormValues(request.form)
    grant = request.form.get("decision") == "grant"
    note, deadline = f.text("note"), f.date("deadline")

    def work(session):
        load_hazard(session, hazard_id, current_user)
        supervision.decide_extension(session, request_id, current_user, grant=grant, note=note, deadline=deadline)

    return _run(hazard_id, "extension", f, work, _("Extension granted.") if grant else _("Extension refused."))


@bp.post("/hazards/<int:hazard_id>/level")
@login_required
@permissions.checked_inside
def raise_level(hazard_id: int):
    f = FormValues(request.form)
    level = f.choice("level", SupervisionLevel, required=True)
    note, version = f.text("note", required=True), shapes.read_version(f)

    def work(session):
        supervision.raise_level(session, hazard_id, current_user, level, note, expected_version=version)

    return _run(hazard_id, "raise-level", f, work, _("Supervision level raised."))
