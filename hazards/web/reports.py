"""The completion report pages: choose a division and period, read the report, download it, or have a
large one (a province) built in the background by Celery."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, login_required

from hazards import clock, permissions
from hazards.db import get_session
from hazards.i18n import current_language
from hazards.queries.divisions import list_places
from hazards.reports.build import BUCKETS, LEVEL_FILTERS
from hazards.reports.formats import MAP_FORMATS, MIMETYPES, download_name, export, render_context, report_file_key
from hazards.reports.request import ReportRequest, read_report_request
from hazards.storage import FileMissing
from hazards.web.downloads import send_stored
from tasks.enqueue import enqueue, queue_reachable

bp = Blueprint("reports", __name__)
DOWNLOADS = ("xlsx", "docx", "pdf", "csv", "json")
JOB_FORMATS = ("xlsx", "docx", "pdf", "csv", "json", "html")


def _read(args) -> ReportRequest:
    """The report asked for; a 400 page names wrong parameters, a division out of reach is a 404."""
    return read_report_request(get_session(), args, current_user,
                               default_min_rank=int(current_app.config.get("REPORT_MIN_RANK", 5)),
                               default_lang=current_language())


def _build(req: ReportRequest, *, with_map: bool = True):
    return req.build(get_session(), today=clock.today(), with_map=with_map)


def _choices() -> dict:
    places = list_places(get_session(), current_user)
    levels = [("", None)] + [(key, (zh, en)) for key, zh, en in BUCKETS if key in LEVEL_FILTERS]
    return {"places": places, "levels": levels, "this_year": clock.today().year, "formats": DOWNLOADS,
            "job_formats": JOB_FORMATS}


@bp.get("/reports")
@login_required
@permissions.checked_inside
def index():
    """The form, and the report for the chosen parameters once a year or date range is given."""
    context = {"req": None, "job": request.args.get("job") or None, **_choices()}
    if context["job"]:
        result, info = _job(context["job"])
        context.update(job_state=result.state, job_info=info)
    if request.args.get("year") or request.args.get("from"):
        req = _read(request.args)
        context.update(req=req, **render_context(_build(req), req.lang))
    return render_template("reports/report.html", form=request.args, **context)


@bp.get("/reports/download")
@login_required
@permissions.checked_inside
def download():
    fmt = request.args.get("format", "xlsx")
    if fmt not in DOWNLOADS + ("html",):
        abort(400, description=f"unknown format '{fmt}'")
    req = _read(request.args)
    report = _build(req, with_map=fmt in MAP_FORMATS)
    return send_file(io.BytesIO(export(report, fmt, req.lang)), mimetype=MIMETYPES[fmt], as_attachment=True,
                     download_name=download_name(report, fmt))


# ---- background jobs for large reports --------------------------------------------------------------

def _celery():
    return current_app.extensions["celery"]


@bp.post("/reports/jobs")
@login_required
@permissions.checked_inside
def start_job():
    import tasks.report_jobs  # noqa: F401 - registers the shared task with every Celery app

    req = _read(request.form)
    fmt = request.form.get("format", "xlsx")
    if fmt not in JOB_FORMATS:
        abort(400, description=f"unknown format '{fmt}'")
    # Through this app's Celery (not the default one), so the job runs against this app's database.
    result = enqueue(_celery(), "tasks.build_report", req.jurisdiction_code, req.period.to_params(), req.level, fmt,
                     req.lang, req.min_rank, clock.today().isoformat(), current_user.id)
    session["report_jobs"] = [*session.get("report_jobs", [])[-(RECENT_JOBS - 1):], result.id]
    status_url = url_for("reports.job_status", task_id=result.id)
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(task_id=result.id, status_url=status_url,
                       file_url=url_for("reports.job_file", task_id=result.id)), 202
    return redirect(url_for("reports.index", job=result.id, **req.query()))


RECENT_JOBS = 20  # report jobs a browser session remembers having started


def _job(task_id: str):
    """The task's result, 404 unless the current user may follow it (see permissions.can_follow_job)."""
    with queue_reachable(_celery()):  # read once, here: a result store that is down is a 503
        found = _celery().AsyncResult(task_id)
        result = SimpleNamespace(state=found.state, info=found.info)
    info = result.info if isinstance(result.info, dict) else {}
    if not permissions.can_follow_job(current_user, info.get("jurisdiction"),
                                      task_id in session.get("report_jobs", [])):
        abort(404)
    return result, info


@bp.get("/reports/jobs/<task_id>")
@login_required
@permissions.checked_inside
def job_status(task_id: str):
    """JSON progress: state PENDING | PROGRESS (step, of) | SUCCESS (file_url) | FAILURE (error)."""
    result, info = _job(task_id)
    body = {"task_id": task_id, "state": result.state}
    if result.state == "PROGRESS":
        body.update(step=info.get("step"), of=info.get("of"), what=info.get("what"))
    elif result.state == "SUCCESS":
        body.update(step=info.get("of"), of=info.get("of"), filename=info.get("filename"),
                    file_url=url_for("reports.job_file", task_id=task_id))
    elif result.state == "FAILURE":
        body["error"] = str(result.info)
    return jsonify(body)


@bp.get("/reports/jobs/<task_id>/file")
@login_required
@permissions.checked_inside
def job_file(task_id: str):
    result, info = _job(task_id)
    if result.state != "SUCCESS" or not info.get("file"):
        abort(404)
    name = Path(info["file"]).name
    mimetype = MIMETYPES.get(info.get("format"), "application/octet-stream")
    try:
        return send_stored(report_file_key(name), mimetype=mimetype, as_attachment=True,
                           download_name=info.get("filename") or name)
    except (FileMissing, ValueError):  # ValueError: not a name a store could hold
        abort(404)
