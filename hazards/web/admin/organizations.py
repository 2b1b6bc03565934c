"""Organizations of the admin's subtree: the list with its add form, and each unit's page (edit,
deactivate or use again, merge into another)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from werkzeug.datastructures import MultiDict

from hazards.db import get_session
from hazards.domain.enums import OrganizationKind
from hazards.models import AdminChange, Hazard, User
from hazards.queries.admin import divisions, merge_targets, organizations as list_organizations
from hazards.services.admin.organizations import (
    UNIT_FIELDS,
    add_organization,
    edit_organization,
    merge_organizations,
    set_organization_active,
)
from hazards.services.admin.scope import managed_organization
from hazards.web.admin.common import admin_only, bp, submit
from hazards.web.forms import FormReader


@bp.route("/organizations", methods=["GET", "POST"])
@admin_only
def organizations():
    session = get_session()
    if request.method == "GET":
        return _list_page(MultiDict(), {})

    def add():
        f = FormReader(request.form)
        name, code = f.text("name", required=True, max_length=128), f.text("jurisdiction_code", required=True)
        kind = f.choice("kind", OrganizationKind, required=True)
        f.check()
        return add_organization(session, current_user, name=name, kind=kind, jurisdiction_code=code)

    return submit(session, add, done=lambda unit: _("Organization %(name)s added.", name=unit.name),
                  then=url_for("admin.organizations"), again=lambda errors: _list_page(request.form, errors))


def _list_page(form, errors: dict) -> str:
    session = get_session()
    return render_template("admin/organizations.html", organizations=list_organizations(session, current_user),
                           jurisdictions=divisions(session, current_user), kinds=list(OrganizationKind),
                           form=form, errors=errors)


@bp.get("/organizations/<int:organization_id>")
@admin_only
def organization(organization_id: int):
    return _unit_page(organization_id, None, MultiDict(), {})


@bp.post("/organizations/<int:organization_id>")
@admin_only
def edit_unit(organization_id: int):
    session = get_session()

    def edit():
        f = FormReader(request.form)
        name, code = f.text("name", required=True, max_length=128), f.text("jurisdiction_code", required=True)
        kind = f.choice("kind", OrganizationKind, required=True)
        f.check()
        return edit_organization(session, current_user, organization_id, name=name, kind=kind, jurisdiction_code=code)

    return submit(session, edit, done=lambda unit: _("Organization %(name)s saved.", name=unit.name),
                  then=url_for("admin.organization", organization_id=organization_id),
                  again=lambda errors: _unit_page(organization_id, "edit", request.form, errors))


@bp.post("/organizations/<int:organization_id>/active")
@admin_only
def unit_active(organization_id: int):
    session = get_session()
    active = request.form.get("active") == "1"
    return submit(
        session, lambda: set_organization_active(session, current_user, organization_id, active),
        done=lambda unit: (_("%(name)s is in use again.", name=unit.name) if active else
                           _("%(name)s is deactivated: it is offered for no new hazard or person; the hazards "
                             "naming it keep it.", name=unit.name)),
        then=url_for("admin.organization", organization_id=organization_id),
        again=lambda errors: _unit_page(organization_id, None, MultiDict(), errors))


@bp.post("/organizations/<int:organization_id>/merge")
@admin_only
def merge(organization_id: int):
    session = get_session()

    def merge_now():
        f = FormReader(request.form)
        target_id = f.integer("target_id", minimum=1)
        f.check()
        return merge_organizations(session, current_user, organization_id, target_id)

    return submit(session, merge_now,
                  done=lambda target: _("Merged into %(name)s: its hazards and people now name %(name)s.",
                                        name=target.name),
                  then=url_for("admin.organization", organization_id=organization_id),
                  again=lambda errors: _unit_page(organization_id, "merge", request.form, errors))


def _unit_page(organization_id: int, which: str | None, form, errors: dict) -> str:
    session = get_session()
    unit = managed_organization(session, current_user, organization_id)
    named_by = session.scalar(select(func.count(Hazard.id)).where(
        or_(*(getattr(Hazard, f) == unit.id for f in UNIT_FIELDS)))) or 0
    members = session.scalar(select(func.count(User.id)).where(User.organization_id == unit.id)) or 0
    history = session.scalars(select(AdminChange).where(AdminChange.record_type == "organization",
                                                        AdminChange.record_id == unit.id)
                              .order_by(AdminChange.changed_at.desc(), AdminChange.id.desc()).limit(20)).all()
    return render_template("admin/organization.html", unit=unit, which=which, form=form, errors=errors,
                           kinds=list(OrganizationKind),
                           jurisdictions=divisions(session, current_user, keep=unit.jurisdiction_code),
                           targets=merge_targets(session, current_user, unit) if unit.active else [],
                           named_by=named_by, members=members, history=history)
