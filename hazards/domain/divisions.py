"""Administrative division codes (GB/T 2260) and the subtree a user at a level can see.

A 6-digit code carries its own ancestry: 14 is Shanxi, 1409 Xinzhou, 140902 Xinfu district. So
"everything below Xinzhou" is the code range 140900..140999, which an ordinary index serves on
both backends, with no recursive query.
"""

from __future__ import annotations

import re

from hazards.domain.enums import JurisdictionLevel
from hazards.domain.errors import N_, TranslatableValueError

NATIONAL_CODE = "100000"
_CODE = re.compile(r"^\d{6}$")


class DivisionCodeError(TranslatableValueError):
    """Not a 6-digit administrative division code (行政区划代码)."""


def check_code(code: str) -> str:
    code = str(code).strip()
    if not _CODE.match(code):
        raise DivisionCodeError(N_("'%(code)s' is not a 6-digit administrative division code (e.g. 140902)"),
                                {"code": code})
    return code


def level_of(code: str) -> JurisdictionLevel:
    code = check_code(code)
    if code == NATIONAL_CODE:
        return JurisdictionLevel.NATIONAL
    if code.endswith("0000"):
        return JurisdictionLevel.PROVINCE
    if code.endswith("00"):
        return JurisdictionLevel.CITY
    return JurisdictionLevel.COUNTY


def subtree_prefix(code: str) -> str:
    """The code prefix shared by a division and everything below it ('' for the whole country)."""
    return {
        JurisdictionLevel.NATIONAL: "",
        JurisdictionLevel.PROVINCE: code[:2],
        JurisdictionLevel.CITY: code[:4],
        JurisdictionLevel.COUNTY: code,
    }[level_of(code)]


def is_within(code: str, ancestor: str) -> bool:
    """True when `code` is `ancestor` itself or lies below it."""
    return check_code(code).startswith(subtree_prefix(ancestor))


def subtree_range(ancestor: str) -> tuple[str, str] | None:
    """The lowest and highest codes in `ancestor`'s subtree (a range an index serves); None for the
    whole country."""
    prefix = subtree_prefix(ancestor)
    if not prefix:
        return None
    width = 6 - len(prefix)
    return prefix + "0" * width, prefix + "9" * width
