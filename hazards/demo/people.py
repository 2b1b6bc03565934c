"""The demo's units and users: who finds hazards, who fixes them, who supervises, and who logs in.

Units are named as the Chinese documents name them (五台县公安局交警大队, 忻州市公路发展中心 ...).
Every demo user has the same documented password. E-mail addresses use `xinzhou.gov.example`: the
`.example` top-level domain is reserved (RFC 2606), so no reminder can ever reach a real mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hazards.demo.places import CITY_CODE, COUNTIES, NATIONAL_CODE, PROVINCE_CODE, County
from hazards.domain.enums import OrganizationKind, Role
from hazards.models import Jurisdiction, Organization, User
from hazards.services.users import create_user

DEMO_PASSWORD = "demo-2024-xz"
EMAIL_DOMAIN = "xinzhou.gov.example"

MINISTRY = "公安部"
PROVINCE_BODY = "山西省人民政府安委会"
CITY_POLICE = "忻州市公安局交通警察支队"
CITY_TRANSPORT = "忻州市交通运输局"
CITY_HIGHWAY = "忻州市公路发展中心"
CITY_BODY = "忻州市人民政府安委会"
EXPRESSWAY_OPERATOR = "山西交控集团忻州高速公路分公司"

# Each county's logins: `<slug>` (its supervisor) and `<slug>-inspector`.
_SLUGS = {
    "140902": "xinfu", "140921": "dingxiang", "140922": "wutai", "140923": "daixian", "140924": "fanshi",
    "140925": "ningwu", "140926": "jingle", "140927": "shenchi", "140928": "wuzhai", "140929": "kelan",
    "140930": "hequ", "140931": "baode", "140932": "pianguan", "140981": "yuanping",
}


def police_unit(county: County) -> str:
    # Xinfu district has no county police bureau of its own: the city's 支队 runs a 大队 there.
    return f"{CITY_POLICE}忻府大队" if county.code == "140902" else f"{county.name}公安局交警大队"


def transport_bureau(county: County) -> str:
    return f"{county.name}交通运输局"


def highway_section(county: County) -> str:
    return f"{county.name}公路段"


def county_government(county: County) -> str:
    return f"{county.name}人民政府"


def county_safety_committee(county: County) -> str:
    return f"{county.name}道路交通安全委员会"


def township_government(town: str) -> str:
    return f"{town}人民政府"


def organization_specs() -> list[tuple[str, OrganizationKind, str]]:
    """(name, kind, division) of every demo unit."""
    S, R, P = OrganizationKind.SUPERVISING, OrganizationKind.RESPONSIBLE, OrganizationKind.POLICE
    specs = [
        (MINISTRY, S, NATIONAL_CODE), (PROVINCE_BODY, S, PROVINCE_CODE),
        (CITY_POLICE, P, CITY_CODE), (CITY_TRANSPORT, R, CITY_CODE), (CITY_HIGHWAY, R, CITY_CODE),
        (CITY_BODY, S, CITY_CODE), (EXPRESSWAY_OPERATOR, R, CITY_CODE),
    ]
    for county in COUNTIES:
        specs += [
            (police_unit(county), P, county.code), (transport_bureau(county), R, county.code),
            (highway_section(county), R, county.code), (county_government(county), S, county.code),
            (county_safety_committee(county), S, county.code),
        ]
        specs += [(township_government(town), R, county.code) for town in county.towns]
    return specs


def ensure_organizations(session: Session) -> dict[tuple[str, str], int]:
    """Insert the demo units that are missing (one bulk insert); returns (name, division) -> id."""
    have = {(n, c): i for i, n, c in session.execute(
        select(Organization.id, Organization.name, Organization.jurisdiction_code))}
    missing = [{"name": n, "kind": k, "jurisdiction_code": c} for n, k, c in organization_specs() if (n, c) not in have]
    if missing:
        session.execute(insert(Organization.__table__), missing)
        have = {(n, c): i for i, n, c in session.execute(
            select(Organization.id, Organization.name, Organization.jurisdiction_code))}
    return have


@dataclass(frozen=True)
class DemoLogin:
    login: str
    password: str
    role: Role
    jurisdiction_code: str
    jurisdiction_name: str
    name: str
    language: str
    featured: bool  # printed in the logins table; the others follow a pattern told below it


# The administrator `hazards init` makes for the demo city, as it would for any agency.
ADMIN_LOGIN, ADMIN_NAME = "admin", "系统管理员"

# (login, role, division, name, language, unit) of the users printed after seeding.
_FEATURED = [
    (ADMIN_LOGIN, Role.ADMIN, CITY_CODE, ADMIN_NAME, "zh", CITY_POLICE),
    ("shanxi", Role.SUPERVISOR, PROVINCE_CODE, "赵志刚", "zh", PROVINCE_BODY),
    ("xinzhou", Role.SUPERVISOR, CITY_CODE, "郭晋平", "zh", CITY_POLICE),
    ("xinzhou-en", Role.SUPERVISOR, CITY_CODE, "Wang Lei", "en", CITY_POLICE),
    ("xinfu", Role.SUPERVISOR, "140902", "李文斌", "zh", None),
    ("yuanping", Role.SUPERVISOR, "140981", "阎海军", "zh", None),
    ("xinfu-inspector", Role.INSPECTOR, "140902", "刘晓东", "zh", None),
    ("wutai-inspector", Role.INSPECTOR, "140922", "韩鹏飞", "zh", None),
]
_COUNTY_SUPERVISORS = ("高建平", "薛志强", "白丽娟", "田卫东", "段立新", "梁宏伟", "霍晋生", "武俊杰", "贾海燕",
                       "乔振华", "温向东", "任春生", "侯亚军", "孙玉芳")
_COUNTY_INSPECTORS = ("杨磊", "张鹏飞", "王勇", "苏晓东", "冯斌", "史小龙", "程涛", "胡鑫", "邢军", "郝强",
                      "赵静", "韩超", "刘瑞", "李敏")


def demo_user_specs() -> list[tuple[str, Role, str, str, str, str | None, bool]]:
    """Featured users, then one supervisor (`<county>`) and one inspector (`<county>-inspector`) per county."""
    specs = [(*f, True) for f in _FEATURED]
    taken = {f[0] for f in _FEATURED}
    for i, county in enumerate(COUNTIES):
        slug = _SLUGS[county.code]
        for login, role, name in ((slug, Role.SUPERVISOR, _COUNTY_SUPERVISORS[i]),
                                  (f"{slug}-inspector", Role.INSPECTOR, _COUNTY_INSPECTORS[i])):
            if login not in taken:
                specs.append((login, role, county.code, name, "zh", None, False))
    return specs


def _unit_for(role: Role, division: str, unit: str | None) -> str:
    if unit:
        return unit
    county = next(c for c in COUNTIES if c.code == division)
    return county_safety_committee(county) if role is Role.SUPERVISOR else police_unit(county)


def ensure_users(session: Session, organizations: dict[tuple[str, str], int]) -> tuple[list[DemoLogin], int]:
    """Create the demo users that are missing; existing logins are left untouched.

    The first new user goes through `create_user` (which hashes the password); the others share
    that hash, since they share the documented password: hashing it ~30 times with scrypt would
    add seconds to every `make run` on an empty database and buy nothing for a demo.
    """
    names = dict(session.execute(select(Jurisdiction.code, Jurisdiction.name)).all())
    existing = set(session.scalars(select(User.login)))
    logins, rows, password_hash = [], [], None
    for login, role, division, name, language, unit, featured in demo_user_specs():
        logins.append(DemoLogin(login, DEMO_PASSWORD, role, division, names.get(division, division), name, language,
                                featured))
        if login in existing:
            continue
        unit_name = _unit_for(role, division, unit)
        org_id = organizations.get((unit_name, division)) or organizations.get((unit_name, CITY_CODE))
        email, phone = f"{login}@{EMAIL_DOMAIN}", f"0350-{3_000_000 + len(rows) * 1_117:07d}"
        if password_hash is None:
            user = create_user(session, login=login, password=DEMO_PASSWORD, role=role, jurisdiction_code=division,
                               name=name, email=email, phone=phone, language=language, organization_id=org_id)
            password_hash = user.password_hash
            rows.append(None)
            continue
        rows.append({"login": login, "name": name, "email": email, "phone": phone, "password_hash": password_hash,
                     "role": role, "jurisdiction_code": division, "organization_id": org_id, "language": language,
                     "active": True})
    bulk = [r for r in rows if r is not None]
    if bulk:
        session.execute(insert(User.__table__), bulk)
    return logins, len(rows)


def complete_admin(session: Session, organizations: dict[tuple[str, str], int]) -> None:
    """The set-up made the administrator before the demo's units existed: now it works for the city's
    支队 and has the demo's contact details, as the other demo users do."""
    admin = session.scalar(select(User).where(User.login == ADMIN_LOGIN))
    if admin is not None and admin.organization_id is None:
        admin.organization_id = organizations.get((CITY_POLICE, CITY_CODE))
        admin.email = admin.email or f"{ADMIN_LOGIN}@{EMAIL_DOMAIN}"
        admin.phone = admin.phone or "0350-3000000"
        session.flush()


def user_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(User.login, User.id)).all())


def actor_login(role: str, division: str) -> str:
    """The demo login that acts for a role in a division, e.g. ('supervisor', '140922') -> 'wutai'."""
    if division == CITY_CODE:
        return "xinzhou"
    if division == PROVINCE_CODE:
        return "shanxi"
    slug = _SLUGS[division]
    return slug if role == "supervisor" else f"{slug}-inspector"
