"""GET /api/v1/reports: the completion report (隐患治理完成情况报表) as JSON, or as the web's files.

The same parameters, checks and visibility as the web download (hazards.reports.request), and the
same JSON as its format=json (hazards.reports.formats.to_json, keys in docs/reports.md). A file
(CSV, XLSX, PDF or Word) is asked for with `format` or, without it, with the Accept header; its text
is in `lang`, else in the language of Accept-Language.
"""

from __future__ import annotations

import io

from flask import current_app, jsonify, request, send_file

from hazards import clock, permissions
from hazards.api.auth import api_user
from hazards.api.blueprints import api_blueprint
from hazards.api.paging import reject_unknown
from hazards.api.problems import bad_request, request_language
from hazards.db import get_session
from hazards.reports.formats import MAP_FORMATS, MIMETYPES, download_name, export, to_json
from hazards.reports.request import PARAMS, read_report_request

bp = api_blueprint("api_reports", __name__, "/api/v1")
#: What the API serves, JSON first (the default, and what Accept: */* gets).
FORMATS = ("json", "csv", "xlsx", "pdf", "docx")
MEDIA_TYPES = {fmt: MIMETYPES[fmt].split(";")[0] for fmt in FORMATS}
LANGS = ("zh", "en")


def _format() -> str:
    fmt = request.args.get("format")
    if fmt is None:
        best = request.accept_mimetypes.best_match(list(MEDIA_TYPES.values()), default=MEDIA_TYPES["json"])
        return next(name for name, media in MEDIA_TYPES.items() if media == best)
    if fmt not in FORMATS:
        raise bad_request(f"format must be one of {', '.join(FORMATS)}", format=f"'{fmt}' is not one of them")
    return fmt


def _lang() -> str:
    lang = request.args.get("lang")
    if lang is None:
        return request_language()
    if lang not in LANGS:
        raise bad_request("lang must be zh or en", lang=f"'{lang}' is not zh or en")
    return lang


@bp.get("/reports")
@permissions.checked_inside
def get_report():
    """400 naming each wrong parameter; 404 for a division outside the caller's subtree."""
    reject_unknown(request.args, PARAMS | {"format", "lang"})
    fmt, lang = _format(), _lang()
    session = get_session()
    req = read_report_request(session, request.args, api_user(),
                              default_min_rank=int(current_app.config.get("REPORT_MIN_RANK", 5)))
    report = req.build(session, today=clock.today(), with_map=fmt in MAP_FORMATS)
    if fmt == "json":
        return jsonify(to_json(report))
    return send_file(io.BytesIO(export(report, fmt, lang)), mimetype=MIMETYPES[fmt], as_attachment=True,
                     download_name=download_name(report, fmt))
