"""Errors of the API as RFC 9457 problem details (application/problem+json), never HTML or a traceback.

Services raise typed `ServiceError`s that carry their status; HTTP errors (bad JSON, unknown URL,
wrong method, too large an upload) arrive as werkzeug exceptions; anything else is a 500 whose
detail says nothing about the code. All three become the same JSON shape:

    {"type": "urn:hazards:problem:conflict", "title": "Conflict", "status": 409,
     "detail": "...", "code": "conflict", ...details}

where the service error's details (`fields`, `missing`, `changes`, `version`, ...) are extra members.
`title` and `detail` are written in the request's language (Accept-Language: zh or en, else the
user's setting); `type`, `code` and the `fields` codes stay English, for programs. The adapter's own
problems (`ApiProblem`) carry an `N_` template and its params, like the services' errors.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from hazards.domain.errors import N_, ServiceError
from hazards.i18n import LANGUAGES, current_language, error_text, translate_message

PROBLEM_MEDIA_TYPE = "application/problem+json"
# The URL prefixes whose errors are problem documents rather than HTML pages.
API_PREFIXES = ("/api/v1", "/ogc")

log = logging.getLogger(__name__)


class ApiProblem(Exception):
    """An error raised by the HTTP adapter itself (bad query parameter, missing token): `detail` is a
    template marked with `N_`, `params` fill it in the reader's language."""

    def __init__(self, status: int, detail: str, *, code: str | None = None, headers: dict | None = None,
                 params: dict | None = None, **details):
        super().__init__(detail % params if params else detail)
        self.status, self.detail, self.params, self.details = status, detail, params, details
        self.code = code or _default_code(status)
        self.headers = headers or {}


def bad_request(detail: str, params: dict | None = None, **fields: str) -> ApiProblem:
    """A 400 naming the query parameters that are wrong."""
    if fields:
        return ApiProblem(400, detail, code="invalid_parameter", params=params, fields=fields)
    return ApiProblem(400, detail, params=params)


def translated(template: str, params: dict | None = None) -> str:
    """A template of the API's own in the language the request asks for."""
    return translate_message(template, params, request_language())


# A detail named like a member of the problem itself is renamed (a transition's refusal carries the
# hazard's `status`, which must not replace the HTTP status).
_RENAMED = {"status": "current_status", "type": "detail_type", "title": "detail_title", "detail": "detail_text",
            "code": "detail_code"}


def problem(status: int, detail: str, *, code: str | None = None, headers: dict | None = None,
            details: dict | None = None, language: str | None = None) -> Response:
    """The problem response itself; its title in `language`, by default the request's (which may need
    the signed-in user, so an answer made without the database names its language)."""
    code = code or _default_code(status)
    title = translate_message(_title(status), None, language or request_language())
    body = {"type": f"urn:hazards:problem:{code}", "title": title, "status": status, "detail": detail,
            "code": code}
    body.update({_RENAMED.get(k, k): v for k, v in (details or {}).items()})
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def from_service_error(exc: ServiceError) -> Response:
    retry_after = getattr(exc, "retry_after", None)  # a service that is down says when to ask again
    return problem(exc.status, error_text(exc, request_language()), code=exc.code, details=exc.details,
                   headers={"Retry-After": str(retry_after)} if retry_after else None)


def request_language() -> str:
    """The language the client asked for in Accept-Language; without one, the user's own setting."""
    if request.accept_languages:
        chosen = request.accept_languages.best_match(LANGUAGES)
        if chosen:
            return chosen
    return current_language()


def from_api_problem(exc: ApiProblem) -> Response:
    return problem(exc.status, translated(exc.detail, exc.params), code=exc.code, headers=exc.headers,
                   details=exc.details)


def from_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    # werkzeug's own descriptions are English; ours (abort(400, description=_(...))) are translated.
    described = exc.description and exc.description != type(exc).description
    return problem(status, exc.description if described else translated(_DETAILS.get(status, _title(status))),
                   headers=headers)


def from_unexpected(exc: Exception) -> Response:
    log.exception("unhandled error in the API", exc_info=exc)
    return problem(500, translated(N_("The server met an unexpected error; it has been logged.")))


def is_api_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def register_blueprint_handlers(blueprint) -> None:
    """Errors raised inside the API's views (werkzeug passes 500s through the HTTPException handler)."""
    blueprint.register_error_handler(ServiceError, from_service_error)
    blueprint.register_error_handler(ApiProblem, from_api_problem)
    blueprint.register_error_handler(HTTPException, _http_or_unexpected)


def install_app_handlers(app: Flask) -> None:
    """Errors raised before any view is chosen (unknown URL, wrong method) carry no blueprint, so the
    app-wide handler decides: problem JSON under the API prefixes, the web UI's page elsewhere.

    Must run after the web UI registered its own HTTPException handler, which it wraps.
    """
    handlers = app.error_handler_spec.setdefault(None, {}).setdefault(None, {})
    previous = handlers.get(HTTPException)

    def handle(exc: HTTPException):
        if is_api_path(request.path):
            return _http_or_unexpected(exc)
        return previous(exc) if previous is not None else exc

    app.register_error_handler(HTTPException, handle)


def _http_or_unexpected(exc: HTTPException) -> Response:
    original = getattr(exc, "original_exception", None)
    if original is not None and not isinstance(original, HTTPException):
        return from_unexpected(original)
    return from_http_exception(exc)


# The HTTP reason phrases as titles people read (the English msgid is the phrase itself).
_TITLES = {
    400: N_("Bad Request"), 401: N_("Unauthorized"), 403: N_("Forbidden"), 404: N_("Not Found"),
    405: N_("Method Not Allowed"), 406: N_("Not Acceptable"), 409: N_("Conflict"), 413: N_("Content Too Large"),
    415: N_("Unsupported Media Type"), 422: N_("Unprocessable Content"), 429: N_("Too Many Requests"),
    500: N_("Internal Server Error"), 503: N_("Service Unavailable"),
}
# What an HTTP error raised without a description of ours says.
_DETAILS = {
    400: N_("The request could not be understood."),
    401: N_("Log in first, or send a personal API token (Authorization: Bearer ...)."),
    403: N_("You may not do this."),
    404: N_("There is nothing at this address."),
    405: N_("This address does not take this method."),
    413: N_("The upload is larger than the server accepts."),
    500: N_("The server met an unexpected error; it has been logged."),
}


def _title(status: int) -> str:
    if status in _TITLES:
        return _TITLES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _default_code(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return phrase.lower().replace(" ", "_").replace("-", "_").replace("'", "")
