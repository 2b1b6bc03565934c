"""The start page and the supervisor's dashboard."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from hazards import clock, permissions
from hazards.db import get_session
from hazards.domain.enums import Role
from hazards.queries.dashboard import build_dashboard, completion_trends

bp = Blueprint("pages", __name__)


@bp.get("/")
@login_required
@permissions.own_records
def home():
    if current_user.role is Role.INSPECTOR:
        return redirect(url_for("hazard_pages.mine"))
    return redirect(url_for("pages.dashboard"))


@bp.get("/dashboard")
@login_required
@permissions.checked_inside
def dashboard():
    today = clock.today()
    session = get_session()
    board = build_dashboard(session, current_user, today,
                            min_rank=int(current_app.config.get("REPORT_MIN_RANK", 5)))
    return render_template("dashboard.html", board=board, today=today, trends=completion_trends(session, current_user))
