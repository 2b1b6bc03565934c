"""The house rules of the code's layout, checked so a newcomer can trust the README's map of it.

- `geo/` is a library of its own: it imports nothing of `hazards` or `tasks`.
- `hazards/domain/` is the pure core: no database, no Flask, nothing of the layers above it.
- `hazards/` keeps few loose modules (wiring, the permission module and the clock); the rest lives in
  packages, and each package says its role in its docstring.
- One clock: no code asks the host for today's date or a zone-less time; `hazards.clock` answers in
  the ledger's zone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_TOP_LEVEL_MODULES = 8  # besides the packages: app, cli, clock, config, db, i18n, permissions, __init__
DOMAIN_MAY_NOT_IMPORT = ("flask", "sqlalchemy", "geoalchemy2", "celery", "hazards.models", "hazards.services",
                         "hazards.queries", "hazards.db", "hazards.web", "hazards.api", "hazards.permissions")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (function-level imports included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _offending(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in sorted(imported_modules(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_geo_is_free_of_the_app():
    assert _offending("geo", ("hazards", "tasks")) == []


def test_the_domain_is_pure():
    assert _offending("hazards/domain", DOMAIN_MAY_NOT_IMPORT) == []


def test_hazards_keeps_its_loose_modules_few():
    loose = sorted(p.name for p in (ROOT / "hazards").glob("*.py"))
    assert len(loose) <= MAX_TOP_LEVEL_MODULES, loose


@pytest.mark.parametrize("package", sorted(
    str(p.parent.relative_to(ROOT)) for p in ROOT.glob("*/**/__init__.py")
    if p.parts[len(ROOT.parts)] in ("hazards", "geo", "tasks")
))
def test_each_package_states_its_role(package):
    docstring = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text()))
    assert docstring and len(docstring) > 30, f"{package}/__init__.py should say what the package is for"


# Calls that read the host's clock in the host's zone (or the database server's), never the ledger's.
HOST_CLOCK_CALLS = {("date", "today"), ("datetime", "today"), ("datetime", "utcnow"), ("time", "localtime"),
                    ("time", "ctime"), ("func", "now"), ("func", "current_date"), ("func", "current_timestamp")}
CLOCK_MODULE = ROOT / "hazards" / "clock.py"
CHECKED_FOR_THE_CLOCK = ("hazards", "tasks", "geo", "tests", "bench", "scripts", "migrations")


def host_clock_calls(source: str, name: str) -> list[str]:
    """`date.today()`, `datetime.now()` without a zone and the like in `source`, as `name:line call`."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
        call = (owner_name, node.func.attr)
        zoneless_now = call == ("datetime", "now") and not node.keywords and (
            not node.args or (isinstance(node.args[0], ast.Constant) and node.args[0].value is None))
        if call in HOST_CLOCK_CALLS or zoneless_now:
            found.append(f"{name}:{node.lineno} {owner_name}.{node.func.attr}()")
    return found


def test_one_clock():
    """Today's date comes from hazards.clock (the ledger's zone), never from the host's zone: on a host
    kept in UTC the 07:30 reminder job runs at 23:30 the day before."""
    found = [hit for folder in CHECKED_FOR_THE_CLOCK for path in sorted((ROOT / folder).rglob("*.py"))
             if path != CLOCK_MODULE for hit in host_clock_calls(path.read_text(), str(path.relative_to(ROOT)))]
    assert found == [], "use hazards.clock.today() / now() instead:\n" + "\n".join(found)


def test_the_walks_find_what_they_look_for():
    """Guard against a check that passes because it read nothing."""
    assert any("hazards.domain" in name for name in imported_modules(ROOT / "hazards" / "permissions.py"))
    assert imported_modules(ROOT / "geo" / "maps.py")
    sample = ("import datetime as dt\nfrom datetime import date, datetime, timezone\n"
              "date.today(); datetime.now(); dt.datetime.now(None); datetime.utcnow(); func.now()\n"
              "datetime.now(timezone.utc); datetime.now(tz=zone); clock.today(); clock.now()\n")
    assert [hit.split(" ")[1] for hit in host_clock_calls(sample, "sample.py")] == [
        "date.today()", "datetime.now()", "datetime.now()", "datetime.utcnow()", "func.now()"]
