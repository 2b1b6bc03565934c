"""Typed errors the services raise; each carries its HTTP status, and one handler maps them.

An error never carries a finished sentence: it carries a stable English `code` for programs, a
message template marked with `N_` (so `pybabel extract -k N_` collects it) and the named `params`
the template needs. The adapters translate: `hazards.i18n.error_text` renders it in the reader's
language. `str(exc)` and `exc.message` give the English rendering, for logs and the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum


def N_(template: str) -> str:
    """Mark a message template for translation without translating it here (the domain has no locale)."""
    return template


def render_english(template: str, params: Mapping | None = None) -> str:
    """The template with its params filled in, untranslated; enum members show their value."""
    if not params:
        return template
    return template % {name: _english(value) for name, value in params.items()}


def _english(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        # A list of whole sentences (field problems) is separated more strongly than a list of words.
        separator = "; " if any(hasattr(v, "template") for v in value) else ", "
        return separator.join(str(_english(v)) for v in value)
    return value


class TranslatableValueError(ValueError):
    """A pure rule's refusal (money, division codes, the transition table) as template + params."""

    def __init__(self, template: str, params: Mapping | None = None):
        self.template = template
        self.params = dict(params or {})
        super().__init__(render_english(template, self.params))


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, template: str, /, params: Mapping | None = None, **details):
        self.template = template
        self.params = dict(params or {})
        self.details = details
        super().__init__(render_english(template, self.params))

    @property
    def message(self) -> str:
        """The English rendering (logs, CLI); people see `hazards.i18n.error_text(exc)`."""
        return render_english(self.template, self.params)


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
    """Field errors: `details['fields']` maps a field name to a short English code ("required", "past").

    Readers of forms and JSON bodies also pass `field_messages`: field name -> (template, params), so
    each field's problem can be shown translated beside the field.
    """

    status = 422
    code = "invalid_input"

    def __init__(self, template: str, /, params: Mapping | None = None, *,
                 field_messages: Mapping[str, tuple[str, Mapping]] | None = None, **details):
        super().__init__(template, params, **details)
        self.field_messages = dict(field_messages or {})


class UnconfirmedAmount(InvalidInput):
    """A funding line above the plausibility limit: recorded only once the person confirms it
    (the page's checkbox, the API's `confirm_large`), since a unit slip looks exactly like this."""

    code = "amount_needs_confirmation"


class Unavailable(ServiceError):
    """Something the app relies on (the job queue, the database) cannot be reached just now: nothing
    was done, and the client may ask again after `retry_after` seconds (the Retry-After header)."""

    status = 503
    code = "service_unavailable"
    retry_after = 30
