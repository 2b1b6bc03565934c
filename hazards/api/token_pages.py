"""/profile/tokens: a person creates and revokes their own API tokens (a session page, CSRF-protected)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hazards import permissions
from hazards.db import get_session
from hazards.domain.errors import InvalidInput
from hazards.i18n import error_text
from hazards.services import tokens

bp = Blueprint("api_tokens", __name__)


@bp.get("/profile/tokens")
@login_required
@permissions.own_records
def index():
    return render_template("api/tokens.html", tokens=tokens.list_tokens(get_session(), current_user), secret=None)


@bp.post("/profile/tokens")
@login_required
@permissions.own_records
def create():
    session = get_session()
    try:
        token, secret = tokens.issue_token(session, current_user, request.form.get("name", ""))
    except InvalidInput as exc:
        session.rollback()
        flash(_("Give the token a name saying what it is for."), "error")
        return render_template("api/tokens.html", tokens=tokens.list_tokens(session, current_user),
                               secret=None, error=error_text(exc)), 422
    session.commit()
    # Shown on this response only: the page is not cached and the secret is never stored.
    response = render_template("api/tokens.html", tokens=tokens.list_tokens(session, current_user),
                               secret=secret, created=token)
    return response, 201, {"Cache-Control": "no-store"}


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
@permissions.own_records
def revoke(token_id: int):
    session = get_session()
    tokens.revoke_token(session, current_user, token_id)
    session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("api_tokens.index"), code=303)
