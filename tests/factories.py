"""Builders for test hazards: a valid draft in Xinfu district that each test changes as it needs."""

from __future__ import annotations

from datetime import date

from shapely.geometry import LineString, Point

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
