"""Administration: users, organizations and hazard categories of the admin's jurisdiction, and the
reminder deliveries to its people."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hazards import permissions
from hazards.db import get_session
from hazards.domain.enums import DeliveryState, OrganizationKind, Role
from hazards.domain.errors import Forbidden, InvalidInput, NotFound
from hazards.domain.passwords import MIN_LENGTH
from hazards.i18n import error_text
from hazards.models import Category
from hazards.queries.deliveries import count_by_state, list_deliveries
from hazards.queries.divisions import list_jurisdictions, list_organizations, list_people
from hazards.services.admin import add_category, add_organization, add_user, reset_user_password
from hazards.services.users import UserError
from hazards.web.forms import FormReader

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@permissions.requires(permissions.can_administer)
def users():
    session = get_session()
    if request.method == "POST":
        f = FormReader(request.form)
        code = f.text("jurisdiction_code", required=True)
        try:
            f.check()
            add_user(session, current_user, login=f.text("login") or "", password=request.form.get("password", ""),
                     role=request.form.get("role", ""), jurisdiction_code=code, name=f.text("name"),
                     email=f.text("email"), phone=f.text("phone"), language=request.form.get("language", "zh"),
                     organization_id=f.integer("organization_id"))
            session.commit()
            flash(_("User created."), "success")
            return redirect(url_for("admin.users"), code=303)
        except Forbidden:
            abort(403)
        except (UserError, InvalidInput) as exc:
            session.rollback()
            flash(error_text(exc), "error")
    return _users_page(session)


@bp.post("/users/<int:user_id>/password")
@permissions.requires(permissions.can_administer)
def reset_password(user_id: int):
    session = get_session()
    try:
        user = reset_user_password(session, current_user, user_id, request.form.get("password", ""))
    except NotFound:
        abort(404)
    except UserError as exc:
        session.rollback()
        flash(error_text(exc), "error")
        return _users_page(session), 422
    session.commit()
    flash(_("The password of %(login)s has been reset; their sessions have ended.", login=user.login), "success")
    return redirect(url_for("admin.users"), code=303)


def _users_page(session):
    return render_template("admin/users.html", users=list_people(session, current_user),
                           jurisdictions=list_jurisdictions(session, current_user), roles=list(Role),
                           min_length=MIN_LENGTH)


@bp.route("/organizations", methods=["GET", "POST"])
@permissions.requires(permissions.can_administer)
def organizations():
    session = get_session()
    if request.method == "POST":
        f = FormReader(request.form)
        name, code = f.text("name", required=True, max_length=128), f.text("jurisdiction_code", required=True)
        kind = f.choice("kind", OrganizationKind, required=True)
        try:
            if not f.errors:
                add_organization(session, current_user, name=name, kind=kind, jurisdiction_code=code)
                session.commit()
                flash(_("Organization added."), "success")
                return redirect(url_for("admin.organizations"), code=303)
        except (Forbidden, InvalidInput):
            session.rollback()
        flash(_("Please correct the marked fields."), "error")
    return render_template("admin/organizations.html", organizations=list_organizations(session, current_user),
                           jurisdictions=list_jurisdictions(session, current_user), kinds=list(OrganizationKind))


@bp.route("/categories", methods=["GET", "POST"])
@permissions.requires(permissions.can_administer)
def categories():
    session = get_session()
    if request.method == "POST":
        f = FormReader(request.form)
        code = f.text("code", required=True, max_length=32)
        zh, en = f.text("name_zh", required=True, max_length=64), f.text("name_en", required=True, max_length=64)
        try:
            if not f.errors:
                add_category(session, current_user, code=code, name_zh=zh, name_en=en)
                session.commit()
                flash(_("Category added."), "success")
                return redirect(url_for("admin.categories"), code=303)
        except InvalidInput:
            session.rollback()
        flash(_("Please correct the marked fields, or use a code not taken yet."), "error")
    return render_template("admin/categories.html",
                           categories=session.scalars(select(Category).order_by(Category.sort_order)).all())


@bp.get("/deliveries")
@permissions.requires(permissions.can_administer)
def deliveries():
    """Reminder digests to the people of the admin's subtree: undeliverable ones first."""
    session = get_session()
    state = next((s for s in DeliveryState if s.value == request.args.get("state")), None)
    rows = list_deliveries(session, current_user, state)
    return render_template("admin/deliveries.html", rows=rows, counts=count_by_state(session, current_user),
                           state=state)
