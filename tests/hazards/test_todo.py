"""The to-do list (待办) of each role holds exactly what that person may act on, and whose turn it is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hazards import clock, permissions
from hazards.domain.enums import AttachmentPhase, EventKind, Status, SupervisionLevel
from hazards.models import Hazard
from hazards.permissions import SYSTEM
from hazards.queries.todo import INSPECTOR_GROUPS, SHOWN_PER_GROUP, SUPERVISOR_GROUPS, todo_count, todo_for
from hazards.services.attachments import add_attachment
from hazards.services.registration import report_hazard
from hazards.services.requirements import ActionInput
from hazards.services.supervision import decide_extension, log_event, request_extension
from hazards.services.workflow import change_status
from hazards.storage.local import FolderStore
from tests.factories import draft, jpeg

YUANPING_POINT = (112.71, 38.73)
CITY_POINT = (112.7340, 38.4170)


@pytest.fixture
def board(session, people, tmp_path):
    """Hazards waiting at every step, at county and city level, in Xinfu, Yuanping and at the city's code."""
    from shapely.geometry import Point

    today = clock.today()
    soon = today + timedelta(days=30)
    inspector, county = people["inspector"], people["county"]

    def make(title, actor=SYSTEM, **values):
        return report_hazard(session, draft(title=title, **values), actor=actor)

    listed = dict(level=SupervisionLevel.COUNTY, deadline=soon, batch_year=today.year, found_on=today - timedelta(days=300))
    made = {
        "a": make("a", inspector),
        "b": make("b", status=Status.VERIFIED),
        "c": make("c", status=Status.LISTED, **listed),
        "d": make("d", status=Status.CLOSURE_REQUESTED, completed_on=today - timedelta(days=1),
                  **{**listed, "level": SupervisionLevel.CITY}),
        "e": make("e", inspector, status=Status.IN_REMEDIATION, **listed),
        "f": make("f", status=Status.CLOSED, closed_on=today - timedelta(days=200), **listed),
        "g": make("g", status=Status.CLOSED, closed_on=today - timedelta(days=30), **listed),
        "h": make("h", status=Status.CLOSED, closed_on=today - timedelta(days=200), **listed),
        "i": make("i", jurisdiction_code="140981", geometry=Point(*YUANPING_POINT)),
        "j": make("j", jurisdiction_code="140900"),
        "k": make("k", status=Status.LISTED, **{**listed, "level": SupervisionLevel.CITY}),
        "l": make("l", inspector, status=Status.PLAN_APPROVED, **listed),
        "m": make("m", status=Status.PLAN_APPROVED, **listed),
        "n": make("n", inspector, status=Status.IN_REMEDIATION, **listed),
        "o": make("o", inspector, status=Status.IN_REMEDIATION, **listed),
        "p": make("p", inspector, status=Status.IN_REMEDIATION, **{**listed, "deadline": today - timedelta(days=5)}),
        "q": make("q", inspector, status=Status.IN_REMEDIATION, **{**listed, "deadline": today - timedelta(days=5)}),
    }
    request_extension(session, made["e"].id, inspector, soon + timedelta(days=60), "雨季")
    request_extension(session, made["q"].id, inspector, soon, "雨季")  # overdue, but already asking
    asked = request_extension(session, made["n"].id, inspector, soon + timedelta(days=60), "雨季")
    decide_extension(session, asked.id, county, grant=True)
    log_event(session, made["h"].id, county, EventKind.LOOKBACK, "回头看无反弹", happened_on=today)
    add_attachment(session, made["o"].id, inspector, data=jpeg(), filename="after.jpg", phase=AttachmentPhase.AFTER,
                   store=FolderStore(tmp_path))
    change_status(session, made["o"].id, "request_closure", inspector, ActionInput(completed_on=today))
    change_status(session, made["o"].id, "refuse_acceptance", county, ActionInput(reason="未完工"))
    session.commit()
    return made


def contents(session, person) -> dict[str, set[str]]:
    todo = todo_for(session, person, clock.today(), 180)
    return {g.key: {i.title for i in g.items} for g in todo.groups}


@pytest.mark.parametrize("who, expected", [
    ("county", {"verify": {"a"}, "list": {"b"}, "approve_plan": {"c"}, "extension": {"e", "q"}, "lookback": {"f"}}),
    ("city", {"verify": {"j"}, "approve_plan": {"k"}, "accept": {"d"}}),
    ("province", {}),
    ("other_county", {"verify": {"i"}}),
    ("inspector", {"start_works": {"l"}, "returned": {"o"}, "overdue": {"p"}, "extension_decided": {"n"}}),
    ("other_inspector", {}),
    ("city_inspector", {}),
    ("admin", {}),
])
def test_each_role_finds_what_waits_on_them(session, people, board, who, expected):
    assert contents(session, people[who]) == expected


def test_a_county_supervisor_never_finds_the_citys_acceptance(session, people, board):
    hazard = board["d"]
    assert not permissions.can(people["county"], "accept", hazard)
    assert permissions.can(people["city"], "accept", hazard)
    assert "d" not in set().union(*contents(session, people["county"]).values())


def test_every_item_is_an_action_the_person_may_take(session, people, board):
    actions = dict((key, action) for key, action, _ in SUPERVISOR_GROUPS + INSPECTOR_GROUPS)
    for person in people.values():
        for group in todo_for(session, person, clock.today(), 180).groups:
            for item in group.items:
                assert permissions.can(person, actions[group.key], session.get(Hazard, item.hazard_id))


def test_the_look_back_setting_moves_what_is_due(session, people, board):
    todo = todo_for(session, people["county"], clock.today(), 20)
    lookbacks = {i.title for g in todo.groups if g.key == "lookback" for i in g.items}
    assert lookbacks == {"f", "g"}


def test_decisions_first_and_their_sql_face_select_the_same_hazards(session, people, board):
    ours = [h.id for h in board.values()]
    for name, person in people.items():
        by_predicate = {h.id for h in board.values() if permissions.decides_first(person, h)}
        by_filter = set(session.scalars(select(Hazard.id).where(Hazard.id.in_(ours),
                                                                permissions.decides_first_clause(person))))
        assert by_predicate == by_filter, name


def test_the_header_count_is_the_lists_count_without_loading_it(session, people, board):
    for name, person in people.items():
        todo = todo_for(session, person, clock.today(), 180)
        assert todo_count(session, person, clock.today(), 180) == todo.count == sum(
            len(g.items) for g in todo.groups), name


def test_a_long_group_lists_its_longest_waiting_and_counts_them_all(session, people):
    today = clock.today()
    for n in range(SHOWN_PER_GROUP + 3):
        report_hazard(session, draft(title=f"待核实{n:03d}", found_on=today - timedelta(days=400 - n)),
                      actor=people["inspector"])
    session.commit()
    todo = todo_for(session, people["county"], today, 180)
    (verify,) = [g for g in todo.groups if g.key == "verify"]
    assert verify.total == SHOWN_PER_GROUP + 3 == todo_count(session, people["county"], today, 180)
    assert [i.title for i in verify.items] == [f"待核实{n:03d}" for n in range(SHOWN_PER_GROUP)]
