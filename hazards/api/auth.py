"""Who is calling the API: a personal token (`Authorization: Bearer hzt_...`) or the web session.

- A Bearer token wins over a session cookie, and a wrong or revoked one is a 401, never a fallback.
- The API blueprints are exempt from Flask-WTF's CSRF check because token calls carry no CSRF
  token. A browser adds cookies to cross-site requests but never an Authorization header, so
  writes that rely on the session cookie must still show the CSRF token (`X-CSRFToken` header).
- The same token also logs in through Flask-Login's request loader, so the routes outside these
  blueprints that take JSON or files (the map's GeoJSON, attachment downloads) accept it too.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from hazards.api.problems import ApiProblem
from hazards.domain.errors import N_
from hazards.db import get_session, writing
from hazards.models import User
from hazards.services import tokens

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="hazards"'}


def bearer_secret() -> str | None:
    """The token in the Authorization header; '' when the header is Bearer but empty; None without one."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def load_user_from_request(_request) -> User | None:
    """Flask-Login's request loader: consulted when no session user is logged in. An API request's
    token was checked by `authenticate` already (g.api_user): the same user, not a second lookup
    (two more statements, an eighth of a list page's time)."""
    if g.get("api_user") is not None:
        return g.api_user
    secret = bearer_secret()
    if not secret:
        return None
    return tokens.user_for_secret(get_session(), secret, touch=False)


def authenticate(*, required: bool = True) -> None:
    """before_request of the API blueprints: set `g.api_user`, or refuse with a 401 problem."""
    g.api_user = None
    secret = bearer_secret()
    if secret is not None:
        session = get_session()
        user, unrecorded = tokens.caller(session, secret)
        if user is not None and unrecorded:
            with writing(session):  # last_used_at; nothing else is pending this early in the request
                user = tokens.user_for_secret(session, secret)
        if user is None:
            raise ApiProblem(401, N_("The token is unknown, revoked, or its user is inactive."), code="invalid_token",
                             headers=_CHALLENGE)
        g.api_user = user
        return
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
            _check_session_csrf()
        g.api_user = current_user._get_current_object()
        return
    if required:
        raise ApiProblem(401, N_("Send a personal API token (Authorization: Bearer ...) or log in."),
                         code="unauthorized", headers=_CHALLENGE)


def api_user() -> User:
    """The caller of the current API request (authenticate() has run)."""
    user = g.get("api_user")
    if user is None:  # a view reached without authenticate(): a wiring mistake, not a client error
        raise ApiProblem(401, N_("Not logged in."), headers=_CHALLENGE)
    return user


def _check_session_csrf() -> None:
    from flask_wtf.csrf import validate_csrf
    from wtforms import ValidationError

    token = next((request.headers.get(h) for h in current_app.config.get("WTF_CSRF_HEADERS", ["X-CSRFToken"])
                  if request.headers.get(h)), None)
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise ApiProblem(403, N_("A change made with the session cookie needs the X-CSRFToken header "
                                 "(or use a personal API token)."), code="csrf_failed") from exc
