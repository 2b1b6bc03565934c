"""What a client gets while something the app relies on is down: 503 with Retry-After, never a bare 500.

- The database unreachable (connection refused or lost, pool exhausted, SQLite busy past its
  timeout): pages get a static page that needs nothing (no database, no template, no user; bilingual,
  Chinese first); the API and JSON requests get a 503 problem. Nothing is cached about the outage:
  the next request tries the database again (`pool_pre_ping` drops dead connections), so the app
  recovers by itself when the database returns.
- A service error that says something is unavailable (`Unavailable`: the job queue is down) is the
  app's own translated error page, or a 503 problem for JSON requests.
- When rendering the normal error page fails (it needs the database for the signed-in user), the
  static page stands in, with the same status (`standalone_page`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from string import Template

from flask import Flask, Response, current_app, request
from markupsafe import escape
from sqlalchemy import exc as sa_exc

from hazards.api.problems import from_service_error, is_api_path, problem
from hazards.domain.errors import N_, Unavailable
from hazards.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate_message
from hazards.web.security_headers import secure_response

log = logging.getLogger(__name__)

#: Errors that say the database cannot be reached or cannot take the request now, as opposed to a
#: wrong statement or a broken constraint (those stay 500 / 4xx).
DATABASE_OUTAGES = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                    sa_exc.TimeoutError)

_TEXTS = {
    500: ("出现错误", "服务器遇到意外错误，已记录。请稍后再试。",
          "Something went wrong", "The server met an unexpected error; it has been logged. Please try again later."),
    503: ("服务暂时不可用", "暂时无法连接台账数据库，您的操作未被执行。请稍后刷新本页。",
          "Service temporarily unavailable",
          "The ledger's database cannot be reached just now; nothing was done. Please reload this page in a minute."),
}


class DatabaseUnavailable(Unavailable):
    code = "database_unavailable"

    def __init__(self):
        super().__init__(N_("The ledger's database cannot be reached just now; nothing was done. "
                            "Please try again in a minute."))


_TEMPLATE_KEY = "hazards.standalone_page"


def standalone_page(status: int, *, retry_after: int | None = None) -> Response:
    """The static error page: no database, no session, no Jinja, served with the app's headers."""
    title_zh, text_zh, title_en, text_en = _TEXTS.get(status, _TEXTS[500])
    body = current_app.extensions[_TEMPLATE_KEY].substitute(status=status, title_zh=escape(title_zh), text_zh=escape(text_zh),
                                       title_en=escape(title_en), text_en=escape(text_en))
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return secure_response(response)


def _wants_problem() -> bool:
    return is_api_path(request.path) or request.is_json or request.accept_mimetypes.best == "application/json"


def _database_down(exc: Exception) -> Response:
    log.warning("database unreachable while answering %s %s: %s", request.method, request.path,
                exc.__class__.__name__)
    outage = DatabaseUnavailable()
    if not _wants_problem():
        return standalone_page(503, retry_after=outage.retry_after)
    # The language from Accept-Language alone: the user's own setting would need the database.
    language = request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE
    return problem(503, translate_message(outage.template, language=language), code=outage.code,
                   headers={"Retry-After": str(outage.retry_after)}, language=language)


def _unavailable(exc: Unavailable):
    """A service that is down (the job queue) on a web route: the app's page, or a problem for JSON."""
    if _wants_problem():
        return from_service_error(exc)
    from hazards.web.errors import service_error_page

    body, status = service_error_page(exc)
    return body, status, {"Retry-After": str(exc.retry_after)}


def register(app: Flask) -> None:
    # Read now, while everything works: the page is for when things do not.
    page = Path(app.template_folder) / "errors" / "standalone.html"
    app.extensions[_TEMPLATE_KEY] = Template(page.read_text(encoding="utf-8"))
    for outage in DATABASE_OUTAGES:
        app.register_error_handler(outage, _database_down)
    app.register_error_handler(Unavailable, _unavailable)
