"""Administration: users, organizations and hazard categories of the admin's jurisdiction."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hazards import permissions
from hazards.db import get_session
from hazards.domain.divisions import within_clause
from hazards.domain.enums import OrganizationKind, Role
from hazards.domain.errors import InvalidInput
from hazards.models import Category, Jurisdiction, Organization, User
from hazards.services.users import UserError, create_user
from hazards.web.forms import FormReader

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _jurisdictions(session):
    return session.scalars(select(Jurisdiction).where(within_clause(Jurisdiction.code, current_user.jurisdiction_code))
                           .order_by(Jurisdiction.code)).all()


@bp.route("/users", methods=["GET", "POST"])
@permissions.requires(permissions.can_administer)
def users():
    session = get_session()
    if request.method == "POST":
        f = FormReader(request.form)
        code = f.text("jurisdiction_code", required=True)
        try:
            f.check()
            if not permissions.can_manage(current_user, code):
                abort(403)
            create_user(session, login=f.text("login") or "", password=request.form.get("password", ""),
                        role=request.form.get("role", ""), jurisdiction_code=code, name=f.text("name"),
                        email=f.text("email"), phone=f.text("phone"), language=request.form.get("language", "zh"),
                        organization_id=f.integer("organization_id"))
            session.commit()
            flash(_("User created."), "success")
            return redirect(url_for("admin.users"), code=303)
        except (UserError, InvalidInput) as exc:
            session.rollback()
            flash(str(exc), "error")
    people = session.scalars(select(User).where(within_clause(User.jurisdiction_code, current_user.jurisdiction_code))
                             .order_by(User.jurisdiction_code, User.login)).all()
    return render_template("admin/users.html", users=people, jurisdictions=_jurisdictions(session), roles=list(Role))


@bp.route("/organizations", methods=["GET", "POST"])
@permissions.requires(permissions.can_administer)
def organizations():
    session = get_session()
    if request.method == "POST":
        f = FormReader(request.form)
        name, code = f.text("name", required=True, max_length=128), f.text("jurisdiction_code", required=True)
        kind = f.choice("kind", OrganizationKind, required=True)
        if not f.errors and permissions.can_manage(current_user, code):
            session.add(Organization(name=name, kind=kind, jurisdiction_code=code))
            session.commit()
            flash(_("Organization added."), "success")
            return redirect(url_for("admin.organizations"), code=303)
        flash(_("Please correct the marked fields."), "error")
    orgs = session.scalars(select(Organization).where(
        within_clause(Organization.jurisdiction_code, current_user.jurisdiction_code))
        .order_by(Organization.jurisdiction_code, Organization.name)).all()
    return render_template("admin/organizations.html", organizations=orgs, jurisdictions=_jurisdictions(session),
                           kinds=list(OrganizationKind))


@bp.route("/categories", methods=["GET", "POST"])
@permissions.requires(permissions.can_administer)
def categories():
    session = get_session()
    if request.method == "POST":
        f = FormReader(request.form)
        code = f.text("code", required=True, max_length=32)
        zh, en = f.text("name_zh", required=True, max_length=64), f.text("name_en", required=True, max_length=64)
        if not f.errors and session.scalar(select(Category.id).where(Category.code == code)) is None:
            order = (session.scalar(select(Category.sort_order).order_by(Category.sort_order.desc()).limit(1)) or 0) + 1
            session.add(Category(code=code, name_zh=zh, name_en=en, sort_order=order))
            session.commit()
            flash(_("Category added."), "success")
            return redirect(url_for("admin.categories"), code=303)
        flash(_("Please correct the marked fields, or use a code not taken yet."), "error")
    return render_template("admin/categories.html",
                           categories=session.scalars(select(Category).order_by(Category.sort_order)).all())
