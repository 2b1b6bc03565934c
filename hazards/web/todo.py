"""The to-do list page (待办) and the count in the page header; what is on it: `hazards.queries.todo`."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, render_template
from flask_login import current_user, login_required

from hazards import clock, permissions
from hazards.db import get_session
from hazards.queries import todo as todo_query

bp = Blueprint("todo", __name__)


def _lookback_days() -> int:
    return int(current_app.config["LOOKBACK_AFTER_DAYS"])


def todo_count() -> int:
    """For the page header, on every page: counted by the database, no rows loaded. Counting asks the
    permission module, but that is no check of the page's own: the flag by which a `checked_inside` view
    is held to its promise is left as the view left it."""
    if not current_user.is_authenticated:
        return 0
    if "todo_count" not in g:
        consulted = g.get("permissions_consulted", False)
        g.todo_count = todo_query.todo_count(get_session(), current_user, clock.today(), _lookback_days())
        g.permissions_consulted = consulted
    return g.todo_count


def register(app: Flask) -> None:
    app.jinja_env.globals["todo_count"] = todo_count


@bp.get("/todo")
@login_required
@permissions.checked_inside
def index():
    todo = todo_query.todo_for(get_session(), current_user, clock.today(), _lookback_days())
    g.todo_count = todo.count  # the header says the same number the page does
    return render_template("todo.html", todo=todo, lookback_days=_lookback_days(),
                           shown_per_group=todo_query.SHOWN_PER_GROUP)
