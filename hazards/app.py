"""The application factory."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from flask import Flask
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from hazards import clock, config, db, storage
from hazards.models import Base

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        "hazards",
        instance_path=str(config.instance_path_from(overrides)),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    config.load_config(app, overrides)
    clock.init_app(app)
    _trust_proxies(app, int(app.config["PROXY_COUNT"]))
    db.init_app(app)
    storage.init_app(app)
    # Flask-Migrate only needs the metadata; migrations/env.py takes the engine from hazards.db.
    Migrate(app, SimpleNamespace(metadata=Base.metadata), directory=str(PROJECT_ROOT / "migrations"))

    from hazards import cli, permissions
    from hazards.api import register_api
    from hazards.api.blueprints import RowIdConverter
    from hazards.web import register_blueprints
    from tasks.celery_app import make_celery

    cli.register(app)
    # Before any rule is added: an id past the database's integer range is "no such row" (404), not an
    # overflow inside the driver (500). The API's `<id:...>` is the same converter.
    app.url_map.converters["int"] = RowIdConverter
    register_blueprints(app)
    register_api(app)
    permissions.init_app(app)  # after every route exists: it declares Flask's own and audits the rest
    make_celery(app)
    return app


def _trust_proxies(app: Flask, count: int) -> None:
    """Behind `count` reverse proxies, take the client's address, scheme and host from the headers they
    set (the login limits count per client address, and links and secure cookies need the scheme)."""
    if count < 0:
        raise ValueError("HAZARDS_PROXY_COUNT must be 0 or more")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
