"""The hazard list's newest-first page walks an index instead of sorting the ledger, once the planner
has statistics (SQLite keeps none until ANALYZE: seed-demo, import and the nightly housekeeping run it)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from geo.engine import refresh_statistics
from hazards.queries import hazard_list as listing
from hazards.services.reference import ReferenceData
from hazards.services.registration import register_hazards
from tests.factories import draft


@pytest.mark.backend_only("spatialite")
def test_newest_page_uses_the_sort_index_after_statistics(session, people):
    start = date(2024, 1, 1)
    counties = ["140902", "140921", "140922", "140981"]
    register_hazards(session, [draft(found_on=start + timedelta(days=i % 300), jurisdiction_code=counties[i % 4])
                               for i in range(3000)], ref=ReferenceData(session))
    viewer = people["city"]
    stmt = (listing.filtered(viewer, listing.HazardFilters(), date(2025, 1, 1))
            .order_by(*listing.SORTS["found"]).limit(50))
    sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))

    def plan() -> str:
        return " | ".join(row[-1] for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql))

    assert "TEMP B-TREE FOR ORDER BY" in plan()  # without statistics: the city's rows are sorted
    refresh_statistics(session.connection())
    after = plan()
    assert "ix_hazards_found_on_id" in after and "TEMP B-TREE" not in after
    newest = session.scalars(stmt).all()
    assert [h.found_on for h in newest] == sorted((h.found_on for h in newest), reverse=True)
