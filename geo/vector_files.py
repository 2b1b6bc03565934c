"""The GIS files agencies keep: Shapefile, GeoPackage, GeoJSON, and CSV with a WKT column, read and
written through GDAL (the `pyogrio` binding, whose wheels carry GDAL), every geometry brought to
WGS-84 lon/lat on the way in.

Coordinate systems: whatever the file declares (a Shapefile's .prj, a GeoPackage's SRS, a GeoJSON's
`crs`) or the operator names (`crs=`, any EPSG code) is transformed to EPSG:4326 with PROJ (`pyproj`):
CGCS2000 (EPSG:4490), its Gauss-Krüger zones (EPSG:4513-4554, e.g. 4547 for 114°E), Xi'an 1980,
Beijing 1954, UTM. CGCS2000 and WGS-84 differ by well under a metre, far below what a county
boundary or a road line is drawn to, so PROJ's CGCS2000 -> WGS-84 step is taken as an identity. A file
that declares nothing is read as lon/lat when its coordinates look like degrees (with a warning) and
refused otherwise: projected metres without a .prj cannot be placed.

Text encodings: a Shapefile's .dbf carries no reliable encoding of its own. A .cpg beside it (or the
.dbf's language byte) is honoured by GDAL; an operator's `encoding=` wins over both; with neither the
text is read as UTF-8, and when it is not UTF-8, as GB18030 (a superset of GBK and GB2312, what
Chinese desktop GIS writes), saying so in a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.messages import N_, GeoError

WGS84 = "EPSG:4326"
#: What a Chinese Shapefile without a .cpg most often is; GB18030 decodes GBK and GB2312 text too.
CHINESE_FALLBACK_ENCODING = "GB18030"
#: GDAL reports this for a .dbf that declares no encoding at all.
_UNDECLARED = "ISO-8859-1"
DRIVERS = {".shp": "ESRI Shapefile", ".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".csv": "CSV"}
#: Column names GDAL should read a CSV's geometry (WKT) from.
CSV_GEOMETRY_NAMES = "WKT,wkt,geometry,GEOMETRY,geom,几何,空间信息"
#: ... or, for points (kilometre posts), from a longitude and a latitude column.
CSV_LON_NAMES = "lon,LON,longitude,经度,X"
CSV_LAT_NAMES = "lat,LAT,latitude,纬度,Y"


class VectorFileError(GeoError):
    """A file (or a layer of it) that cannot be read or written as a whole."""


@dataclass
class Feature:
    """One feature as read: its 1-based place in the layer, its attributes, its geometry in WGS-84
    (None when the feature has none, or its geometry could not be transformed: see `problem`)."""

    number: int
    properties: dict[str, Any]
    geometry: BaseGeometry | None
    problem: GeoError | None = None


@dataclass
class VectorLayer:
    path: str
    layer: str
    driver: str
    source_crs: str | None
    fields: list[str]
    features: list[Feature]
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None


# --- GDAL in a child process -----------------------------------------------------------------------
# pyogrio's wheel carries its own GDAL with its own SQLite and PROJ; the app's database connections
# load SpatiaLite, which brings the system's. In one process, GDAL's GeoPackage driver then crashes
# the interpreter (a segmentation fault, not an exception) once SpatiaLite was loaded first. So every
# call into GDAL runs in a short-lived child process that never loads SpatiaLite; it costs the child's
# start (about a second), which an import or export run by an operator can spare.

_CHILD_TIMEOUT_S = 600


def layer_names(path: str | Path) -> list[str]:
    """The layers of a file, in its order."""
    return _in_child("_layer_names_here", str(path))


def read_layer(path: str | Path, layer: str | None = None, *, encoding: str | None = None,
               crs: str | None = None) -> VectorLayer:
    """Every feature of one layer (the only one, or `layer`), geometries in WGS-84 lon/lat.

    `crs` overrides what the file declares; `encoding` overrides the .cpg (Shapefile and CSV)."""
    return _in_child("_read_layer_here", str(path), layer, encoding=encoding, crs=crs)


def write_layer(path: str | Path, layer: str, fields: list[str], rows: list[list[Any]],
                geometries: list[BaseGeometry], *, geometry_type: str, append: bool = False,
                crs: str = WGS84) -> None:
    """Write one layer of features in WGS-84; text columns as text, whole numbers as integers.
    A Shapefile is written in UTF-8 with a .cpg saying so; a CSV carries its geometry as a WKT column."""
    _in_child("_write_layer_here", str(path), layer, fields, rows, geometries, geometry_type=geometry_type,
              append=append, crs=crs)


def _in_child(function: str, *args, **kwargs):
    """Run one of this module's `*_here` functions in a fresh interpreter; its GeoError comes back as
    a VectorFileError with the same template, anything else as a VectorFileError with its text."""
    import pickle
    import subprocess
    import sys

    import os

    request = pickle.dumps((function, args, kwargs))
    root = str(Path(__file__).resolve().parents[1])  # where `geo` is, however this process found it
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    try:
        done = subprocess.run([sys.executable, "-m", "geo.vector_files"], input=request, capture_output=True,
                              timeout=_CHILD_TIMEOUT_S, check=False, env=env)
    except subprocess.TimeoutExpired:
        raise VectorFileError(N_("reading or writing the GIS file took longer than %(seconds)s seconds"),
                              {"seconds": _CHILD_TIMEOUT_S}) from None
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        raise VectorFileError(N_("GDAL stopped on the file: %(reason)s"), {"reason": _clip(reason[0], 200)})
    kind, *payload = pickle.loads(done.stdout)
    if kind == "error":
        template, params = payload
        raise VectorFileError(template, params)
    return payload[0]


def _serve_one_request() -> None:
    """The child's side: one pickled call on stdin, its pickled outcome on stdout."""
    import pickle
    import sys

    function, args, kwargs = pickle.loads(sys.stdin.buffer.read())
    try:
        outcome = ("ok", globals()[function](*args, **kwargs))
    except GeoError as exc:
        outcome = ("error", exc.template, exc.params)
    except Exception as exc:  # noqa: BLE001 - whatever GDAL or PROJ raised, said in the parent's terms
        outcome = ("error", N_("'%(file)s' cannot be read: %(reason)s"), {"file": Path(args[0]).name,
                                                                          "reason": _reason(exc)})
    sys.stdout.buffer.write(pickle.dumps(outcome))


def driver_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in DRIVERS:
        raise VectorFileError(N_("'%(file)s' is not a Shapefile (.shp), GeoPackage (.gpkg), GeoJSON (.geojson) "
                                 "or CSV (.csv) file"), {"file": Path(path).name})
    return DRIVERS[suffix]


def _layer_names_here(path: str | Path) -> list[str]:
    import pyogrio

    _check_exists(path)
    try:
        return [str(name) for name, _kind in pyogrio.list_layers(str(path))]
    except Exception as exc:  # noqa: BLE001 - GDAL's own reason is the useful part
        raise VectorFileError(N_("'%(file)s' cannot be read: %(reason)s"),
                              {"file": Path(path).name, "reason": _reason(exc)}) from None


def _read_layer_here(path: str | Path, layer: str | None = None, *, encoding: str | None = None,
                     crs: str | None = None) -> VectorLayer:
    """Every feature of one layer (the only one, or `layer`), geometries in WGS-84 lon/lat.

    `crs` overrides what the file declares; `encoding` overrides the .cpg (Shapefile and CSV)."""
    import pyogrio
    import pyogrio.raw

    path = Path(path)
    driver = driver_for(path)
    names = _layer_names_here(path)
    layer = _pick_layer(path, names, layer)
    options: dict[str, Any] = {}
    if driver == "CSV":
        options = {"GEOM_POSSIBLE_NAMES": CSV_GEOMETRY_NAMES, "KEEP_GEOM_COLUMNS": "NO",
                   "X_POSSIBLE_NAMES": CSV_LON_NAMES, "Y_POSSIBLE_NAMES": CSV_LAT_NAMES}
    warnings: list[str] = []
    try:
        if encoding is None and driver == "ESRI Shapefile":
            declared = pyogrio.read_info(str(path), layer=layer).get("encoding")
            if declared == _UNDECLARED:
                encoding = "UTF-8"  # tried first; GB18030 if the text is not UTF-8
        meta, _fids, wkbs, values = _read(path, layer, encoding, options)
    except UnicodeDecodeError:
        if encoding not in ("UTF-8", None):
            raise VectorFileError(N_("the text of '%(file)s' is not %(encoding)s; give the right encoding"),
                                  {"file": path.name, "encoding": encoding}) from None
        encoding = CHINESE_FALLBACK_ENCODING
        warnings.append(f"{path.name}: no encoding declared (.cpg) and the text is not UTF-8: read as GBK (GB18030)")
        try:
            meta, _fids, wkbs, values = _read(path, layer, encoding, options)
        except UnicodeDecodeError:
            raise VectorFileError(N_("the text of '%(file)s' is neither UTF-8 nor GBK; give its encoding"),
                                  {"file": path.name}) from None
    fields = [str(f) for f in meta["fields"]]
    columns = [_python_values(v) for v in values]
    geometries = [_geometry(w) for w in wkbs] if wkbs is not None else []
    declared_crs = crs or meta.get("crs")
    transform, assumed = _transform_for(path, declared_crs, [g for g, _problem in geometries])
    if assumed:
        warnings.append(f"{path.name}: no coordinate system declared; read as lon/lat (CGCS2000/WGS-84)")
    features = []
    for i in range(len(columns[0]) if columns else len(geometries)):
        geom, problem = geometries[i] if geometries else (None, None)
        if geom is not None and not geom.is_empty:
            try:
                geom = transform(geom)
            except GeoError as exc:
                geom, problem = None, exc
        features.append(Feature(i + 1, {name: column[i] for name, column in zip(fields, columns)}, geom, problem))
    return VectorLayer(str(path), layer, driver, declared_crs, fields, features, warnings,
                       encoding or meta.get("encoding"))


def _write_layer_here(path: str | Path, layer: str, fields: list[str], rows: list[list[Any]],
                      geometries: list[BaseGeometry], *, geometry_type: str, append: bool = False,
                      crs: str = WGS84) -> None:
    """Write one layer of features in WGS-84; text columns as text, whole numbers as integers.
    A Shapefile is written in UTF-8 with a .cpg saying so; a CSV carries its geometry as a WKT column."""
    import pyogrio.raw

    driver = driver_for(path)
    columns = [np.array([row[i] for row in rows], dtype=object) for i in range(len(fields))]
    columns = [_typed(c) for c in columns]
    options: dict[str, Any] = {}
    if driver == "CSV":
        options["layer_options"] = {"GEOMETRY": "AS_WKT"}
        geometry_type = "Unknown"
    if driver == "ESRI Shapefile":
        options["encoding"] = "UTF-8"
    wkb = np.array([shapely.to_wkb(g) for g in geometries], dtype=object)
    try:
        pyogrio.raw.write(str(path), wkb, columns, fields, driver=driver, layer=layer, crs=crs,
                          geometry_type=geometry_type, append=append, **options)
    except Exception as exc:  # noqa: BLE001
        raise VectorFileError(N_("'%(file)s' cannot be written: %(reason)s"),
                              {"file": Path(path).name, "reason": _reason(exc)}) from None


def _read(path: Path, layer: str, encoding: str | None, options: dict):
    import pyogrio.raw

    try:
        return pyogrio.raw.read(str(path), layer=layer, encoding=encoding, **options)
    except UnicodeDecodeError:
        raise
    except Exception as exc:  # noqa: BLE001
        if isinstance(exc.__cause__, UnicodeDecodeError):
            raise exc.__cause__ from None
        raise VectorFileError(N_("'%(file)s' cannot be read: %(reason)s"),
                              {"file": path.name, "reason": _reason(exc)}) from None


def _check_exists(path) -> None:
    if not Path(path).exists():
        raise VectorFileError(N_("there is no file '%(file)s'"), {"file": str(path)})


def _pick_layer(path: Path, names: list[str], wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in names:
            raise VectorFileError(N_("'%(file)s' has no layer '%(layer)s'; its layers are: %(layers)s"),
                                  {"file": path.name, "layer": wanted, "layers": ", ".join(names)})
        return wanted
    if len(names) == 1:
        return names[0]
    if not names:
        raise VectorFileError(N_("'%(file)s' has no layer"), {"file": path.name})
    raise VectorFileError(N_("'%(file)s' has several layers; name one (its layers are: %(layers)s)"),
                          {"file": path.name, "layers": ", ".join(names)})


def _transform_for(path: Path, crs: str | None, geometries: list):
    """(a function taking a geometry to WGS-84, or None for one already there; whether lon/lat was assumed)."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    if not crs:
        bounds = _bounds(geometries)
        if bounds is None or (-180 <= bounds[0] and bounds[2] <= 180 and -90 <= bounds[1] and bounds[3] <= 90):
            return _lonlat_only, bounds is not None
        raise VectorFileError(N_("'%(file)s' declares no coordinate system and its coordinates are not degrees; "
                                 "give it (e.g. EPSG:4547) or add the .prj"), {"file": path.name})
    try:
        source = CRS.from_user_input(crs)
    except CRSError as exc:
        raise VectorFileError(N_("'%(crs)s' is not a coordinate system PROJ knows (%(reason)s)"),
                              {"crs": _clip(str(crs)), "reason": _reason(exc)}) from None
    if source.is_geographic and _is_wgs84_or_cgcs2000(source):
        return _lonlat_only, False
    transformer = Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)

    def to_wgs84(geom: BaseGeometry) -> BaseGeometry:
        moved = shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
        if not np.isfinite(shapely.get_coordinates(moved)).all():
            raise VectorFileError(N_("its coordinates cannot be transformed from %(crs)s"), {"crs": source.name})
        return moved

    return to_wgs84, False


def _geometry(wkb) -> tuple[BaseGeometry | None, GeoError | None]:
    """One feature's geometry, or why it cannot be one (a line of a single point, a broken ring)."""
    if wkb is None:
        return None, None
    try:
        return shapely.from_wkb(wkb), None
    except Exception as exc:  # noqa: BLE001 - GEOS says what is wrong with this one feature
        return None, VectorFileError(N_("the geometry cannot be read: %(reason)s"), {"reason": _reason(exc)})


def _lonlat_only(geom: BaseGeometry) -> BaseGeometry:
    """A geographic geometry as it is, less any height: lon/lat is what the ledger keeps."""
    return shapely.force_2d(geom)


def _is_wgs84_or_cgcs2000(crs) -> bool:
    epsg = crs.to_epsg()
    return epsg in (4326, 4490) or "WGS 84" in crs.name or "CGCS2000" in crs.name or crs.name == "WGS84"


def _bounds(geometries: list) -> tuple[float, float, float, float] | None:
    present = [g for g in geometries if g is not None and not g.is_empty]
    if not present:
        return None
    return tuple(shapely.total_bounds(np.array(present, dtype=object)))


def _python_values(array) -> list:
    """A column as plain Python values: NaN (GDAL's null number) and NaT become None."""
    out = []
    for value in array.tolist():
        if isinstance(value, float) and math.isnan(value):
            value = None
        out.append(value)
    return out


def _typed(column: np.ndarray) -> np.ndarray:
    """A column of whole numbers is written as integers (64-bit); anything else as text."""
    values = column.tolist()
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    return np.array([None if v is None else str(v) for v in values], dtype=object)


def _reason(exc: BaseException) -> str:
    return _clip(str(exc).strip() or type(exc).__name__, 200)


def _clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width] + "…"


if __name__ == "__main__":
    # Through the module's own name, so what goes back pickles as geo.vector_files.*, not __main__.*.
    from geo import vector_files

    vector_files._serve_one_request()
