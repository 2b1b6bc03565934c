"""The to-do list page (待办) and the count in the page header; what is on it: `hazards.queries.todo`."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, render_template
from flask_login import current_user, login_required

from hazards import clock, permissions
from hazards.db import get_session
from hazards.queries.todo import Todo, todo_for

bp = Blueprint("todo", __name__)


def current_todo() -> Todo | None:
    """This user's to-do list, built once per request (the header and the page share it)."""
    if not current_user.is_authenticated:
        return None
    if "todo" not in g:
        g.todo = todo_for(get_session(), current_user, clock.today(),
                          int(current_app.config["LOOKBACK_AFTER_DAYS"]))
    return g.todo


def todo_count() -> int:
    """For the page header. Counting asks the permission module, but that is no check of the page's own:
    the flag by which a `checked_inside` view is held to its promise is left as the view left it."""
    consulted = g.get("permissions_consulted", False)
    todo = current_todo()
    g.permissions_consulted = consulted
    return todo.count if todo is not None else 0


def register(app: Flask) -> None:
    app.jinja_env.globals["todo_count"] = todo_count


@bp.get("/todo")
@login_required
@permissions.checked_inside
def index():
    return render_template("todo.html", todo=current_todo(),
                           lookback_days=int(current_app.config["LOOKBACK_AFTER_DAYS"]))
