"""Administrative division codes (GB/T 2260) and the subtree a user at a level can see.

A 6-digit code carries its own ancestry: 14 is Shanxi, 1409 Xinzhou, 140902 Xinfu district. So
"everything below Xinzhou" is the code range 140900..140999, which an ordinary index serves on
both backends, with no recursive query.
"""

from __future__ import annotations

import re

from hazards.domain.enums import JurisdictionLevel, SupervisionLevel
from hazards.domain.errors import N_, TranslatableValueError

NATIONAL_CODE = "100000"
_CODE = re.compile(r"^\d{6}$")


class DivisionName(str):
    """A division's name as an error param: its Chinese name, or the English one for English readers."""

    def __new__(cls, name: str, name_en: str | None):
        made = super().__new__(cls, name)
        made.name_en = name_en or name
        return made

    def text(self, language: str) -> str:
        return self.name_en if language == "en" else str(self)


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


def lineage(code: str) -> list[str]:
    """The division and its ancestors, nearest first: 140902 -> 140902, 140900, 140000, 100000."""
    code = check_code(code)
    chain = [code]
    level = level_of(code)
    if level is JurisdictionLevel.COUNTY:
        chain.append(code[:4] + "00")
    if level in (JurisdictionLevel.COUNTY, JurisdictionLevel.CITY):
        chain.append(code[:2] + "0000")
    if level is not JurisdictionLevel.NATIONAL:
        chain.append(NATIONAL_CODE)
    return chain


def unit_divisions(jurisdiction_code: str, level: SupervisionLevel) -> list[str]:
    """The divisions whose organizations a hazard may name as supervising body (督办单位) or responsible
    unit (责任单位), nearest first: its own and those above it; the national bodies (公安部) only when
    the Ministry supervises it."""
    chain = lineage(jurisdiction_code)
    if level is SupervisionLevel.MINISTRY:
        return chain
    return [code for code in chain if code != NATIONAL_CODE]
