"""The completion report pages: choose a division and period, read the report, download it, or have a
large one (a province) built in the background by Celery."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from hazards.db import get_session
from hazards.divisions import DivisionCodeError, is_within, within_clause
from hazards.i18n import current_language
from hazards.models import Jurisdiction
from hazards.reports import PeriodError, ReportError, build_report, period_from_params
from hazards.reports.build import BUCKETS, LEVEL_FILTERS, resolve_level
from hazards.reports.formats import MIMETYPES, download_name, export, render_context
from hazards.reports.period import Period

bp = Blueprint("reports", __name__)
DOWNLOADS = ("xlsx", "pdf", "csv", "json")
JOB_FORMATS = ("xlsx", "pdf", "csv", "json", "html")


@dataclass
class ReportRequest:
    jurisdiction_code: str
    period: Period
    level: str | None
    min_rank: int
    lang: str

    def query(self, **extra) -> dict:
        """The parameters as a URL query, so a report can be linked and downloaded as shown."""
        params = {"jurisdiction": self.jurisdiction_code, **self.period.to_params(), "min_rank": self.min_rank}
        if self.level:
            params["level"] = self.level
        return {**params, **extra}


def _visible_code(code: str | None) -> str:
    """A division the current user may report on; anything else does not exist for them (404)."""
    code = (code or current_user.jurisdiction_code).strip()
    try:
        allowed = is_within(code, current_user.jurisdiction_code)
    except DivisionCodeError:
        abort(404)
    if not allowed or get_session().get(Jurisdiction, code) is None:
        abort(404)
    return code


def _read(args) -> ReportRequest:
    code = _visible_code(args.get("jurisdiction"))
    period_args = args
    if args.get("from") and args.get("to"):
        # The form shows a year and a range together: a filled-in range is the period asked for.
        period_args = {"from": args.get("from"), "to": args.get("to")}
    try:
        period = period_from_params(period_args)
        level, _levels = resolve_level(args.get("level") or None)
    except (PeriodError, ReportError) as exc:
        abort(400, description=str(exc))
    raw_rank = (args.get("min_rank") or "").strip()
    min_rank = int(raw_rank) if raw_rank.isdigit() else int(current_app.config.get("REPORT_MIN_RANK", 5))
    lang = args.get("lang") if args.get("lang") in ("zh", "en") else current_language()
    return ReportRequest(code, period, level, min_rank, lang)


def _build(req: ReportRequest, *, with_map: bool = True):
    return build_report(get_session(), req.jurisdiction_code, req.period, req.level, today=date.today(),
                        min_rank=req.min_rank, with_map=with_map)


def _choices() -> dict:
    places = get_session().execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level)
        .where(within_clause(Jurisdiction.code, current_user.jurisdiction_code)).order_by(Jurisdiction.code)
    ).all()
    levels = [("", None)] + [(key, (zh, en)) for key, zh, en in BUCKETS if key in LEVEL_FILTERS]
    return {"places": places, "levels": levels, "this_year": date.today().year, "formats": DOWNLOADS,
            "job_formats": JOB_FORMATS}


@bp.get("/reports")
@login_required
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
def download():
    fmt = request.args.get("format", "xlsx")
    if fmt not in DOWNLOADS + ("html",):
        abort(400, description=f"unknown format '{fmt}'")
    req = _read(request.args)
    report = _build(req, with_map=fmt in ("pdf", "html"))
    return send_file(io.BytesIO(export(report, fmt, req.lang)), mimetype=MIMETYPES[fmt], as_attachment=True,
                     download_name=download_name(report, fmt))


# ---- background jobs for large reports --------------------------------------------------------------

def _celery():
    return current_app.extensions["celery"]


@bp.post("/reports/jobs")
@login_required
def start_job():
    import tasks.report_jobs  # noqa: F401 - registers the shared task with every Celery app

    req = _read(request.form)
    fmt = request.form.get("format", "xlsx")
    if fmt not in JOB_FORMATS:
        abort(400, description=f"unknown format '{fmt}'")
    # Through this app's Celery (not the default one), so the job runs against this app's database.
    result = _celery().tasks["tasks.build_report"].delay(req.jurisdiction_code, req.period.to_params(), req.level, fmt, req.lang,
                                    req.min_rank, date.today().isoformat(), current_user.id)
    status_url = url_for("reports.job_status", task_id=result.id)
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(task_id=result.id, status_url=status_url,
                       file_url=url_for("reports.job_file", task_id=result.id)), 202
    return redirect(url_for("reports.index", job=result.id, **req.query()))


def _job(task_id: str):
    """The task's result, 404 when it belongs to a division the current user may not see."""
    result = _celery().AsyncResult(task_id)
    info = result.info if isinstance(result.info, dict) else {}
    code = info.get("jurisdiction")
    if code and not is_within(code, current_user.jurisdiction_code):
        abort(404)
    return result, info


@bp.get("/reports/jobs/<task_id>")
@login_required
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
def job_file(task_id: str):
    result, info = _job(task_id)
    if result.state != "SUCCESS" or not info.get("file"):
        abort(404)
    path = Path(current_app.instance_path) / "reports" / Path(info["file"]).name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=MIMETYPES.get(info.get("format"), "application/octet-stream"),
                     as_attachment=True, download_name=info.get("filename") or path.name)
