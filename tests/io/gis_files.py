"""GIS files as agencies send them, written by GDAL's own ogr2ogr (the gdal-bin package), not by the
code under test: GeoJSON in WGS-84 is the source, and ogr2ogr reprojects and re-encodes it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

# 沅江市 (Yuanjiang, Hunan): a county the demo does not know. A rough outline, not the real border.
YUANJIANG = ("430981", "沅江市", "Yuanjiang")
YIYANG = ("430900", "益阳市", "Yiyang")
HUNAN = ("430000", "湖南省", "Hunan")
YUANJIANG_OUTLINE = [(112.20, 28.70), (112.55, 28.62), (112.90, 28.72), (112.92, 29.05), (112.50, 29.12),
                     (112.22, 28.98), (112.20, 28.70)]
INSIDE = (112.55, 28.85)
OUTSIDE = (113.60, 28.85)  # about 65 km east, in Yueyang's country


def ogr2ogr() -> str:
    found = shutil.which("ogr2ogr")
    if found is None:
        pytest.fail("ogr2ogr (Debian package gdal-bin, in the Makefile's TEST_PACKAGES) is needed", pytrace=False)
    return found


def feature(properties: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def polygon(ring: list[tuple[float, float]]) -> dict:
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


def line(points: list[tuple[float, float]]) -> dict:
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def convert(source: Path, target: Path, *, srs: str, layer: str | None = None, encoding: str | None = None,
            append: bool = False, keep_cpg: bool = True, geometry_type: str | None = None) -> Path:
    """ogr2ogr `source` (WGS-84 GeoJSON) into `target` (format from its extension) in `srs`."""
    drivers = {".shp": "ESRI Shapefile", ".gpkg": "GPKG", ".geojson": "GeoJSON", ".csv": "CSV"}
    args = [ogr2ogr(), "-f", drivers[target.suffix], "-s_srs", "EPSG:4326", "-t_srs", srs]
    if layer:
        args += ["-nln", layer]
    if encoding:
        args += ["-lco", f"ENCODING={encoding}"]
    if geometry_type:
        args += ["-nlt", geometry_type]
    if append:
        args += ["-update", "-append"]
    if target.suffix == ".csv":
        args += ["-lco", "GEOMETRY=AS_WKT"]
    subprocess.run([*args, str(target), str(source)], check=True, capture_output=True, timeout=60)
    if not keep_cpg:
        target.with_suffix(".cpg").unlink(missing_ok=True)
    return target


def ensure_division(session, code: str, name: str, name_en: str, level, parent: str | None):
    """A division the national registry will carry; added here while this database has no registry."""
    from hazards.models import Jurisdiction

    division = session.get(Jurisdiction, code)
    if division is None:
        division = Jurisdiction(code=code, name=name, name_en=name_en, level=level, parent_code=parent)
        session.add(division)
        session.flush()
    return division


def yuanjiang(session):
    from hazards.domain.enums import JurisdictionLevel

    ensure_division(session, *HUNAN, JurisdictionLevel.PROVINCE, "100000")
    ensure_division(session, *YIYANG, JurisdictionLevel.CITY, HUNAN[0])
    return ensure_division(session, *YUANJIANG, JurisdictionLevel.COUNTY, YIYANG[0])
