"""Accounts from a sheet (批量导入用户): an agency going live brings its people in one file.

The sheet (XLSX or CSV, read by `hazards.io.readers`) has a header row with the Chinese column names
登录名, 姓名, 角色, 辖区代码 (required) and 单位, 邮箱, 电话, 初始密码, 语言 (optional); English names
are accepted too. Every row is checked first, with the same rules as the admin's form (the admin must
manage the row's division; the unit must be of that division or one above and in use), and every
problem is named with its row number. Nothing is written unless every row is good.

An initial password is either in the sheet (and must pass the password rules) or generated. Generated
ones are returned to the caller to be shown once; only their hashes are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hazards import permissions
from hazards.domain.divisions import DivisionCodeError, check_code, lineage
from hazards.domain.enums import AdminChangeKind, Role
from hazards.domain.errors import N_, InvalidInput, TranslatableValueError
from hazards.domain.labels import fold, lookup_table
from hazards.domain.passwords import WeakPassword, check_new_password, generate_password
from hazards.io.columns import fold_header
from hazards.io.readers import ImportFileError, open_sheet
from hazards.models import Jurisdiction, Organization, User
from hazards.services.admin import audit
from hazards.services.admin.accounts import access_of, details_of
from hazards.services.admin.scope import require_administrator
from hazards.services.users import UserError, checked_details, create_user

MAX_BYTES = 5 * 1024 * 1024
# Each password is hashed with scrypt (about 0.14 s on a busy 2-core host, measured), inside the web
# request: 500 people take about 70 s there, within the web workers' 120 s (HAZARDS_WEB_TIMEOUT). A
# larger staff comes in several sheets.
MAX_ROWS = 500
# key -> (the Chinese header, other spellings accepted)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "login": ("登录名", ("login", "账号", "用户名")),
    "name": ("姓名", ("name",)),
    "role": ("角色", ("role",)),
    "jurisdiction_code": ("辖区代码", ("division code", "division", "jurisdiction", "jurisdiction code",
                                       "行政区划代码", "辖区")),
    "organization": ("单位", ("organization", "unit", "所在单位")),
    "email": ("邮箱", ("email", "e-mail", "电子邮箱")),
    "phone": ("电话", ("phone", "联系电话", "手机")),
    "password": ("初始密码", ("password", "initial password", "密码")),
    "language": ("语言", ("language",)),
}
REQUIRED = ("login", "name", "role", "jurisdiction_code")
_HEADERS = {fold_header(spelling): key for key, (zh, others) in COLUMNS.items() for spelling in (key, zh, *others)}


class SheetProblem(TranslatableValueError):
    """Why one row cannot become an account."""


class SheetRefused(InvalidInput):
    """The sheet as a whole, or some of its rows, cannot be imported; `details['rows']` holds
    (row number, problem) pairs, in row order."""


@dataclass
class NewAccount:
    row: int
    login: str
    name: str
    role: Role
    jurisdiction_code: str
    organization_id: int | None
    email: str | None
    phone: str | None
    language: str
    password: str
    generated: bool  # the password was made here, and is to be shown once


@dataclass
class Imported:
    user: User
    password: str | None  # the generated password, for showing once; None when the sheet gave it


def import_users(session: Session, actor, path: Path) -> list[Imported]:
    """Every account of the sheet, or none (SheetRefused naming each bad row)."""
    require_administrator(actor)
    accounts = read_accounts(session, actor, path)
    imported = []
    try:
        with session.begin_nested():
            for account in accounts:
                user = create_user(session, login=account.login, password=account.password, role=account.role,
                                   jurisdiction_code=account.jurisdiction_code, name=account.name,
                                   email=account.email, phone=account.phone, language=account.language,
                                   organization_id=account.organization_id)
                imported.append(Imported(user, account.password if account.generated else None))
    except (UserError, IntegrityError):  # a login taken meanwhile by someone else's import
        raise SheetRefused(N_("Nothing was imported: a login of the sheet was taken meanwhile; import it again to "
                              "see which."), rows=[]) from None
    for item in imported:
        session.refresh(item.user, ["organization"])
        audit.record(session, actor, AdminChangeKind.USER_IMPORTED, item.user, before=None,
                     after=access_of(item.user) | details_of(item.user), jurisdiction_code=item.user.jurisdiction_code)
    return imported


def read_accounts(session: Session, actor, path: Path) -> list[NewAccount]:
    """The sheet's rows as accounts to make, every row checked; SheetRefused if any is wrong."""
    try:
        sheet = open_sheet(path, is_header=_is_header, max_bytes=MAX_BYTES)
    except ImportFileError as exc:
        raise SheetRefused(exc.template, exc.params, rows=[]) from None
    columns = {header: _HEADERS[fold_header(header)] for header in sheet.headers if fold_header(header) in _HEADERS}
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in columns.values()]
    if missing:
        raise SheetRefused(N_("The sheet lacks the columns %(columns)s."), {"columns": missing}, rows=[])
    rows = []
    for number, cells in sheet.rows():
        rows.append((number, {key: _text(cells.get(header)) for header, key in columns.items()}))
        if len(rows) > MAX_ROWS:
            raise SheetRefused(N_("The sheet has more than %(n)s people; split it."), {"n": MAX_ROWS}, rows=[])
    if not rows:
        raise SheetRefused(N_("The sheet lists nobody."), rows=[])
    return _checked(session, actor, rows)


def _checked(session: Session, actor, rows: list[tuple[int, dict]]) -> list[NewAccount]:
    divisions = dict(session.execute(select(Jurisdiction.code, Jurisdiction.active)).all())
    units: dict[str, list[Organization]] = {}
    for organization in session.scalars(select(Organization)):
        units.setdefault(organization.name, []).append(organization)
    logins = [values["login"] for _, values in rows if values["login"]]
    taken = {login for i in range(0, len(logins), 500)
             for login in session.scalars(select(User.login).where(User.login.in_(logins[i:i + 500])))}
    roles = lookup_table(Role)
    first_row: dict[str, int] = {}
    accounts, problems = [], []
    for number, values in rows:
        try:
            accounts.append(_account(number, values, actor, divisions, units, roles, taken, first_row))
        except (SheetProblem, UserError) as exc:
            problems.append((number, exc))
    if problems:
        raise SheetRefused(N_("Nothing was imported: %(count)s of %(total)s rows have errors. Correct them and "
                              "import the whole sheet again."), {"count": len(problems), "total": len(rows)},
                           rows=problems)
    return accounts


def _account(number: int, values: dict, actor, divisions: dict[str, bool], units: dict, roles: dict, taken: set[str],
             first_row: dict[str, int]) -> NewAccount:
    for key in REQUIRED:
        if not values.get(key):
            raise SheetProblem(N_("%(column)s is empty."), {"column": COLUMNS[key][0]})
    details = checked_details(login=values["login"], name=values["name"], email=values.get("email"),
                              phone=values.get("phone"), language=values.get("language") or "zh")
    login = details["login"]
    if login in taken:
        raise SheetProblem(N_("The login '%(login)s' is taken."), {"login": login})
    if login in first_row:
        raise SheetProblem(N_("The login '%(login)s' is also on row %(row)s."),
                           {"login": login, "row": first_row[login]})
    first_row[login] = number
    role = roles.get(fold(values["role"]))
    if role is None:
        raise SheetProblem(N_("'%(role)s' is not a role; use one of %(choices)s."),
                           {"role": values["role"], "choices": tuple(Role)})
    try:
        code = check_code(values["jurisdiction_code"])
    except DivisionCodeError as exc:
        raise SheetProblem(exc.template, exc.params) from None
    if code not in divisions:
        raise SheetProblem(N_("No division has the code %(code)s."), {"code": code})
    if not divisions[code]:
        raise SheetProblem(N_("Division %(code)s is no longer in the national registry; give the division that "
                              "took its place."), {"code": code})
    if not permissions.can_manage(actor, code):
        raise SheetProblem(N_("You may not manage %(division)s."), {"division": code})
    organization_id = _unit(values.get("organization"), code, units)
    password, generated = values.get("password"), False
    if password:
        try:
            check_new_password(password)
        except WeakPassword as exc:
            raise SheetProblem(exc.template, exc.params) from None
    else:
        password, generated = generate_password(), True
    return NewAccount(number, login, details["name"], role, code, organization_id, details["email"], details["phone"],
                      details["language"], password, generated)


def _unit(name: str | None, code: str, units: dict[str, list[Organization]]) -> int | None:
    """The unit of that name nearest the person's division (its own, then each above it), in use."""
    if not name:
        return None
    chain = lineage(code)
    candidates = sorted((o for o in units.get(name, []) if o.jurisdiction_code in chain),
                        key=lambda o: chain.index(o.jurisdiction_code))
    for organization in candidates:
        if organization.active:
            return organization.id
    if candidates:
        raise SheetProblem(N_("%(unit)s is no longer in use."), {"unit": name})
    raise SheetProblem(N_("%(unit)s is not a unit of %(division)s or of a division above it; add it on the "
                          "organizations page first."), {"unit": name, "division": code})


def _is_header(cells: list) -> bool:
    """The header row names at least two of the sheet's columns (title rows above it do not)."""
    return sum(1 for c in cells if c is not None and fold_header(c) in _HEADERS) >= 2


def _text(value) -> str:
    """A cell as the text typed: Excel keeps 140902 and 13800000000 as numbers, 140902.0 when calculated."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()
