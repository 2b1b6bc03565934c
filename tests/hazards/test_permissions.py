"""Who may do what, as a matrix of role × where the user sits × where the hazard is × its level."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hazards.domain.enums import Role, SupervisionLevel
from hazards.permissions import can, can_manage, can_report_in, can_set_level


@dataclass
class U:
    role: Role
    jurisdiction_code: str
    active: bool = True


@dataclass
class H:
    jurisdiction_code: str
    level: SupervisionLevel


XINFU, YUANPING, XINZHOU, SHANXI, TAIYUAN = "140902", "140981", "140900", "140000", "140100"
COUNTY_H = H(XINFU, SupervisionLevel.COUNTY)
CITY_H = H(XINFU, SupervisionLevel.CITY)
PROVINCE_H = H(XINFU, SupervisionLevel.PROVINCE)


@pytest.mark.parametrize(
    "user, action, hazard, allowed",
    [
        # inspectors: their own county only, field work only
        (U(Role.INSPECTOR, XINFU), "view", COUNTY_H, True),
        (U(Role.INSPECTOR, XINFU), "add_photo", CITY_H, True),
        (U(Role.INSPECTOR, XINFU), "request_closure", CITY_H, True),
        (U(Role.INSPECTOR, XINFU), "fix_on_spot", COUNTY_H, True),
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
