"""One place that turns errors into pages: typed service errors keep their status; their message is
translated into the reader's language here (services only carry a template and its params)."""

from __future__ import annotations

import logging

from flask import Flask, abort, g, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from hazards.domain.errors import ServiceError
from hazards.i18n import error_text
from hazards.services.access import simultaneous_change
from hazards.web.unavailable import DATABASE_OUTAGES, standalone_page

log = logging.getLogger(__name__)

_TITLES = {
    400: lambda: _("The request could not be understood"),
    403: lambda: _("You may not do this"),
    404: lambda: _("Not found"),
    409: lambda: _("Someone else changed this first"),
    413: lambda: _("The file is too large"),
    422: lambda: _("Something is missing or wrong"),
    429: lambda: _("Too many attempts"),
    503: lambda: _("The service is unavailable just now"),
}


# Titles of errors whose status another error shares: a step refused is a 409 too, but nobody saved first.
_TITLES_BY_CODE = {
    "transition_not_allowed": lambda: _("This step cannot be taken now"),
}


def _page(status: int, message: str | None, details: dict | None = None, code: str | None = None):
    try:
        title = _TITLES_BY_CODE.get(code) or _TITLES.get(status, lambda: _("Something went wrong"))
        title = title()
        return render_template("errors/error.html", status=status, title=title, message=message,
                               details=details or {}), status
    except Exception as exc:  # the page needs the database (the signed-in user): say it without one
        log.exception("the error page for a %s could not be rendered", status)
        status = 503 if status == 503 or isinstance(exc, DATABASE_OUTAGES) else 500
        return standalone_page(status, retry_after=30 if status == 503 else None), status


def service_error_page(exc: ServiceError):
    """A typed service error as the app's page, its message in the reader's language."""
    details = dict(exc.details or {})
    record = request.view_args.get("hazard_id") if request.view_args else None
    if record and exc.status != 404:  # back to the hazard the refusal was about, not only to the start
        details.setdefault("record_url", url_for("hazard_pages.detail", hazard_id=record))
    return _page(exc.status, error_text(exc), details, exc.code)


def _refuse_nul_characters():
    """NUL cannot be stored or even compared in PostgreSQL text: a page asked with one in its address
    or form is a client's mistake (400), not a server error. The API refuses it in its own words."""
    if request.path.startswith(("/api/", "/ogc")):
        return
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400, description=_("The request contains a NUL character, which no field may hold."))


def register(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        return service_error_page(exc)

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    def _database_refusal(exc: Exception):
        # The failed flush leaves the session unusable until rolled back, and any page needs it (the
        # signed-in user, the menu): without this the error page itself fails on PendingRollbackError.
        session = g.get("db_session")
        if session is not None:
            session.rollback()
        conflict = simultaneous_change(exc)
        if conflict is None:
            raise exc  # not a race: Flask's 500 path, logged, with the app's own page
        record = request.view_args.get("hazard_id") if request.view_args else None
        details = {"record_url": url_for("hazard_pages.detail", hazard_id=record)} if record else None
        return _page(409, error_text(conflict), details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code and exc.code < 400:
            return exc
        # werkzeug's own descriptions are English: only one of ours (abort(400, description=_(...))) is shown.
        ours = exc.description if exc.description != type(exc).description else None
        if exc.code == 413 and ours is None:
            ours = _("The upload is larger than the server accepts.")
        return _page(exc.code or 500, ours if exc.code in (400, 413) else None)
