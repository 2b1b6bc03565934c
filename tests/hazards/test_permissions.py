"""Who may do what, as a matrix of role × where the user sits × where the hazard is × its level."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from hazards.domain.enums import Role, Status, SupervisionLevel
from hazards.models import Hazard, Jurisdiction
from hazards.permissions import SYSTEM, can, can_manage, can_report_in, can_see, can_set_level, visible_clause


@dataclass
class U:
    role: Role
    jurisdiction_code: str
    active: bool = True


@dataclass
class H:
    jurisdiction_code: str
    level: SupervisionLevel
    status: Status = Status.REPORTED


XINFU, YUANPING, XINZHOU, SHANXI, TAIYUAN = "140902", "140981", "140900", "140000", "140100"
COUNTY_H = H(XINFU, SupervisionLevel.COUNTY)
CITY_H = H(XINFU, SupervisionLevel.CITY)
PROVINCE_H = H(XINFU, SupervisionLevel.PROVINCE)
UNLISTED_H = H(XINFU, SupervisionLevel.NONE)
CLOSED_UNLISTED_H = H(XINFU, SupervisionLevel.NONE, Status.CLOSED)
CLOSED_CITY_H = H(XINFU, SupervisionLevel.CITY, Status.CLOSED)
CLOSED_PROVINCE_H = H(XINFU, SupervisionLevel.PROVINCE, Status.CLOSED)


@pytest.mark.parametrize(
    "user, action, hazard, allowed",
    [
        # inspectors: their own county only, field work only
        (U(Role.INSPECTOR, XINFU), "view", COUNTY_H, True),
        (U(Role.INSPECTOR, XINFU), "add_photo", CITY_H, True),
        (U(Role.INSPECTOR, XINFU), "request_closure", CITY_H, True),
        # 立即整改 closes without acceptance: only what no level supervises (it was allowed on COUNTY_H
        # before; any supervision level now needs acceptance at that level)
        (U(Role.INSPECTOR, XINFU), "fix_on_spot", UNLISTED_H, True),
        (U(Role.INSPECTOR, XINFU), "fix_on_spot", COUNTY_H, False),
        (U(Role.INSPECTOR, XINFU), "fix_on_spot", CITY_H, False),
        (U(Role.SUPERVISOR, XINFU), "fix_on_spot", COUNTY_H, True),
        (U(Role.SUPERVISOR, XINFU), "fix_on_spot", CITY_H, False),
        # a closed hazard is edited only by a supervisor at its level or above
        (U(Role.INSPECTOR, XINFU), "edit", COUNTY_H, True),
        (U(Role.INSPECTOR, XINFU), "edit", CLOSED_UNLISTED_H, False),
        (U(Role.INSPECTOR, XINFU), "edit", CLOSED_PROVINCE_H, False),
        (U(Role.SUPERVISOR, XINFU), "edit", CLOSED_UNLISTED_H, True),
        (U(Role.SUPERVISOR, XINFU), "edit", CLOSED_CITY_H, False),
        (U(Role.SUPERVISOR, XINZHOU), "edit", CLOSED_CITY_H, True),
        (U(Role.SUPERVISOR, XINZHOU), "edit", CLOSED_PROVINCE_H, False),
        (U(Role.SUPERVISOR, SHANXI), "edit", CLOSED_PROVINCE_H, True),
        (U(Role.ADMIN, SHANXI), "edit", CLOSED_PROVINCE_H, False),
        (U(Role.INSPECTOR, XINFU), "verify", COUNTY_H, False),
        (U(Role.INSPECTOR, XINFU), "accept", COUNTY_H, False),
        (U(Role.INSPECTOR, XINFU), "grant_extension", COUNTY_H, False),
        (U(Role.INSPECTOR, YUANPING), "view", COUNTY_H, False),
        (U(Role.INSPECTOR, YUANPING), "add_photo", COUNTY_H, False),
        # county supervisor: own county, county level and below
        (U(Role.SUPERVISOR, XINFU), "accept", COUNTY_H, True),
        (U(Role.SUPERVISOR, XINFU), "accept", CITY_H, False),
        (U(Role.SUPERVISOR, XINFU), "grant_extension", CITY_H, False),
        (U(Role.SUPERVISOR, XINFU), "add_photo", CITY_H, True),
        (U(Role.SUPERVISOR, YUANPING), "accept", COUNTY_H, False),
        (U(Role.SUPERVISOR, YUANPING), "view", COUNTY_H, False),
        # city supervisor: all counties of the city, city level and below
        (U(Role.SUPERVISOR, XINZHOU), "accept", CITY_H, True),
        (U(Role.SUPERVISOR, XINZHOU), "accept", COUNTY_H, True),
        (U(Role.SUPERVISOR, XINZHOU), "accept", PROVINCE_H, False),
        (U(Role.SUPERVISOR, XINZHOU), "view", PROVINCE_H, True),
        (U(Role.SUPERVISOR, XINZHOU), "log_event", CITY_H, True),
        (U(Role.SUPERVISOR, TAIYUAN), "view", COUNTY_H, False),
        # province supervisor
        (U(Role.SUPERVISOR, SHANXI), "accept", PROVINCE_H, True),
        # admins manage people, not hazards
        (U(Role.ADMIN, XINZHOU), "view", COUNTY_H, True),
        (U(Role.ADMIN, XINZHOU), "accept", COUNTY_H, False),
        (U(Role.ADMIN, XINZHOU), "add_photo", COUNTY_H, False),
        # a deactivated account can do nothing
        (U(Role.SUPERVISOR, XINZHOU, active=False), "view", COUNTY_H, False),
        # an unknown action is refused
        (U(Role.SUPERVISOR, XINZHOU), "delete_everything", COUNTY_H, False),
    ],
)
def test_permission_matrix(user, action, hazard, allowed):
    assert can(user, action, hazard) is allowed


def test_reporting_is_for_the_field_inside_the_subtree():
    assert can_report_in(U(Role.INSPECTOR, XINFU), XINFU)
    assert not can_report_in(U(Role.INSPECTOR, XINFU), YUANPING)
    assert can_report_in(U(Role.SUPERVISOR, XINZHOU), YUANPING)
    assert not can_report_in(U(Role.ADMIN, XINZHOU), XINFU)


def test_a_supervisor_sets_levels_up_to_their_own():
    county, city = U(Role.SUPERVISOR, XINFU), U(Role.SUPERVISOR, XINZHOU)
    assert can_set_level(county, SupervisionLevel.COUNTY) and not can_set_level(county, SupervisionLevel.CITY)
    assert can_set_level(city, SupervisionLevel.CITY) and not can_set_level(city, SupervisionLevel.PROVINCE)
    assert not can_set_level(U(Role.INSPECTOR, XINZHOU), SupervisionLevel.COUNTY)


def test_admins_manage_their_subtree():
    assert can_manage(U(Role.ADMIN, XINZHOU), XINFU)
    assert not can_manage(U(Role.ADMIN, XINFU), XINZHOU)
    assert not can_manage(U(Role.SUPERVISOR, XINZHOU), XINFU)


# --- the two faces agree: the predicate for one row and the SQL filter for many -------------------

PEOPLE = {
    "inspector of Xinfu": U(Role.INSPECTOR, XINFU),
    "supervisor of Yuanping": U(Role.SUPERVISOR, YUANPING),
    "supervisor of Xinzhou": U(Role.SUPERVISOR, XINZHOU),
    "admin of Shanxi": U(Role.ADMIN, SHANXI),
    "supervisor of Taiyuan": U(Role.SUPERVISOR, TAIYUAN),
    "ministry supervisor": U(Role.SUPERVISOR, "100000"),
    "deactivated supervisor of Xinzhou": U(Role.SUPERVISOR, XINZHOU, active=False),
    "system": SYSTEM,
}
HAZARD_PLACES = [XINFU, YUANPING, "140932", XINFU, "140921"]


@pytest.fixture
def hazards_in_places(session):
    from tests.factories import draft, register_groups

    ids = register_groups(session, {"all": [draft(title=f"第{i}处", jurisdiction_code=code)
                                            for i, code in enumerate(HAZARD_PLACES)]})["all"]
    return list(session.scalars(select(Hazard).where(Hazard.id.in_(ids))))


@pytest.mark.parametrize("who", list(PEOPLE))
def test_can_see_and_visible_clause_select_the_same_hazards(session, hazards_in_places, who):
    person = PEOPLE[who]
    ours = [h.id for h in hazards_in_places]
    by_predicate = {h.id for h in hazards_in_places if can_see(person, h)}
    by_filter = set(session.scalars(select(Hazard.id).where(Hazard.id.in_(ours), visible_clause(person))))
    assert by_filter == by_predicate


@pytest.mark.parametrize("who", list(PEOPLE))
def test_the_two_faces_agree_on_divisions_too(session, who):
    person = PEOPLE[who]
    codes = session.scalars(select(Jurisdiction.code)).all()
    by_predicate = {code for code in codes if can_see(person, code)}
    by_filter = set(session.scalars(select(Jurisdiction.code).where(visible_clause(person, Jurisdiction.code))))
    assert by_filter == by_predicate


def test_the_grid_is_not_trivial(session, hazards_in_places):
    """Someone sees nothing, someone part, someone all: agreement above is not agreement on 'everything'."""
    seen = {who: sum(can_see(p, h) for h in hazards_in_places) for who, p in PEOPLE.items()}
    assert seen["inspector of Xinfu"] == 2 and seen["supervisor of Yuanping"] == 1
    assert seen["supervisor of Xinzhou"] == seen["system"] == len(HAZARD_PLACES)
    assert seen["supervisor of Taiyuan"] == seen["deactivated supervisor of Xinzhou"] == 0


def test_system_sees_everything_and_logs_but_takes_no_decisions():
    assert can_report_in(SYSTEM, YUANPING) and can_see(SYSTEM, XINFU)
    assert can(SYSTEM, "view", COUNTY_H)
    assert not can(SYSTEM, "accept", COUNTY_H) and not can(SYSTEM, "add_photo", COUNTY_H)
    assert not can_manage(SYSTEM, XINFU)
