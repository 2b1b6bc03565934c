"""Large reports (a province) built in the background: query, render, put the file in the shared store
(hazards.storage) under reports/, where every web server finds it."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from hazards.db import get_session, reading
from hazards.reports import build_report, period_from_params
from hazards.reports.formats import MAP_FORMATS, MIMETYPES, download_name, export, report_file_key
from hazards.storage import current_store

STEPS = 3


@shared_task(name="tasks.build_report", bind=True)
def build_report_job(self, jurisdiction_code: str, period: dict, level: str | None = None, fmt: str = "xlsx",
                     lang: str = "zh", min_rank: int = 5, today: str | None = None, user_id: int | None = None) -> dict:
    """Build one report file; progress is reported as PROGRESS {step, of, what} for the status page."""
    # Whoever asks about this task may see it only within this division: it travels in every state.
    owner = {"jurisdiction": jurisdiction_code, "user_id": user_id}

    def progress(step: int, what: str) -> None:
        if self.request.id:  # called directly (not through a worker or apply) there is no task to update
            self.update_state(state="PROGRESS", meta={"step": step, "of": STEPS, "what": what, **owner})

    progress(1, "query")
    # A report only reads: on SpatiaLite it must not hold the write lock while a province is queried
    # and rendered (a job otherwise begins as a writer).
    with reading(get_session()):
        report = build_report(get_session(), jurisdiction_code, period_from_params(period), level,
                              today=date.fromisoformat(today) if today else None, min_rank=min_rank,
                              with_map=fmt in MAP_FORMATS, with_trend=fmt in MAP_FORMATS)
        progress(2, "render")
        data = export(report, fmt, lang)
    progress(3, "write")
    name = f"{self.request.id or 'report'}.{fmt}"
    current_store().put(report_file_key(name), data, MIMETYPES.get(fmt, "application/octet-stream"))
    return {"file": name, "filename": download_name(report, fmt), "format": fmt, "step": STEPS, "of": STEPS,
            "bytes": len(data), **owner}
