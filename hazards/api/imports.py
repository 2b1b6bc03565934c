"""POST /api/v1/import: a ledger file (CSV, XLSX, GeoJSON) checked row by row, then written, or not.

The upload is copied to a temporary folder under its own name (the importer tells the format by the
extension and names the file in its messages) and handed to `hazards.io.importer.import_hazards`,
the CLI's importer, limited to the caller's jurisdiction subtree. The request body is bounded by
MAX_CONTENT_LENGTH (413 from Flask) and the file by IMPORT_MAX_BYTES (413 here).
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from flask import current_app, jsonify, request

from hazards import permissions
from hazards.api.auth import api_user
from hazards.api.blueprints import api_blueprint
from hazards.api.problems import ApiProblem, request_language
from hazards.db import get_session
from hazards.domain.errors import N_, Forbidden, InvalidInput
from hazards.i18n import translate_message
from hazards.io.importer import ImportReport, RowError, import_hazards
from hazards.io.readers import DEFAULT_MAX_BYTES

bp = api_blueprint("api_import", __name__, "/api/v1")

_FLAGS = {"true": True, "1": True, "false": False, "0": False}
#: Row errors listed in a response; `error_count` always gives the full number.
MAX_LISTED_ERRORS = 1000
_COPY_CHUNK = 1 << 20
_MAX_NAME = 120


@bp.post("/import")
@permissions.checked_inside
def import_ledger():
    """multipart/form-data: `file`, `dry_run` and `skip_invalid` (true|false, default false).

    200 for a dry run (with what would be refused), 201 when hazards were written, 422 (a problem
    that still lists the row errors) when the file or its rows stop the import: nothing is written.
    """
    if request.mimetype != "multipart/form-data":
        raise ApiProblem(415, N_("Send the file as multipart/form-data with a 'file' part."))
    user = api_user()
    if not permissions.can_import_into(user, user.jurisdiction_code):
        raise Forbidden(N_("You may not import hazards."))
    errors: dict[str, str] = {}
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors["file"] = "required: a .csv, .xlsx or .geojson ledger file"
    elif "\x00" in upload.filename:
        errors["file"] = "the file name contains a NUL character"
    flags = {}
    for name in ("dry_run", "skip_invalid"):
        raw = (request.form.get(name) or "false").strip().lower()
        if raw not in _FLAGS:
            errors[name] = "must be true or false"
        flags[name] = _FLAGS.get(raw, False)
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)

    limit = int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)
    session = get_session()
    with tempfile.TemporaryDirectory(prefix="hazards-import-") as folder:
        path = Path(folder) / _local_name(upload.filename)
        _save(upload.stream, path, limit)
        report = import_hazards(session, path, dry_run=flags["dry_run"], skip_invalid=flags["skip_invalid"],
                                actor=user, max_bytes=limit, source_name=path.name)
    body = _report_json(report, upload.filename)
    if report.dry_run:
        session.rollback()  # nothing was written; leave nothing half-open either
        return jsonify(body)
    if report.blocked:
        file_errors = [_text(e) for e in report.errors if e.row is None]
        if file_errors:
            detail = translate_message(N_("nothing was imported: %(reason)s"), {"reason": file_errors[0]},
                                       request_language())
        else:
            detail = translate_message(N_("nothing was imported: %(invalid)s of %(rows)s rows have errors (fix them, "
                                          "or send %(flag)s to import the valid rows)"),
                                       {"invalid": body["invalid_rows"], "rows": report.rows_read,
                                        "flag": "skip_invalid=true"}, request_language())
        raise ApiProblem(422, detail, code="import_refused",
                         **({"fields": {"file": file_errors[0]}} if file_errors else {}), **body)
    session.commit()
    return jsonify(body), 201


def _local_name(filename: str) -> str:
    """The upload's own base name, if it is a plain one; else 'upload' with its extension."""
    name = PurePosixPath(filename.replace("\\", "/")).name.strip()
    suffix = PurePosixPath(name).suffix.lower()
    if len(suffix) > 10 or not suffix[1:].isalnum():
        suffix = ""
    plain = name not in ("", ".", "..") and not name.startswith(".") and name.isprintable()
    if not plain or len(name.encode("utf-8")) > _MAX_NAME:
        return "upload" + suffix
    return name


def _save(stream, path: Path, limit: int) -> None:
    size = 0
    with open(path, "wb") as out:
        while chunk := stream.read(_COPY_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ApiProblem(413, N_("The file is larger than the import limit of %(limit)s bytes."), params={"limit": limit},
                                 code="file_too_large")
            out.write(chunk)


def _report_json(report: ImportReport, filename: str) -> dict:
    return {
        "file": PurePosixPath(filename.replace("\\", "/")).name,
        "format": report.format,
        "dry_run": report.dry_run,
        "skip_invalid": report.skip_invalid,
        "blocked": report.blocked,
        "rows_read": report.rows_read,
        "valid_rows": report.valid_rows,
        "invalid_rows": report.rows_read - report.valid_rows,
        "created_count": len(report.created),
        "created": report.created,
        "warnings": report.warnings,
        "error_count": len(report.errors),
        "errors": [_row_error(e) for e in report.errors[:MAX_LISTED_ERRORS]],
    }


def _row_error(error: RowError) -> dict:
    return {"row": error.row, "column": error.column, "column_label": error.column_label,
            "value": None if error.value is None else str(error.value), "message": _text(error)}


def _text(error: RowError) -> str:
    """A row error in the caller's language (Accept-Language, or their own setting), as problems are."""
    return translate_message(error.template, error.params, request_language())
