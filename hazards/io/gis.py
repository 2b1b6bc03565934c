"""Division boundaries from an agency's own GIS file (`hazards divisions import`).

The file is a Shapefile (with its .prj; .dbf in GBK or UTF-8), a GeoPackage or a GeoJSON, in any
coordinate system PROJ knows (see `geo.vector_files`). Each feature names its division by a code field
(`code_field`, or the first of `CODE_FIELDS` the file has) and is checked: a known division, a polygon
that is valid or can be made valid (`geo.polygons.as_boundary`), inside China. Several features of one
division (an island drawn apart) are merged. Every problem is listed with its feature number, and
nothing is written unless every feature passes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.coords import CHINA_EXTENT
from geo.messages import GeoError
from geo.polygons import as_boundary, merge_boundaries
from geo.vector_files import VectorFileError, VectorLayer, read_layer
from hazards.domain.divisions import is_within
from hazards.domain.errors import N_, render_english
from hazards.models import Jurisdiction
from hazards.services.boundaries import set_boundary

#: Field names that hold a division code in the boundary files agencies have: the national
#: standard's 行政区划代码 (XZQDM in land-survey data), PAC and adcode (web map exports), and plain ones.
CODE_FIELDS = ("code", "division_code", "adcode", "区划代码", "行政区划代码", "XZQDM", "XZQHDM", "QHDM", "PAC",
               "GB", "DM", "CODE")


@dataclass(frozen=True)
class FeatureError:
    """One problem of a feature (or of the file, `feature` None), as a template and its params."""

    feature: int | None
    field: str | None
    template: str
    params: dict = field(default_factory=dict)
    layer: str | None = None  # named when an import reads more than one layer (roads and their posts)

    @classmethod
    def of(cls, feature: int | None, field_name: str | None, exc: BaseException,
           layer: str | None = None) -> FeatureError:
        template = getattr(exc, "template", None)
        if template is None:
            return cls(feature, field_name, str(exc), layer=layer)
        return cls(feature, field_name, template, dict(getattr(exc, "params", None) or {}), layer)

    @property
    def message(self) -> str:
        return render_english(self.template, self.params)

    def where(self, language: str = "en") -> str:
        if self.feature is None:
            place = "文件" if language == "zh" else "file"
        else:
            place = f"第{self.feature}个要素" if language == "zh" else f"feature {self.feature}"
        if self.layer:
            place = f"{self.layer} {place}"
        return f"{place}, {self.field}" if self.field else place

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


@dataclass
class GisImportReport:
    path: str
    layer: str | None = None
    source_crs: str | None = None
    features_read: int = 0
    written: list[str] = field(default_factory=list)  # the division codes (or road keys) written
    errors: list[FeatureError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.errors)


class FeatureProblem(GeoError):
    """A feature's refusal raised here (the same shape as geo's, so one error path serves both)."""


def open_layer(report: GisImportReport, path, layer, encoding, crs) -> VectorLayer | None:
    """The layer read whole, or None with the reason in the report."""
    try:
        table = read_layer(path, layer, encoding=encoding, crs=crs)
    except VectorFileError as exc:
        report.errors.append(FeatureError.of(None, None, exc))
        return None
    report.layer, report.source_crs, report.features_read = table.layer, table.source_crs, len(table.features)
    report.warnings.extend(table.warnings)
    if not table.features:
        report.errors.append(FeatureError(None, None, N_("'%(file)s' has no features"), {"file": Path(path).name}))
        return None
    return table


def pick_field(report: GisImportReport, table: VectorLayer, wanted: str | None, candidates: tuple[str, ...],
               missing: str | None) -> str | None:
    """The file's own spelling of the field asked for, or of the first candidate it has (any case).
    When there is none: None, and the `missing` template (if any) as a file error."""
    by_fold = {name.casefold(): name for name in table.fields}
    for name in ([wanted] if wanted else list(candidates)):
        if name.casefold() in by_fold:
            return by_fold[name.casefold()]
    params = {"file": Path(table.path).name, "field": wanted, "names": ", ".join(candidates),
              "fields": ", ".join(table.fields)}
    if wanted:
        report.errors.append(FeatureError(None, None, N_("'%(file)s' has no field '%(field)s'; its fields are: "
                                                         "%(fields)s"), params))
    elif missing:
        report.errors.append(FeatureError(None, None, missing, params))
    return None


def division_code(value: Any) -> str:
    """A division code as GIS files hold it: text or a number; the 9- and 12-digit statistical codes
    (430981000, 430981000000) are read as their first six digits."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    if text.isdigit() and len(text) in (9, 12) and set(text[6:]) == {"0"}:
        text = text[:6]
    if not (text.isdigit() and len(text) == 6):
        raise FeatureProblem(N_("'%(value)s' is not a 6-digit administrative division code"), {"value": text})
    return text


def check_within(code: str, within: str | None) -> None:
    """Refuse a division outside `within`'s subtree (an admin writes only their own divisions)."""
    if within is not None and not is_within(code, within):
        raise FeatureProblem(N_("division %(code)s lies outside %(within)s, the divisions you administer"),
                             {"code": code, "within": within})


def import_boundaries(session: Session, path: str | Path, *, code_field: str | None = None, layer: str | None = None,
                      encoding: str | None = None, crs: str | None = None, dry_run: bool = False,
                      extent: tuple[float, float, float, float] = CHINA_EXTENT,
                      within: str | None = None) -> GisImportReport:
    """Check every feature of the file and, when all pass and this is no dry run, store each
    division's boundary (replacing any it had); the caller commits. With `within` (an admin's own
    division), a feature of a division outside its subtree is refused by name."""
    report = GisImportReport(str(path))
    table = open_layer(report, path, layer, encoding, crs)
    if table is None:
        return report
    code_name = pick_field(report, table, code_field, CODE_FIELDS,
                           N_("'%(file)s' has no division code field (looked for %(names)s); name it with "
                              "--code-field (its fields are: %(fields)s)"))
    if code_name is None:
        return report
    known = set(session.scalars(select(Jurisdiction.code)))
    parts: dict[str, list] = defaultdict(list)
    for feature in table.features:
        try:
            code = division_code(feature.properties.get(code_name))
            if code not in known:
                raise FeatureProblem(N_("no division with the code %(code)s is known"), {"code": code})
            check_within(code, within)
        except GeoError as exc:
            report.errors.append(FeatureError.of(feature.number, code_name, exc))
            continue
        try:
            if feature.problem is not None:
                raise feature.problem
            parts[code].append(as_boundary(feature.geometry, extent))
        except GeoError as exc:
            report.errors.append(FeatureError.of(feature.number, None, exc))
    merged = {}
    for code, shapes in parts.items():
        try:
            merged[code] = merge_boundaries(shapes)
        except GeoError as exc:
            report.errors.append(FeatureError.of(None, code_name, exc))
    if report.errors or dry_run:
        return report
    for division in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(merged))):
        set_boundary(division, merged[division.code])
    session.flush()
    report.written = sorted(merged)
    return report
