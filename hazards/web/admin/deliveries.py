"""Reminder deliveries to the people of the admin's subtree."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from hazards.db import get_session
from hazards.domain.enums import DeliveryState
from hazards.queries.deliveries import count_by_state, list_deliveries
from hazards.web.admin.common import admin_only, bp


@bp.get("/deliveries")
@admin_only
def deliveries():
    """Reminder digests to the people of the admin's subtree: undeliverable ones first."""
    session = get_session()
    state = next((s for s in DeliveryState if s.value == request.args.get("state")), None)
    rows = list_deliveries(session, current_user, state)
    return render_template("admin/deliveries.html", rows=rows, counts=count_by_state(session, current_user),
                           state=state)
