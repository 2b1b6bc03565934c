"""Report fixtures: the Xinzhou-shaped ledger that the report builders and formats are checked against."""

from __future__ import annotations

import pytest

from tests.reports.xinzhou import seed_ledger


@pytest.fixture
def xinzhou_ledger(session):
    """The hazard ids of each group of the Xinzhou-shaped ledger (see tests/reports/xinzhou.py)."""
    return seed_ledger(session)
