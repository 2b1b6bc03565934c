"""Logging in and out. Failed attempts are counted (hazards.services.login_throttle) to slow guessing."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlalchemy import select

from hazards import permissions
from hazards.db import get_session
from hazards.models import User
from hazards.services import login_throttle

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def _load_user(user_id: str):
    user = get_session().get(User, int(user_id))
    return user if user is not None and user.active else None


def _too_many_failures(login: str, address: str) -> bool:
    return login_throttle.too_many_failures(get_session(), login, address,
                                            window_minutes=current_app.config["LOGIN_WINDOW_MINUTES"],
                                            max_failures=current_app.config["LOGIN_MAX_FAILURES"])


@bp.route("/login", methods=["GET", "POST"])
@permissions.public("the way in")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    if request.method == "GET":
        return render_template("auth/login.html")
    db = get_session()
    login_name = request.form.get("login", "").strip()
    address = request.remote_addr or "-"
    if _too_many_failures(login_name, address):
        flash(_("Too many failed attempts. Please wait a few minutes and try again."), "error")
        return render_template("auth/login.html", login=login_name), 429
    user = db.scalar(select(User).where(User.login == login_name))
    if user is None or not user.active or not user.check_password(request.form.get("password", "")):
        login_throttle.record_failure(db, login_name, address)
        db.commit()
        flash(_("Wrong login or password."), "error")
        return render_template("auth/login.html", login=login_name), 401
    login_throttle.forget_failures(db, login_name)
    db.commit()
    session.clear()
    login_user(user)
    target = request.args.get("next", "")
    # Only local paths: an open redirect would let a phishing link borrow our login page.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("pages.home")
    return redirect(target)


@bp.post("/logout")
@login_required
@permissions.own_records
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/language/<code>")
@permissions.public("the language of the pages, before or after logging in")
def set_language(code: str):
    from hazards.i18n import LANGUAGES

    if code in LANGUAGES:
        session["lang"] = code
        if current_user.is_authenticated:
            db = get_session()
            db.get(User, current_user.id).language = code
            db.commit()
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("pages.home"))
