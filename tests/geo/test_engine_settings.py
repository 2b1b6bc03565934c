"""What every PostgreSQL connection of the application is opened with (geo.engine)."""

from __future__ import annotations

import pytest
from sqlalchemy import text


@pytest.mark.backend_only("postgis")
def test_postgresql_connections_plan_without_jit(session):
    """JIT compilation cost the list page about 1 s once statistics made its crash-effect count look
    costly; every connection has it off."""
    assert session.execute(text("SHOW jit")).scalar() == "off"
