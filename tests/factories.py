"""Builders for test hazards: a valid draft in Xinfu district that each test changes as it needs."""

from __future__ import annotations

from datetime import date

from shapely.geometry import LineString, Point

from hazards import clock
from hazards.domain.drafts import HazardDraft
from hazards.domain.enums import RoadClass

XINFU = "140902"
XINFU_POINT = (112.7340, 38.4170)


def draft(**overrides) -> HazardDraft:
    values = dict(
        title="G208线K1052+300处急弯视距不良",
        jurisdiction_code=XINFU,
        batch_year=2024,
        found_on=date(2024, 3, 5),
        geometry=Point(*XINFU_POINT),
        route_code="G208",
        road_class=RoadClass.NATIONAL,
        start_m=1052300,
        category_codes=["sharp_curve", "poor_sight"],
    )
    values.update(overrides)
    return HazardDraft(**values)


def section_draft(**overrides) -> HazardDraft:
    base = dict(
        title="X012线K3+200~K4+100段临水临崖缺护栏",
        geometry=LineString([(112.70, 38.40), (112.705, 38.403), (112.71, 38.405)]),
        route_code="X012",
        road_class=RoadClass.COUNTY,
        start_m=3200,
        end_m=4100,
        category_codes=["roadside_danger", "missing_guardrail"],
    )
    base.update(overrides)
    return draft(**base)


def register_groups(session, groups: dict[str, list[HazardDraft]]) -> dict[str, list[int]]:
    """Register named groups of drafts (each checked by the ledger's own rules first); their ids by name."""
    from hazards.domain.drafts import check_draft
    from hazards.services.reference import ReferenceData
    from hazards.services.registration import register_hazards

    ref = ReferenceData(session)
    ids = {}
    for name, drafts in groups.items():
        for d in drafts:
            assert not check_draft(d, ref), (name, check_draft(d, ref))
        ids[name] = register_hazards(session, drafts, ref=ref)
    return ids


def user(session, role: str = "inspector", jurisdiction: str = XINFU, login: str | None = None):
    from hazards.services.users import create_user

    login = login or f"{role}-{jurisdiction}"
    return create_user(session, login=login, password="secret-pass", role=role, jurisdiction_code=jurisdiction,
                       name=login)


# The shared cast, by the name tests call them: (role, jurisdiction). Xinfu district (140902) lies in
# Xinzhou city (140900) in Shanxi province (140000); Yuanping (140981) is Xinfu's sibling county, so its
# people see none of Xinfu's hazards and Xinfu's see none of theirs.
CAST = {
    "inspector": ("inspector", XINFU),
    "county": ("supervisor", XINFU),
    "county_admin": ("admin", XINFU),
    "city_inspector": ("inspector", "140900"),
    "city": ("supervisor", "140900"),
    "admin": ("admin", "140900"),
    "province_inspector": ("inspector", "140000"),
    "province": ("supervisor", "140000"),
    "province_admin": ("admin", "140000"),
    "other_inspector": ("inspector", "140981"),
    "other_county": ("supervisor", "140981"),
}


def make_people(session) -> dict:
    """Every role at county, city and province level, plus the people of a sibling county; by name."""
    return {name: user(session, role, jurisdiction) for name, (role, jurisdiction) in CAST.items()}


def small_ledger(session, people) -> list:
    """Three hazards in Xinfu (甲 and 乙 logged by its inspector, 乙 a section; 丙 a junction found later)
    and one in Yuanping (丁), outside Xinfu's reach."""
    from shapely.geometry import Point

    from hazards.permissions import SYSTEM
    from hazards.services.registration import report_hazard

    finder = people["inspector"]
    return [
        report_hazard(session, draft(title="甲", found_on=date(2024, 3, 5)), actor=finder),
        report_hazard(session, section_draft(title="乙", found_on=date(2024, 3, 5)), actor=finder),
        report_hazard(session, draft(title="丙", found_on=date(2024, 4, 1), category_codes=["junction"]), actor=SYSTEM),
        report_hazard(session, draft(title="丁", jurisdiction_code="140981", geometry=Point(112.71, 38.73)),
                      actor=SYSTEM),
    ]


def county_hazard(session, actor, *, closed: bool = False):
    """A county-level hazard of Xinfu on this year's list: open with its deadline a month away, or
    closed two days before its deadline. Committed, as a page or the API would find it."""
    from datetime import timedelta

    from hazards.domain.enums import Status, SupervisionLevel
    from hazards.services.registration import report_hazard

    today = clock.today()
    if closed:
        spec = draft(level=SupervisionLevel.COUNTY, status=Status.CLOSED, batch_year=today.year,
                     found_on=today - timedelta(days=90), listed_on=today - timedelta(days=80),
                     deadline=today - timedelta(days=10), closed_on=today - timedelta(days=12))
    else:
        spec = draft(level=SupervisionLevel.COUNTY, status=Status.LISTED, batch_year=today.year,
                     found_on=today - timedelta(days=20), listed_on=today - timedelta(days=10),
                     deadline=today + timedelta(days=30))
    made = report_hazard(session, spec, actor=actor)
    session.commit()
    return made


def jpeg(width: int = 64, height: int = 32, *, orientation: int | None = None, gps: tuple | None = None) -> bytes:
    """A small JPEG, optionally with an EXIF orientation tag and a GPS position (lon, lat)."""
    import io

    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 40, 40))
    image.paste((40, 40, 200), (0, 0, width // 2, height))  # left half blue: shows which way is up
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        lon, lat = gps
        exif.get_ifd(0x8825).update({
            1: "N", 2: _dms(lat), 3: "E", 4: _dms(lon),
        })
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _dms(value: float):
    from fractions import Fraction

    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(10000))


def crash(session, source_id: str, occurred_on: date, *, jurisdiction: str = XINFU, route_code: str | None = None,
          stake_m: int | None = None, lonlat: tuple[float, float] | None = None, deaths: int = 0,
          injuries: int = 0, form: str | None = "追尾"):
    """One crash record written directly (the importer's checks are its own tests' business); at noon
    Beijing time on `occurred_on`."""
    from datetime import datetime, timedelta

    from geoalchemy2.shape import from_shape

    from hazards.models import Crash

    record = Crash(
        source_id=source_id, occurred_on=occurred_on,
        occurred_at=datetime(occurred_on.year, occurred_on.month, occurred_on.day, 12) - timedelta(hours=8),
        jurisdiction_code=jurisdiction, route_code=route_code, stake_m=stake_m,
        geom=from_shape(Point(*lonlat), srid=4326) if lonlat else None,
        deaths=deaths, injuries=injuries, form=form,
    )
    session.add(record)
    session.flush()
    return record
