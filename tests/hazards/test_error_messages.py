"""Every error message a person can be shown reads in Chinese.

The templates are collected by walking the source of the services, the domain rules, the input
readers and geo for `N_("...")` marks; each is rendered with sample params under the zh locale. A
second walk makes sure the refusals those modules raise use such a template, not a built sentence,
so a new English-only `raise InvalidInput(f"...")` fails here rather than in front of a user.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

import hazards
from geo.messages import GeoError
from hazards.domain.errors import ServiceError, TranslatableValueError
from hazards.i18n import translate_message

ROOT = Path(hazards.__file__).resolve().parent.parent
# Where the refusals that reach people are raised.
SOURCES = ["hazards/services", "hazards/domain", "hazards/inputs", "hazards/web/refusals.py", "hazards/io/readers.py",
           "hazards/io/columns.py", "hazards/io/importer.py", "hazards/io/exporter.py", "hazards/reports/request.py",
           "hazards/reports/period.py", "hazards/reports/build.py", "hazards/api/inbox.py", "hazards/api/imports.py",
           "geo/coords.py", "geo/stakes.py", "geo/geometry.py", "hazards/web/unavailable.py", "tasks/enqueue.py",
           "geo/vector_files.py", "geo/polygons.py",
           "geo/calibration.py", "hazards/io/gis.py", "hazards/io/roads.py", "hazards/storage", "geo/spatial.py",
           "hazards/api/problems.py", "hazards/api/auth.py", "hazards/api/paging.py", "hazards/api/payload.py",
           "hazards/api/ogc.py", "hazards/api/hazards.py", "hazards/api/blueprints.py"]
PEOPLES_ERRORS = (ServiceError, GeoError, TranslatableValueError)
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")
# Latin words a Chinese sentence may keep: names of formats, encodings and coordinate systems, units,
# and values people type as they are.
_KEPT_WORDS = {"WKT", "GeoJSON", "JSON", "JPEG", "PNG", "WebP", "Excel", "CSV", "UTF", "GBK", "GB", "WGS", "CGCS",
               "FeatureCollection", "features", "csv", "xlsx", "xls", "geojson", "MB", "Decimal", "NUL", "true",
               "false", "zh", "en", "Shapefile", "GeoPackage", "shp", "gpkg", "prj", "EPSG", "PROJ", "GDAL",
               "Polygon", "MultiPolygon", "LineString", "MultiLineString", "Point", "code", "field", "within",
               # what a program sends as it stands, quoted in the API's problems: parameters, headers, media types
               "bbox", "minlon", "minlat", "maxlon", "maxlat", "cursor", "limit", "unread", "json", "html", "file",
               "API", "Authorization", "Bearer", "CSRFToken", "Content", "Type", "application", "multipart", "form",
               "data"}


def _modules() -> list[Path]:
    paths = []
    for source in SOURCES:
        path = ROOT / source
        paths.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return paths


def _templates() -> list[str]:
    found = set()
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return sorted(found)


TEMPLATES = _templates()


def test_the_walk_finds_the_known_refusals():
    """Guards the walk itself: an empty or partial collection would make the next test pass vacuously."""
    for known in ("No hazard %(id)s is known.", "The deadline %(date)s is in the past.",
                  "'%(text)s' is not a stake; expected a form like K12+300",
                  "(%(lon)s, %(lat)s): latitude %(lat)s is outside -90..90",
                  "No road %(route)s is known in %(division)s; place the hazard on the map.",
                  "must be a date (YYYY-MM-DD)"):
        assert known in TEMPLATES
    assert len(TEMPLATES) > 100


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_error_template_reads_in_chinese(app, template):
    params = {name: "123" for name in _PLACEHOLDER.findall(template)}
    with app.test_request_context(), force_locale("zh"):
        text = translate_message(template, params)
    assert text != template % params, "no Chinese for this message"
    assert re.search(r"[\u4e00-\u9fff]", text), text
    # Only the params (here "123") and the kept words may stay in Latin letters.
    leftover = [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in _KEPT_WORDS]
    assert not leftover, f"English left in {text!r}"


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_chinese_keeps_every_placeholder(template):
    from scripts.zh_messages import ZH

    assert set(_PLACEHOLDER.findall(ZH[template])) == set(_PLACEHOLDER.findall(template))


def _raised_sentences():
    """(place, raise) pairs where a person-facing error is built from a finished string."""
    bad = []
    for path in _modules():
        module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(module_name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                    and isinstance(node.exc.func, ast.Name) and node.exc.args):
                continue
            raised = getattr(module, node.exc.func.id, None)
            if not (isinstance(raised, type) and issubclass(raised, PEOPLES_ERRORS)):
                continue
            first = node.exc.args[0]
            if isinstance(first, ast.JoinedStr) or (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return bad


def test_refusals_are_raised_with_a_template_not_a_sentence():
    assert _raised_sentences() == []
