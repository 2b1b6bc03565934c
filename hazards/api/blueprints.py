"""What every API blueprint shares: authentication before each view, problem details for errors,
and a rollback of the request's unit of work when a use case refuses."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

from hazards import permissions
from hazards.api.auth import authenticate
from hazards.api.problems import (
    ApiProblem,
    from_api_problem,
    from_service_error,
    from_unexpected,
    register_blueprint_handlers,
)
from hazards.domain.errors import N_, ServiceError
from hazards.services.access import simultaneous_change


class RowIdConverter(IntegerConverter):
    """`<id:name>`: a row id. Beyond PostgreSQL's integer (2**31-1) it becomes 0, an id no row has, so
    the view answers 404; refusing it in the converter would make werkzeug answer 405 for some methods."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if 0 < number < 2**31 else 0


def api_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint whose views all need a caller, except those declared `permissions.public`."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)

    @bp.before_request
    def _authenticate():
        _refuse_nul_characters()
        decision = permissions.decision_for(current_app, request.endpoint) if request.endpoint else None
        authenticate(required=decision is None or decision.kind != "public")

    register_blueprint_handlers(bp)
    # Registered after the generic ones, so these replace them: roll back, then describe.
    bp.register_error_handler(ServiceError, _refused_by_service)
    bp.register_error_handler(ApiProblem, _refused_by_adapter)
    bp.register_error_handler(StaleDataError, _refused_by_database)
    bp.register_error_handler(IntegrityError, _refused_by_database)
    return bp


def _refused_by_service(exc: ServiceError):
    _rollback()
    return from_service_error(exc)


def _refused_by_adapter(exc: ApiProblem):
    _rollback()
    return from_api_problem(exc)


def _refused_by_database(exc: Exception):
    """A save that met another one at the same moment is a 409 like a stale version; the rollback comes
    first, since the failed flush leaves the session unusable until then."""
    _rollback()
    conflict = simultaneous_change(exc)
    return from_service_error(conflict) if conflict is not None else from_unexpected(exc)


def _refuse_nul_characters() -> None:
    """NUL cannot be stored or compared in PostgreSQL text; refuse it up front as a client error."""
    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        raise ApiProblem(400, N_("The URL contains a NUL character."))


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()
