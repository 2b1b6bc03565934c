"""Report files built in the background (`reports/…` in the store) are kept for REPORT_FILES_KEPT_DAYS,
then removed by the nightly housekeeping: a file is fetched once from the link its job page shows, and
the same report is built again from the ledger at any time, so years of them would only fill the disk."""

from __future__ import annotations

from datetime import timedelta

from hazards import clock
from hazards.reports.formats import report_file_key
from hazards.storage import Store

PREFIX = report_file_key("")


def drop_expired(store: Store, kept_days: float) -> int:
    """Remove report files written more than `kept_days` ago; how many."""
    cutoff = clock.as_stored(clock.now().replace(tzinfo=None)) - timedelta(days=kept_days)
    dropped = 0
    for key in list(store.keys(PREFIX)):
        written = store.modified(key)
        if written is not None and written < cutoff:
            store.delete(key)
            dropped += 1
    return dropped
