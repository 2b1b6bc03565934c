"""GET /api/v1/reports: the completion report (隐患治理完成情况报表) as JSON.

The same parameters, checks and visibility as the web download (hazards.reports.request), and the
same JSON as its format=json (hazards.reports.formats.to_json, keys in docs/reports.md).
"""

from __future__ import annotations

from flask import current_app, jsonify, request

from hazards import clock, permissions
from hazards.api.auth import api_user
from hazards.api.blueprints import api_blueprint
from hazards.api.paging import reject_unknown
from hazards.db import get_session
from hazards.reports.formats import to_json
from hazards.reports.request import PARAMS, read_report_request

bp = api_blueprint("api_reports", __name__, "/api/v1")


@bp.get("/reports")
@permissions.checked_inside
def get_report():
    """400 naming each wrong parameter; 404 for a division outside the caller's subtree."""
    reject_unknown(request.args, PARAMS)
    session = get_session()
    req = read_report_request(session, request.args, api_user(),
                              default_min_rank=int(current_app.config.get("REPORT_MIN_RANK", 5)))
    return jsonify(to_json(req.build(session, today=clock.today(), with_map=False)))
