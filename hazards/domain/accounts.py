"""What an account's own details may hold: login, name, e-mail, phone and interface language.

One rule for every way an account is made or changed (the admin's form, the sheet import, the
command line), so a sheet cannot bring an e-mail address the form would refuse. Each check returns
the cleaned value or raises `AccountFieldError` naming the field, with a message people read.
"""

from __future__ import annotations

import re

from hazards.domain.errors import N_, TranslatableValueError

LOGIN_MAX, NAME_MAX, EMAIL_MAX, PHONE_MAX = 64, 64, 254, 32
LANGUAGES = ("zh", "en")
# Letters of any script, digits and . _ - @: a login is typed at the login page and shown in the
# audit, so no spaces or control characters (a login with a space is two words on every list).
_LOGIN = re.compile(r"^[\w.@\-]+$")
# Deliberately plain: one @, something before it, a dotted domain after it, no spaces. Whether the
# mailbox exists only a sent message can tell; this catches "not-an-email" and typing slips.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
# Landlines and mobiles as written in China: 0350-3033123, 138 0000 0000, +86 13800000000, 转 for extensions.
_PHONE = re.compile(r"^\+?[\d\s\-()转]{3,}$")


class AccountFieldError(TranslatableValueError):
    """One field of an account that cannot hold what was given."""

    def __init__(self, template: str, params: dict | None = None, *, field: str):
        self.field = field
        super().__init__(template, params)


def check_login(login: str) -> str:
    login = (login or "").strip()
    if not login:
        raise AccountFieldError(N_("A login is required."), field="login")
    if len(login) > LOGIN_MAX:
        raise AccountFieldError(N_("A login has at most %(n)s characters."), {"n": LOGIN_MAX}, field="login")
    if not _LOGIN.match(login):
        raise AccountFieldError(N_("'%(login)s' cannot be a login: use letters, digits and . _ - @ only, "
                                   "without spaces."), {"login": login}, field="login")
    return login


def check_name(name: str | None, fallback: str) -> str:
    """The name people see; the login when none is given."""
    name = (name or "").strip() or fallback
    if len(name) > NAME_MAX:
        raise AccountFieldError(N_("A name has at most %(n)s characters."), {"n": NAME_MAX}, field="name")
    return name


def check_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise AccountFieldError(N_("'%(email)s' is not an e-mail address (like name@example.cn)."),
                                {"email": email[:80]}, field="email")
    return email


def check_phone(phone: str | None) -> str | None:
    phone = (phone or "").strip()
    if not phone:
        return None
    if len(phone) > PHONE_MAX or not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 3:
        raise AccountFieldError(N_("'%(phone)s' is not a phone number (digits, with - + ( ) or spaces)."),
                                {"phone": phone[:40]}, field="phone")
    return phone


def check_language(language: str | None) -> str:
    language = (language or "zh").strip()
    if language not in LANGUAGES:
        raise AccountFieldError(N_("The interface language is zh or en, not '%(language)s'."),
                                {"language": language[:20]}, field="language")
    return language
