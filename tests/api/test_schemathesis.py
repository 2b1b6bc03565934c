"""Property-based tests from the OpenAPI document (schemathesis): no 5xx, and every response, error
or not, is one the document describes (status, content type, body schema).

MAX_EXAMPLES cases per operation and per backend: 100 in CI (CI=true, as `.ci/run` sets), the
search issue 12 asks for; 10 on a laptop, a minute or so. HAZARDS_SCHEMATHESIS_EXAMPLES overrides
either (200 to search harder).
"""

from __future__ import annotations

import contextvars
import os
from datetime import date

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from shapely.geometry import LineString  # noqa: E402

from hazards.api.openapi import build_document  # noqa: E402
from hazards.models import Notification  # noqa: E402
from hazards.permissions import SYSTEM  # noqa: E402
from hazards.services.registration import report_hazard  # noqa: E402
from hazards.services.tokens import issue_token  # noqa: E402
from tests.factories import draft, user  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")  # as tests.conftest reads it
MAX_EXAMPLES = int(os.environ.get("HAZARDS_SCHEMATHESIS_EXAMPLES", "100" if IN_CI else "10"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class FreshContexts:
    """Each request in its own contextvars context, as in a real server (see tests.conftest.IsolatedClient)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return contextvars.Context().run(self.app, environ, start_response)


# Loaded from the same builder the server uses (no app needed), so the tests are known at collection.
schema = schemathesis.openapi.from_dict(build_document("test"))


@pytest.fixture
def fuzz(app, session):
    """The app to call (fresh contexts) and the token of a county supervisor who sees a small ledger."""
    person = user(session, "supervisor", "140902", login="fuzz")
    report_hazard(session, draft(title="点"), actor=person)
    report_hazard(session, draft(title="段", geometry=LineString([(112.7, 38.4), (112.71, 38.41)]), end_m=1053000,
                                 found_on=date(2024, 5, 1)), actor=SYSTEM)
    session.add(Notification(user_id=person.id, title="提醒", body="…"))
    _token, secret = issue_token(session, person, "fuzz")
    session.commit()
    return FreshContexts(app), secret


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_answers_as_documented(case, fuzz):
    wsgi, secret = fuzz
    case.call_and_validate(app=wsgi, headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
