"""Who sees and who imports crash records: both faces of each rule, for every person of the cast."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hazards import permissions
from hazards.models import Crash
from hazards.permissions import SYSTEM
from tests.factories import XINFU_POINT, crash

PLACES = {"140902": XINFU_POINT, "140981": (112.7, 38.7), "140900": (112.74, 38.42), "140100": (112.55, 37.87)}


def test_a_person_sees_the_crashes_of_their_subtree_on_both_faces(session, people):
    made = {code: crash(session, f"C-{code}", date(2024, 3, 1), jurisdiction=code, lonlat=lonlat)
            for code, lonlat in PLACES.items()}
    expected = {"inspector": {"140902"}, "county": {"140902"}, "county_admin": {"140902"},
                "other_county": {"140981"}, "city": {"140902", "140981", "140900"},
                "province": set(PLACES)}
    for name, codes in expected.items():
        user = people[name]
        one_by_one = {code for code, record in made.items() if permissions.can_see(user, record)}
        in_sql = set(session.scalars(select(Crash.jurisdiction_code).where(
            permissions.visible_clause(user, Crash.jurisdiction_code))))
        assert one_by_one == in_sql == codes, name
    people["county"].active = False
    assert not permissions.can_see(people["county"], made["140902"])
    assert session.scalars(select(Crash).where(
        permissions.visible_clause(people["county"], Crash.jurisdiction_code))).all() == []


def test_supervisors_admins_and_the_system_import_crashes_inspectors_do_not(people):
    may = {name for name, user in people.items() if permissions.can_import_crashes(user, user.jurisdiction_code)}
    assert may == {"county", "county_admin", "city", "admin", "province", "province_admin", "other_county"}
    assert permissions.can_import_crashes(SYSTEM, "140902")
    assert permissions.can_import_crashes(people["city"], "140902")  # below their own division
    assert not permissions.can_import_crashes(people["county"], "140981")  # beside it
    assert not permissions.can_import_crashes(people["county"], "140900")  # above it
    assert permissions.may_import_crashes(people["county"]) and not permissions.may_import_crashes(people["inspector"])
