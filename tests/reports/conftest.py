"""Report fixtures: the Xinzhou-shaped ledger that the report builders and formats are checked against."""

from __future__ import annotations

import pytest

from tests.reports.xinzhou import seed_ledger


@pytest.fixture
def xinzhou_ledger(session):
    """The hazard ids of each group of the Xinzhou-shaped ledger (see tests/reports/xinzhou.py)."""
    return seed_ledger(session)



@pytest.fixture
def eager_jobs(reports_app):
    """Report jobs run inside the request and keep their result, as a worker would. A task copies
    `task_store_eager_result` from the config when its Celery app is finalized, which any earlier use of
    a task in this process (a job run directly by another test) has done already: so the report task's
    own flag is set too, and put back after. `reports_app` is each test module's own."""
    import tasks.report_jobs  # noqa: F401 - registers the task

    celery = reports_app.extensions["celery"]
    task = celery.tasks["tasks.build_report"]
    saved = celery.conf.task_always_eager, celery.conf.task_store_eager_result, task.store_eager_result
    celery.conf.task_always_eager = celery.conf.task_store_eager_result = task.store_eager_result = True
    yield celery
    celery.conf.task_always_eager, celery.conf.task_store_eager_result, task.store_eager_result = saved
