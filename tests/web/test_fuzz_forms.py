"""Every page and form, fed what clumsy users and attackers type, answers with a page, never a 500.

Generated requests go to every registered route outside the REST API (which schemathesis covers
against its OpenAPI document): each form field and query parameter the templates and views know,
with values such as 20-digit numbers, year-1 dates, NUL characters, huge and full-width text, as an
inspector, a supervisor, an admin or nobody. A 500 fails the test with the request that caused it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from hazards import clock
from hazards.domain.enums import Status, SupervisionLevel
from hazards.domain.workflow import TRANSITIONS
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft, user

ROOT = Path(__file__).resolve().parents[2]
#: Left to schemathesis (tests/api/test_schemathesis.py) or not worth fuzzing (files, logout).
SKIPPED_PREFIXES = ("/static/", "/api/v1/", "/logout")
FUZZED_API = {"/api/v1/hazards.geojson"}


def _field_names() -> list[str]:
    """Every form field the templates name, and every query parameter a view reads."""
    names = set()
    for template in (ROOT / "templates").rglob("*.html"):
        names |= set(re.findall(r'name="([a-z_]+)"', template.read_text()))
    for module in (ROOT / "hazards").rglob("*.py"):
        names |= set(re.findall(r'(?:args|form)\.(?:get|getlist)\("([a-z_]+)"', module.read_text()))
    return sorted(names - {"csrf_token"})


FIELDS = _field_names()
SPECIAL_VALUES = [
    "", " ", "0", "-1", "1", "99999999999999999999", "-99999999999999999999", "1e309", "NaN", "Infinity",
    "0001-01-01", "9999-12-31", "2099-13-45", "2024-02-30", "abc", "１２３", "\x00", "a\x00b", "<script>x</script>",
    "=HYPERLINK(\"x\")", "' OR 1=1 --", "../../etc/passwd", "x" * 5000, "140902", "100000", "999999", "G208",
    "K1052+300", "K9999999+999", "112.734,38.417", "[1,2]", "{\"a\":1}", "on", "true", "city", "ministry",
    "closed", "listed", "zh", "en", "xlsx", "pdf", "docx", "-5", "0.000001", "85,000元",
]
values = st.one_of(st.sampled_from(SPECIAL_VALUES), st.text(max_size=40),
                   st.integers(min_value=-(10**20), max_value=10**20).map(str),
                   st.dates(min_value=date(1, 1, 1)).map(date.isoformat))
fields = st.dictionaries(st.sampled_from(FIELDS), st.one_of(values, st.lists(values, min_size=2, max_size=3)),
                         max_size=12)


def _fuzzed_rules(app) -> list[tuple[str, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SKIPPED_PREFIXES) and rule.rule not in FUZZED_API:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            rules.append((rule.rule, method))
    return rules


@pytest.fixture
def cast(session):
    """Who may knock, and a few hazards to knock on (one in another county)."""
    people = {
        "inspector": user(session, "inspector", "140902", login="fuzz.inspector"),
        "county": user(session, "supervisor", "140902", login="fuzz.county"),
        "city": user(session, "supervisor", "140900", login="fuzz.city"),
        "admin": user(session, "admin", "140900", login="fuzz.admin"),
    }
    today = clock.today()
    own = report_hazard(session, draft(), actor=people["inspector"])
    listed = report_hazard(session, draft(title="挂牌督办的急弯", level=SupervisionLevel.CITY, status=Status.LISTED,
                                          listed_on=today, deadline=today, batch_year=today.year,
                                          found_on=today), actor=SYSTEM)
    elsewhere = report_hazard(session, draft(title="原平的隐患", jurisdiction_code="140981"), actor=SYSTEM)
    session.commit()
    return people, [own.id, listed.id, elsewhere.id]


def _url_values(rule: Rule, ids: list[int]):
    """Strategies for a rule's URL parts: real ids, ids of nothing, and junk where the converter allows it."""
    parts = {}
    for name in rule.arguments:
        if name not in rule._converters:
            continue  # a fixed default of the rule (/admin/categories and /admin/measures share a view)
        converter = rule._converters[name].__class__.__name__
        if "Integer" in converter or "RowId" in converter:
            parts[name] = st.sampled_from([*ids, 0, 2**31 - 1, 2**31 + 7, 10**19])
        elif name == "action":
            parts[name] = st.sampled_from([*TRANSITIONS, "drop_table", "verify\x00"])
        else:
            parts[name] = st.one_of(st.sampled_from(["hazards", "zh", "en", "0", "x" * 300]),
                                    st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                                   blacklist_characters="/?#%"),
                                            min_size=1, max_size=20))
    return st.fixed_dictionaries(parts)


def _build(rule: Rule, parts: dict) -> str:
    from urllib.parse import quote

    path = rule.rule
    for name, value in parts.items():
        path = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + r">", quote(str(value), safe=""), path)
    return path


def test_every_route_is_fuzzed(app):
    """The list the fuzzer walks is the app's own: a new page is fuzzed the day it is added."""
    routes = {rule for rule, _method in _fuzzed_rules(app)}
    assert "/hazards/new" in routes and "/hazards/<int:hazard_id>/actions/<action>" in routes
    assert len(routes) >= 30


@pytest.mark.parametrize("who", ["inspector", "city", "admin", None])
# No shrinking: the failing request is printed whole, and shrinking a walk over every route takes minutes.
@settings(max_examples=12, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_no_form_or_query_gives_a_server_error(app, client, auth, cast, who, data):
    people, ids = cast
    if who:
        auth.login(people[who])
    for rule_text, method in _fuzzed_rules(app):
        rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text)
        path = _build(rule, data.draw(_url_values(rule, ids), label=rule_text))
        payload = data.draw(fields, label=f"{method} {rule_text} fields")
        if method == "GET":
            response = client.get(path, query_string=payload)
        else:
            response = client.open(path, method=method, data=payload)
        assert response.status_code < 500, (
            f"{method} {path} as {who or 'nobody'} with {payload!r} answered {response.status_code}:\n"
            + response.get_data(as_text=True)[:2000])
