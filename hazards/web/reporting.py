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
from hazards.inputs import shapes
from hazards.models import Category
from hazards.queries.divisions import list_jurisdictions
from hazards.services.attachments import add_attachment, read_photo
from hazards.services import staged_uploads
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
        return render_template("hazards/new.html", form=MultiDict(), errors={}, duplicates=[], kept_photos=[],
                               upload_token="", offer_swap=False, **form_choices(session))
    store = current_store()
    # Photos chosen earlier and kept while the form came back (a duplicate question, a field to correct).
    token = request.form.get("upload_token") or None
    kept = staged_uploads.load(store, token, current_user.id)
    fresh = [staged_uploads.StagedPhoto(upload.filename, upload.read())
             for upload in request.files.getlist("photos") if upload and upload.filename]
    f = FormReader(request.form)
    form = request.form.copy()
    fresh, refused = _readable(fresh)
    try:
        draft = _draft_from_form(f, [(p.name, p.data) for p in kept + fresh], form)
        if refused is not None:
            raise refused
        duplicates = find_possible_duplicates(session, current_user, draft.geometry, draft.category_codes,
                                              current_app.config["DUPLICATE_RADIUS_M"])
        if duplicates and not request.form.get("not_duplicate"):
            flash(_("An open hazard of the same category lies within %(m)d m. Is this the same one?",
                    m=current_app.config["DUPLICATE_RADIUS_M"]), "warning")
            return _again(session, form, {}, duplicates, kept, fresh, token, 200)
        hazard = report_hazard(session, draft, actor=current_user)
        for photo in kept + fresh:
            add_attachment(session, hazard.id, current_user, data=photo.data, filename=photo.name,
                           phase=AttachmentPhase.BEFORE, store=store)
    except InvalidInput as exc:
        session.rollback()
        flash(error_text(exc), "error")
        extent = current_app.config["COORDINATE_EXTENT"]
        offer_swap = shapes.swap_fits(shapes.read_lonlat(FormReader(form), extent), extent)
        return _again(session, form, {**exc.details.get("fields", {}), **field_texts(exc)}, [], kept, fresh,
                      token, 422, offer_swap=offer_swap)
    session.commit()
    staged_uploads.forget(store, token, current_user.id)
    flash(_("Hazard %(code)s has been logged.", code=hazard.code), "success")
    return redirect(url_for("hazard_pages.detail", hazard_id=hazard.id))


def _again(session, form, errors, duplicates, kept, fresh, token, status, *, offer_swap=False):
    """The form once more, with what was typed and the photos kept for the next save."""
    token = staged_uploads.keep(current_store(), current_user.id, fresh, token if kept else None)
    kept_names = [p.name for p in kept + fresh] if token else []
    return render_template("hazards/new.html", form=form, errors=errors, duplicates=duplicates,
                           kept_photos=kept_names, upload_token=token or "", offer_swap=offer_swap,
                           **form_choices(session)), status


def _readable(photos: list[staged_uploads.StagedPhoto]):
    """The photos that are photos, and the refusal of the first that is not (the form says so; the
    others are kept)."""
    good, refused = [], None
    for photo in photos:
        try:
            read_photo(photo.data)
            good.append(photo)
        except InvalidInput as exc:
            refused = refused or exc
    return good, refused


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


def _draft_from_form(f: FormReader, photos: list[tuple[str, bytes]], form: MultiDict) -> HazardDraft:
    today = clock.today()
    route_code = (f.text("route_code", max_length=16) or "").upper() or None
    jurisdiction_code = f.text("jurisdiction_code") or current_user.jurisdiction_code
    geometry, crs = _location(f, photos, form)
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


def _location(f: FormReader, photos, form: MultiDict):
    """The geometry from, in order: a section drawn on the map, typed lon/lat, a photo's GPS
    (a known route and stake is the last resort, in the caller). A pasted pair is split into the
    re-shown `form`."""
    crs = f.choice("crs", CoordinateInput, default=CoordinateInput.WGS84)
    extent = current_app.config["COORDINATE_EXTENT"]
    try:
        wkt = f.text("geometry_wkt", max_length=20000)
        if wkt:
            return check_hazard_geometry(from_wkt(wkt), extent), CoordinateInput.WGS84
        typed = shapes.read_lonlat(f, extent)
        if typed.split:
            form.setlist("lon", [typed.lon])
            form.setlist("lat", [typed.lat])
        if "lon" in f.errors or "lat" in f.errors:
            return None, crs
        if typed.lon or typed.lat:
            x, y = validate_lonlat(typed.lon, typed.lat, extent=extent)
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
