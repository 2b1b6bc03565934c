"""Starting a job from a request, and reading its state, while the job queue may be down.

A request that starts a job must not hang a web worker or end in a bare 500 when the broker (or
the result store) cannot be reached: publishing gives up after a few seconds (the bounds are set in
`celery_app.make_celery` from JOB_QUEUE_TIMEOUT_SECONDS) and the failure becomes
`JobQueueUnavailable`, a 503 that says to try again (see `hazards.web.unavailable`). Nothing is kept
to retry: the person asks again, and once the broker is back the same app publishes as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery
from celery.result import AsyncResult
from kombu.exceptions import OperationalError

from hazards.domain.errors import N_, Unavailable

log = logging.getLogger(__name__)

#: What a 503 for the job queue tells the client to wait before asking again, in seconds.
RETRY_AFTER_SECONDS = 30


class JobQueueUnavailable(Unavailable):
    code = "job_queue_unavailable"
    retry_after = RETRY_AFTER_SECONDS

    def __init__(self):
        super().__init__(N_("Background jobs cannot be started just now: the job queue is not reachable. "
                            "Nothing was started; please try again in a minute."))


def unreachable(celery: Celery, exc: BaseException) -> bool:
    """Whether `exc` says the broker or the result store could not be reached.

    Kombu wraps a failed publish in its OperationalError; the result store raises its client's
    connection errors, or, when its own reconnection gave up, a RuntimeError caused by one.
    """
    connection_errors = tuple(celery.backend.connection_errors) or (ConnectionError,)
    if isinstance(exc, (OperationalError, ConnectionError, TimeoutError, *connection_errors)):
        return True
    return isinstance(exc, RuntimeError) and isinstance(exc.__cause__, connection_errors)


@contextmanager
def queue_reachable(celery: Celery) -> Iterator[None]:
    """Turn the job queue's connection failures inside the block into `JobQueueUnavailable`."""
    try:
        yield
    except Exception as exc:
        if not unreachable(celery, exc):
            raise
        log.warning("job queue unreachable: %s", exc)
        raise JobQueueUnavailable() from exc


def enqueue(celery: Celery, task_name: str, *args) -> AsyncResult:
    """Publish one run of a registered task through `celery` (the app's own, so it runs against the
    app's database); raises JobQueueUnavailable if the queue cannot take it now."""
    with queue_reachable(celery):
        return celery.tasks[task_name].delay(*args)
