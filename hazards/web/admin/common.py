"""The administration blueprint and the one way its forms are answered."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect
from sqlalchemy.orm import Session

from hazards import permissions
from hazards.domain.errors import InvalidInput, ServiceError
from hazards.i18n import error_text, field_texts

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Every administration view: an admin, or 403 (what they see is then limited by the services).
admin_only = permissions.requires(permissions.can_administer)


def submit(session: Session, change: Callable[[], object], *, done: Callable[[object], str], then: str,
           again: Callable[[dict], str]):
    """Run `change`. Done: commit, say `done(result)` and go to `then` (303). Refused for its input:
    roll back, and show the page again with what was typed and each field's problem (`again(errors)`, 422).
    Any other refusal (404 outside the admin's reach, 403) rolls back and becomes the app's error page."""
    try:
        result = change()
    except InvalidInput as exc:
        session.rollback()
        flash(error_text(exc), "error")
        return again(field_texts(exc)), 422
    except ServiceError:
        session.rollback()
        raise
    session.commit()
    flash(done(result), "success")
    return redirect(then, code=303)
