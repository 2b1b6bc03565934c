"""HTTP adapters: blueprints parse the request, call one service or query, render the result."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def register_blueprints(app: Flask) -> None:
    from hazards import i18n
    from hazards.web import (
        admin,
        admin_places,
        auth,
        crash_places,
        crashes,
        errors,
        filters,
        hazard_actions,
        hazard_pages,
        inbox,
        map_page,
        maps,
        pages,
        reporting,
        reports,
        security_headers,
        todo,
        unavailable,
    )

    i18n.init_app(app)
    csrf.init_app(app)
    auth.login_manager.init_app(app)
    for blueprint in (auth.bp, pages.bp, hazard_pages.bp, reporting.bp, hazard_actions.bp, admin.bp, admin_places.bp, maps.bp,
                      map_page.bp, inbox.bp, reports.bp, todo.bp, crashes.bp, crash_places.bp):
        app.register_blueprint(blueprint)
    filters.register(app)
    errors.register(app)
    unavailable.register(app)
    inbox.register(app)
    todo.register(app)
    security_headers.init_app(app)
