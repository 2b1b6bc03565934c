"""HTTP adapters: blueprints parse the request, call one service or query, render the result."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from hazards.web import filters, ledger

    app.register_blueprint(ledger.bp)
    filters.register(app)
