"""People of the admin's subtree: the list with its add form, and each person's page (details; role,
division and organization; password; disable or enable)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from hazards.db import get_session
from hazards.domain.enums import Role
from hazards.domain.passwords import MIN_LENGTH
from hazards.models import AdminChange
from hazards.queries.admin import divisions, people, units_for_people
from hazards.services.admin.accounts import (
    add_user,
    change_access,
    edit_user,
    reset_user_password,
    set_user_active,
)
from hazards.services.admin.scope import managed_user
from hazards.web.admin.common import admin_only, bp, submit
from hazards.web.forms import FormReader


@bp.route("/users", methods=["GET", "POST"])
@admin_only
def users():
    session = get_session()
    if request.method == "GET":
        return _list_page(MultiDict(), {})

    def add():
        f = FormReader(request.form)
        organization_id = _organization_id(f)
        f.check()
        return add_user(session, current_user, login=request.form.get("login", ""),
                        password=request.form.get("password", ""), role=request.form.get("role", ""),
                        jurisdiction_code=(request.form.get("jurisdiction_code") or "").strip(),
                        name=request.form.get("name"), email=request.form.get("email"),
                        phone=request.form.get("phone"), language=request.form.get("language") or "zh",
                        organization_id=organization_id)

    return submit(session, add, done=lambda user: _("User %(login)s created.", login=user.login),
                  then=url_for("admin.users"), again=lambda errors: _list_page(request.form, errors))


def _list_page(form, errors: dict) -> str:
    session = get_session()
    return render_template("admin/users.html", users=people(session, current_user),
                           jurisdictions=divisions(session, current_user), roles=list(Role),
                           units=units_for_people(session, current_user), min_length=MIN_LENGTH,
                           form=_without_password(form), errors=errors)


@bp.get("/users/<int:user_id>")
@admin_only
def user(user_id: int):
    return _user_page(user_id, None, MultiDict(), {})


@bp.post("/users/<int:user_id>")
@admin_only
def edit(user_id: int):
    session = get_session()
    return submit(
        session,
        lambda: edit_user(session, current_user, user_id, name=request.form.get("name"),
                          email=request.form.get("email"), phone=request.form.get("phone"),
                          language=request.form.get("language")),
        done=lambda user: _("The details of %(login)s are saved.", login=user.login),
        then=url_for("admin.user", user_id=user_id),
        again=lambda errors: _user_page(user_id, "details", request.form, errors))


@bp.post("/users/<int:user_id>/access")
@admin_only
def access(user_id: int):
    session = get_session()

    def change():
        f = FormReader(request.form)
        organization_id = _organization_id(f)
        f.check()
        return change_access(session, current_user, user_id, role=request.form.get("role", ""),
                             jurisdiction_code=(request.form.get("jurisdiction_code") or "").strip(),
                             organization_id=organization_id)

    return submit(session, change,
                  done=lambda user: _("The role, division and organization of %(login)s are saved.", login=user.login),
                  then=url_for("admin.user", user_id=user_id),
                  again=lambda errors: _user_page(user_id, "access", request.form, errors))


@bp.post("/users/<int:user_id>/password")
@admin_only
def reset_password(user_id: int):
    session = get_session()
    return submit(
        session, lambda: reset_user_password(session, current_user, user_id, request.form.get("password", "")),
        done=lambda user: _("The password of %(login)s has been reset; their sessions have ended.", login=user.login),
        then=url_for("admin.user", user_id=user_id),
        again=lambda errors: _user_page(user_id, "password", MultiDict(), errors))


@bp.post("/users/<int:user_id>/active")
@admin_only
def set_active(user_id: int):
    session = get_session()
    active = request.form.get("active") == "1"
    return submit(
        session, lambda: set_user_active(session, current_user, user_id, active),
        done=lambda user: (_("%(login)s can log in again.", login=user.login) if active else
                           _("%(login)s is disabled: they cannot log in, and their sessions have ended.",
                             login=user.login)),
        then=url_for("admin.user", user_id=user_id),
        again=lambda errors: _user_page(user_id, None, MultiDict(), errors))


def _user_page(user_id: int, which: str | None, form, errors: dict) -> str:
    """A person's page; after a refusal, the form `which` shows what was typed into it."""
    session = get_session()
    person = managed_user(session, current_user, user_id)
    history = session.scalars(select(AdminChange).where(AdminChange.record_type == "user",
                                                        AdminChange.record_id == person.id)
                              .order_by(AdminChange.changed_at.desc(), AdminChange.id.desc()).limit(20)).all()
    return render_template("admin/user.html", person=person, which=which, form=_without_password(form),
                           errors=errors, roles=list(Role),
                           jurisdictions=divisions(session, current_user, keep=person.jurisdiction_code),
                           units=units_for_people(session, current_user), min_length=MIN_LENGTH, history=history)


def _organization_id(f: FormReader) -> int | None:
    return f.integer("organization_id", minimum=1)


def _without_password(form) -> MultiDict:
    """What was typed, to fill the form again; never the password, which is typed anew."""
    kept = MultiDict(form)
    kept.pop("password", None)
    return kept
