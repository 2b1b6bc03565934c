"""The machine-facing side of the ledger: the REST API (/api/v1), OGC API – Features (/ogc), personal
API tokens, their OpenAPI document and its reference page (/api/docs). HTTP adapters only: every
change goes through hazards.services (or the importer and report builder the CLI uses too).
"""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Wire the API into an app. Call from create_app after `register_blueprints(app)`: it relies on
    the web UI's CSRF and login manager, and wraps its HTTP error handler."""
    from hazards.api import (crash_places, crashes, hazards, imports, inbox, map_data, ogc, openapi, reference,
                             reports, token_pages)
    from hazards.api.auth import load_user_from_request
    from hazards.api.blueprints import RowIdConverter
    from hazards.api.commands import create_token_command
    from hazards.api.problems import install_app_handlers
    from hazards.web import csrf
    from hazards.web.auth import login_manager

    app.url_map.converters["id"] = RowIdConverter  # before the rules that use it are added
    login_manager.request_loader(load_user_from_request)
    for blueprint in (hazards.bp, inbox.bp, reports.bp, imports.bp, ogc.bp, openapi.bp, crashes.bp, crash_places.bp):
        # Token and JSON only: a Bearer token is not sent by browsers on their own, and writes made
        # with the session cookie are checked for the CSRF header in hazards.api.auth.
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    app.register_blueprint(map_data.bp)  # the map page's data: session login, GET only
    app.register_blueprint(token_pages.bp)
    app.register_blueprint(reference.bp)
    install_app_handlers(app)
    app.cli.add_command(create_token_command)
