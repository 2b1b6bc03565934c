"""Logging a hazard (上报): the form, its location inputs, the duplicate check, photos."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from geo.coords import CoordinateError, to_wgs84, validate_lonlat
from geo.geometry import GeometryError, check_hazard_geometry, from_wkt, point
from geo.stakes import StakeError, parse_section
from hazards import clock, permissions
from hazards.db import get_session
from hazards.domain.drafts import HazardDraft
from hazards.domain.enums import (
    AttachmentPhase,
    CoordinateInput,
    Direction,
    JurisdictionLevel,
    RiskGrade,
    RoadClass,
    Source,
)
from hazards.domain.errors import InvalidInput
from hazards.i18n import error_text, field_texts
from hazards.models import Category
from hazards.queries.divisions import list_jurisdictions
from hazards.services.attachments import add_attachment, read_photo
from hazards.services.duplicates import find_possible_duplicates
from hazards.services.registration import report_hazard
from hazards.services.roads import locate_by_stake
from hazards.storage import current_store
from hazards.web.forms import FormReader
from hazards.web.maps import map_center

bp = Blueprint("reporting", __name__)

ROUTE_LETTER_CLASS = {"G": RoadClass.NATIONAL, "S": RoadClass.PROVINCIAL, "X": RoadClass.COUNTY,
                      "Y": RoadClass.TOWNSHIP, "C": RoadClass.VILLAGE, "Z": RoadClass.SPECIAL}


def form_choices(session):
    counties = list_jurisdictions(session, current_user, level=JurisdictionLevel.COUNTY, current_only=True)
    # Retired categories are offered for no new hazard (hazards.services.admin.vocabulary).
    categories = session.scalars(select(Category).where(Category.active.is_(True)).order_by(Category.sort_order)).all()
    return {"counties": counties, "categories": categories, "sources": list(Source), "road_classes": list(RoadClass),
            "directions": list(Direction), "risk_grades": list(RiskGrade), "crs_choices": list(CoordinateInput),
            "map_center": map_center(session, current_user.jurisdiction_code)}


@bp.route("/hazards/new", methods=["GET", "POST"])
@login_required
@permissions.checked_inside
def new():
    session = get_session()
    if request.method == "GET":
        return render_template("hazards/new.html", form=MultiDict(), errors={}, duplicates=[], **form_choices(session))
    photos = [f for f in request.files.getlist("photos") if f and f.filename]
    photo_data = [(f.filename, f.read()) for f in photos]
    try:
        draft = _draft_from_form(FormReader(request.form), photo_data)
        duplicates = find_possible_duplicates(session, current_user, draft.geometry, draft.category_codes,
                                              current_app.config["DUPLICATE_RADIUS_M"])
        if duplicates and not request.form.get("not_duplicate"):
            flash(_("An open hazard of the same category lies within %(m)d m. Is this the same one?",
                    m=current_app.config["DUPLICATE_RADIUS_M"]), "warning")
            return render_template("hazards/new.html", form=request.form, errors={}, duplicates=duplicates,
                                   **form_choices(session)), 200
        hazard = report_hazard(session, draft, actor=current_user)
        for filename, data in photo_data:
            add_attachment(session, hazard.id, current_user, data=data, filename=filename,
                           phase=AttachmentPhase.BEFORE, store=current_store())
    except InvalidInput as exc:
        session.rollback()
        flash(error_text(exc), "error")
        return render_template("hazards/new.html", form=request.form,
                               errors={**exc.details.get("fields", {}), **field_texts(exc)},
                               duplicates=[], **form_choices(session)), 422
    session.commit()
    flash(_("Hazard %(code)s has been logged.", code=hazard.code), "success")
    return redirect(url_for("hazard_pages.detail", hazard_id=hazard.id))


@bp.post("/hazards/photo-location")
@login_required
@permissions.own_records
def photo_location():
    """Where a photo was taken, for the form's "use the photo's position" button."""
    upload = request.files.get("photo")
    if upload is None:
        return jsonify(error=_("No photo was sent.")), 400
    try:
        info = read_photo(upload.read())
    except InvalidInput as exc:
        return jsonify(error=error_text(exc)), 422
    if info.lonlat is None:
        return jsonify(error=_("The photo carries no GPS position.")), 422
    return jsonify(lon=round(info.lonlat[0], 7), lat=round(info.lonlat[1], 7))


def _draft_from_form(f: FormReader, photos: list[tuple[str, bytes]]) -> HazardDraft:
    today = clock.today()
    route_code = (f.text("route_code", max_length=16) or "").upper() or None
    jurisdiction_code = f.text("jurisdiction_code") or current_user.jurisdiction_code
    geometry, crs = _location(f, photos)
    start_m = end_m = None
    direction = f.choice("direction", Direction)
    stakes = f.text("stakes", max_length=40)
    if stakes:
        try:
            start_m, end_m, descending = parse_section(stakes)
            # Written high stake first: the down carriageway (下行), unless the form says otherwise.
            if descending and direction is None:
                direction = Direction.DOWN
        except StakeError as exc:
            f.errors["stakes"] = _("Stake: %(detail)s", detail=error_text(exc))
    if geometry is None and route_code and start_m is not None and "location" not in f.errors:
        try:
            geometry = locate_by_stake(get_session(), route_code, start_m, end_m, jurisdiction_code)
        except InvalidInput as exc:
            f.errors["location"] = _("Location: %(detail)s", detail=error_text(exc))
    found_on = f.date("found_on") or today
    draft_fields = dict(
        title=f.text("title", required=True, max_length=200) or "",
        description=f.text("description"),
        jurisdiction_code=jurisdiction_code,
        batch_year=f.integer("batch_year", default=found_on.year, minimum=2000),
        found_on=found_on,
        source=f.choice("source", Source, default=Source.PATROL),
        dynamic_add=f.boolean("dynamic_add"),
        route_code=route_code,
        road_name=f.text("road_name", max_length=100),
        road_class=f.choice("road_class", RoadClass) or (ROUTE_LETTER_CLASS.get(route_code[0]) if route_code else None),
        direction=direction,
        start_m=start_m, end_m=end_m,
        place=f.text("place", max_length=200),
        category_codes=f.values("categories"),
        # The 事故多发 and 学校周边 categories are the flags: one tick, not two.
        crash_prone="crash_prone" in f.values("categories"),
        crash_count=f.integer("crash_count", default=0, minimum=0),
        death_count=f.integer("death_count", default=0, minimum=0),
        risk_grade=f.choice("risk_grade", RiskGrade),
        school_zone="school_area" in f.values("categories"),
        temporary_controls=f.text("temporary_controls"),
        coordinate_input=crs,
    )
    if geometry is None and "location" not in f.errors:
        f.errors["location"] = _(
            "Give the location: click the map, type longitude and latitude, give a known route and stake, "
            "or attach a photo with GPS.")
    f.check()
    return HazardDraft(geometry=geometry, **draft_fields)


def _location(f: FormReader, photos):
    """The geometry from, in order: a section drawn on the map, typed lon/lat, a photo's GPS
    (a known route and stake is the last resort, in the caller)."""
    crs = f.choice("crs", CoordinateInput, default=CoordinateInput.WGS84)
    extent = current_app.config["COORDINATE_EXTENT"]
    try:
        wkt = f.text("geometry_wkt", max_length=20000)
        if wkt:
            return check_hazard_geometry(from_wkt(wkt), extent), CoordinateInput.WGS84
        lon, lat = f.text("lon"), f.text("lat")
        if lon or lat:
            x, y = validate_lonlat(lon, lat, extent=extent)
            x, y = to_wgs84(x, y, crs.value)
            return check_hazard_geometry(point(x, y), extent), crs
        for _name, data in photos:
            try:
                info = read_photo(data)
            except InvalidInput:
                continue
            if info.lonlat:
                return check_hazard_geometry(point(*info.lonlat), extent), CoordinateInput.WGS84
    except (CoordinateError, GeometryError) as exc:
        f.errors["location"] = _("Location: %(detail)s", detail=error_text(exc))
    return None, crs
