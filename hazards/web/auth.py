"""Logging in and out, and changing one's own password.

Failed attempts are counted (hazards.services.login_throttle) to slow guessing. The session cookie
carries the user's session version (`User.get_id`); the loader accepts a cookie only while it matches,
so logging out or a new password ends that cookie and every copy of it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from hazards import permissions
from hazards.db import get_session
from hazards.domain.passwords import MIN_LENGTH
from hazards.i18n import error_text
from hazards.models import User
from hazards.services import login_throttle, users

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def _load_user(session_id: str):
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None  # a cookie from before session versions ("id" alone): signed out
    user = get_session().get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def _claim_attempt(login: str, address: str) -> bool:
    config = current_app.config
    return login_throttle.claim_attempt(get_session(), login, address,
                                        window_minutes=config["LOGIN_WINDOW_MINUTES"],
                                        max_failures=config["LOGIN_MAX_FAILURES"],
                                        max_failures_per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"])


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
    allowed = _claim_attempt(login_name, address)
    db.commit()  # counted before the password is checked, so attempts sent at once cannot all slip through
    if not allowed:
        flash(_("Too many failed attempts. Please wait a few minutes and try again."), "error")
        return render_template("auth/login.html", login=login_name), 429
    user = users.authenticate(db, login_name, request.form.get("password", ""))
    if user is None:  # the claim stays, as this failure
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
    db = get_session()
    current_user._get_current_object().end_sessions()
    db.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
@permissions.own_records
def change_password():
    if request.method == "GET":
        return render_template("auth/password.html", min_length=MIN_LENGTH)
    db = get_session()
    user = current_user._get_current_object()
    try:
        users.change_own_password(db, user, current=request.form.get("current_password", ""),
                                  new=request.form.get("new_password", ""),
                                  repeated=request.form.get("repeat_password", ""))
    except users.UserError as exc:
        db.rollback()
        flash(error_text(exc), "error")
        return render_template("auth/password.html", min_length=MIN_LENGTH), 422
    db.commit()
    # Every other session of this user has just ended; this one goes on with the new version.
    login_user(user)
    flash(_("Your password has been changed. Anywhere else you were logged in, you now have to log in again."),
          "success")
    return redirect(url_for("auth.change_password"), code=303)


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
