"""Typed errors the services raise; each carries its HTTP status, and one handler maps them."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(ServiceError):
    """Also what someone outside a hazard's jurisdiction gets: its existence is not disclosed."""

    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """Someone else saved first; `details['changes']` lists what they changed."""

    status = 409
    code = "conflict"


class TransitionNotAllowed(ServiceError):
    status = 409
    code = "transition_not_allowed"


class RequirementsMissing(ServiceError):
    """The action needs things not known yet; `details['missing']` names them (requirement codes)."""

    status = 422
    code = "requirements_missing"


class InvalidInput(ServiceError):
    """Field errors: `details['fields']` maps a field name to its message."""

    status = 422
    code = "invalid_input"
