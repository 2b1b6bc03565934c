"""The national division registry: every province, city and county-level division (GB/T 2260).

The registry ships with the product as `hazards/reference_data/divisions.csv` (written by
`scripts/refresh_divisions.py`; its first line names the source and edition), so an agency anywhere
starts from an empty database without fetching anything. Each row gives the code, the Chinese and
English (pinyin) name, the level and the parent. Parents follow the administration, not the code
pattern: the districts of 北京, 天津, 上海 and 重庆 and the county-level cities a province governs
directly (429004 仙桃市, 419001 济源市) hang under their province; 东莞, 中山, 儋州 and 嘉峪关 are
cities with no county below them.

Loading is idempotent and takes a handful of statements whatever the number of rows: new divisions
are inserted, changed names, levels and parents updated, and a division the registry no longer lists
is kept but marked inactive, so the hazards, users and reports that name it still resolve.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from hazards.domain.divisions import level_of
from hazards.domain.enums import JurisdictionLevel
from hazards.models import Jurisdiction

REGISTRY_FILE = Path(__file__).resolve().parents[1] / "reference_data" / "divisions.csv"
_CHUNK = 500  # codes per IN (...) list


@dataclass(frozen=True)
class RegisteredDivision:
    code: str
    name: str
    name_en: str
    level: JurisdictionLevel
    parent_code: str | None


@dataclass(frozen=True)
class Registry:
    """The divisions of one edition of the registry file, by code (parents before children)."""

    edition: str
    divisions: dict[str, RegisteredDivision]

    def get(self, code: str) -> RegisteredDivision | None:
        return self.divisions.get(code)

    def count_by_level(self) -> dict[JurisdictionLevel, int]:
        return dict(Counter(d.level for d in self.divisions.values()))


@cache
def read_registry(path: Path = REGISTRY_FILE) -> Registry:
    """The registry file, read and checked once per process: a broken file fails loudly here."""
    with open(path, encoding="utf-8", newline="") as fh:
        text = fh.read().splitlines()
    comments = [line[1:].strip() for line in text if line.startswith("#")]
    edition = next((c.removeprefix("source:").strip() for c in comments if c.startswith("source:")), "")
    divisions: dict[str, RegisteredDivision] = {}
    for row in csv.DictReader(line for line in text if not line.startswith("#")):
        code, level = row["code"], JurisdictionLevel(row["level"])
        if level is not level_of(code):  # also refuses a code that is not 6 digits
            raise ValueError(f"{path.name}: {code} is listed as {level.value}, its code says {level_of(code).value}")
        parent = row["parent_code"] or None
        if parent is not None and parent not in divisions:
            raise ValueError(f"{path.name}: {code}'s parent {parent} is not listed before it")
        divisions[code] = RegisteredDivision(code, row["name"], row["name_en"], level, parent)
    return Registry(edition, divisions)


@dataclass
class RegistryLoad:
    """What a load changed: codes added, updated (name, level, parent) and retired, and the total."""

    edition: str = ""
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)  # no longer in the registry, kept inactive
    total: int = 0

    def summary(self) -> str:
        return (f"{self.total} in the registry; {len(self.added)} added, {len(self.updated)} updated, "
                f"{len(self.retired)} no longer listed (kept, inactive)")


def load_registry(session: Session, registry: Registry | None = None) -> RegistryLoad:
    """Bring the jurisdictions table in line with the registry, in bulk; the caller commits.

    Boundaries are left alone (they come from the agency's own files)."""
    registry = registry or read_registry()
    table = Jurisdiction.__table__
    have = {row.code: row for row in session.execute(
        select(table.c.code, table.c.name, table.c.name_en, table.c.level, table.c.parent_code, table.c.active))}
    outcome = RegistryLoad(edition=registry.edition, total=len(registry.divisions))
    new_rows, changed_rows = [], []
    for code, d in registry.divisions.items():  # in file order: parents first, as the foreign key wants
        values = {"name": d.name, "name_en": d.name_en, "level": d.level, "parent_code": d.parent_code,
                  "active": True}
        known = have.get(code)
        if known is None:
            new_rows.append({"code": code, **values})
            outcome.added.append(code)
        elif (known.name, known.name_en, known.level, known.parent_code, known.active) != tuple(values.values()):
            changed_rows.append({"b_code": code, **values})
            outcome.updated.append(code)
    if new_rows:
        session.execute(insert(table), new_rows)
    if changed_rows:
        session.execute(update(table).where(table.c.code == bindparam("b_code")), changed_rows)
    outcome.retired = sorted(code for code, row in have.items() if code not in registry.divisions and row.active)
    for i in range(0, len(outcome.retired), _CHUNK):
        session.execute(update(table).where(table.c.code.in_(outcome.retired[i:i + _CHUNK])).values(active=False))
    if outcome.updated or outcome.retired:  # the statements went around the ORM: reload what it holds
        for instance in list(session.identity_map.values()):
            if isinstance(instance, Jurisdiction):
                session.expire(instance)
    session.flush()
    return outcome
