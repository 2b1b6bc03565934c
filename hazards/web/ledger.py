"""The ledger page: the hazards, newest first."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from hazards import queries
from hazards.db import get_session

bp = Blueprint("ledger", __name__)

PAGE_SIZE = 50


@bp.get("/")
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    session = get_session()
    rows = queries.list_hazards(session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = queries.count_hazards(session)
    return render_template(
        "hazards/list.html", hazards=rows, total=total, page=page, page_size=PAGE_SIZE, today=date.today()
    )
