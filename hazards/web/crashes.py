"""Crash records on the web: the list (`/crashes`) and the import of a crash export.

The import is checked first and written only on confirmation, like the admin's boundary and road
uploads: the check runs `import_crashes` as a dry run and shows every row error, the columns left
unread (personal data among them) and what would be written; the file then waits in the deployment's
file store (`staging/crashes/<token>/`), named in the user's signed session cookie so only they can
confirm it, and the confirmation runs the same import for real. A file waiting more than a day is
dropped at the next upload. Crashes already in the ledger are refused, skipped or updated from the file,
as the person chooses (the command's --skip-existing / --update-existing).
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hazards import permissions
from hazards.db import get_session
from hazards.i18n import translate_message
from hazards.io.crash_import import CrashImportReport, import_crashes
from hazards.queries import crash_list
from hazards.queries.divisions import list_jurisdictions
from hazards.storage import current_store

bp = Blueprint("crash_pages", __name__)
PAGE_SIZE = 50
MAX_LISTED_PROBLEMS = 200
STAGING = "staging/crashes/"
STAGED_FOR_S = 24 * 3600
_COOKIE_KEY = "crash_upload"
_CRS = ("wgs84", "gcj02", "bd09")
#: What becomes of a crash already in the ledger: a row error, skipped, or updated from the file.
EXISTING = ("error", "skip", "update")


@bp.get("/crashes")
@login_required
@permissions.checked_inside
def index():
    session = get_session()
    filters = crash_list.filters_from_args(request.args)
    page = crash_list.page_of(session, crash_list.filtered(current_user, filters),
                              request.args.get("page", 1, type=int), PAGE_SIZE)
    return render_template("crashes/index.html", page=page, filters=filters,
                           jurisdictions=list_jurisdictions(session, current_user),
                           may_import=permissions.may_import_crashes(current_user))


@bp.get("/crashes/import")
@permissions.requires(permissions.may_import_crashes)
def import_form():
    return render_template("crashes/import.html")


@bp.post("/crashes/import")
@permissions.requires(permissions.may_import_crashes)
def check_import():
    _drop_staged()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a crash export (.csv or .xlsx) to upload."), "error")
        return redirect(url_for("crash_pages.import_form"), code=303)
    options = {"crs": request.form.get("crs") if request.form.get("crs") in _CRS else "wgs84",
               "existing": request.form.get("existing") if request.form.get("existing") in EXISTING else "error"}
    # The reader tells formats by the suffix and names the file in its messages; keep a safe name.
    name = re.sub(r"[^\w.\-]", "_", Path(upload.filename).name)[-100:].lstrip(".") or "crashes.csv"
    token = f"{int(time.time())}-{secrets.token_hex(12)}"
    with tempfile.TemporaryDirectory(prefix="hazards-crashes-") as folder:
        path = Path(folder) / name
        upload.save(path)
        report = _run(path, options, dry_run=True)
        waiting = not report.blocked and report.to_write > 0
        if waiting:
            with open(path, "rb") as data:
                current_store().put(f"{STAGING}{token}/{name}", data)
            cookie[_COOKIE_KEY] = {"token": token, "name": name, "options": options}
    return _check_page(report, upload.filename, token if waiting else None)


@bp.post("/crashes/import/confirm")
@permissions.requires(permissions.may_import_crashes)
def confirm_import():
    staged = cookie.pop(_COOKIE_KEY, None)
    if not staged or staged.get("token") != request.form.get("token"):
        flash(_("That upload is no longer waiting: upload the file again."), "error")
        return redirect(url_for("crash_pages.import_form"), code=303)
    key = f"{STAGING}{staged['token']}/{staged['name']}"
    store = current_store()
    if not store.exists(key):
        flash(_("That upload is no longer waiting: upload the file again."), "error")
        return redirect(url_for("crash_pages.import_form"), code=303)
    session = get_session()
    try:
        with tempfile.TemporaryDirectory(prefix="hazards-crashes-") as folder:
            path = Path(folder) / staged["name"]
            with store.open(key) as source, open(path, "wb") as copy:
                shutil.copyfileobj(source, copy, 1 << 20)
            report = _run(path, staged["options"], dry_run=False)
        if report.blocked:  # the ledger changed since the check (someone imported the same crashes)
            session.rollback()
            return _check_page(report, staged["name"], None), 422
        session.commit()
    finally:
        store.delete(key)
    if staged["options"].get("existing") == "update":
        flash(_("Crash records added: %(added)s, updated: %(updated)s.", added=report.added, updated=report.updated),
              "success")
        if report.updated_linked:
            flash(_("%(n)s of the updated crashes are linked to hazards (evidence or covered): what those hazards "
                    "rest on has changed.", n=report.updated_linked), "warning")
    else:
        flash(_("Crash records written: %(count)s.", count=report.written), "success")
    return redirect(url_for("crash_pages.index"), code=303)


def _run(path: Path, options: dict, *, dry_run: bool) -> CrashImportReport:
    existing = options.get("existing", "error")
    return import_crashes(get_session(), path, actor=current_user, dry_run=dry_run,
                          skip_existing=existing == "skip", update_existing=existing == "update",
                          default_crs=options["crs"])


def _check_page(report: CrashImportReport, filename: str, token: str | None):
    problems = [(_where(e), translate_message(e.template, e.params)) for e in report.errors[:MAX_LISTED_PROBLEMS]]
    return render_template("crashes/check.html", report=report, filename=filename, token=token, problems=problems,
                           more=max(0, len(report.errors) - MAX_LISTED_PROBLEMS),
                           updating=bool(report.updated or report.unchanged))


def _where(error) -> str:
    if error.row is None:
        return _("The file")
    if error.column_label:
        return _("Row %(row)s, %(column)s", row=error.row, column=error.column_label)
    return _("Row %(row)s", row=error.row)


def _drop_staged() -> None:
    """Forget this user's earlier unconfirmed upload, and anyone's older than a day."""
    store = current_store()
    staged = cookie.pop(_COOKIE_KEY, None)
    if staged and staged.get("token"):
        _forget(store, staged["token"])
    cutoff = time.time() - STAGED_FOR_S
    for token in {key[len(STAGING):].split("/", 1)[0] for key in store.keys(STAGING)}:
        made = token.split("-", 1)[0]
        if not made.isdigit() or int(made) < cutoff:
            _forget(store, token)


def _forget(store, token: str) -> None:
    for key in list(store.keys(f"{STAGING}{token}/")):
        store.delete(key)
