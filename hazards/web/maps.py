"""Map data the pages need from the ledger itself, so a map is useful with no basemap at all."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required
from sqlalchemy import func, select

from hazards import clock, permissions
from hazards.db import get_session
from hazards.models import Jurisdiction
from hazards.queries.map_layers import boundaries_geojson, roads_in

bp = Blueprint("maps", __name__)
# The middle of China: where a map opens for a division with neither a boundary nor a road yet.
DEFAULT_CENTER = "104.20,35.90"


def map_center(session, jurisdiction_code: str) -> str:
    """'lon,lat' of the centre of a jurisdiction's boundary; without one, of the roads numbered in it
    or above it; without those, the middle of the country."""
    from hazards.domain.divisions import lineage
    from hazards.models import Road
    from hazards.permissions import within_clause

    dialect = session.get_bind().dialect.name
    boundary = Jurisdiction.__table__.c.boundary
    centroid = func.ST_Centroid(boundary)
    lon, lat = (func.ST_X(centroid), func.ST_Y(centroid)) if dialect == "postgresql" else (func.X(centroid), func.Y(centroid))
    row = session.execute(select(lon, lat).where(Jurisdiction.code == jurisdiction_code,
                                                 boundary.is_not(None))).first()
    if row and row[0] is not None:
        return f"{row[0]:.5f},{row[1]:.5f}"
    geom = Road.__table__.c.geom
    if dialect == "postgresql":
        corners = (func.min(func.ST_XMin(geom)), func.min(func.ST_YMin(geom)),
                   func.max(func.ST_XMax(geom)), func.max(func.ST_YMax(geom)))
    else:
        corners = (func.min(func.MbrMinX(geom)), func.min(func.MbrMinY(geom)),
                   func.max(func.MbrMaxX(geom)), func.max(func.MbrMaxY(geom)))
    box = session.execute(select(*corners).where(within_clause(Road.division_code, jurisdiction_code)
                                                 | Road.division_code.in_(lineage(jurisdiction_code)))).first()
    if box and box[0] is not None:
        return f"{(box[0] + box[2]) / 2:.5f},{(box[1] + box[3]) / 2:.5f}"
    return DEFAULT_CENTER


@bp.get("/maps/boundaries.geojson")
@login_required
@permissions.checked_inside
def boundaries():
    """The boundaries of the user's jurisdiction and the divisions inside it, as GeoJSON."""
    return jsonify(boundaries_geojson(get_session(), current_user))


@bp.get("/maps/completion.geojson")
@login_required
@permissions.checked_inside
def completion():
    """The divisions below the user's with the completion report's numbers for the map's filters
    (批次年度, 督办级别 and 隐患类型): the map's shading, its labels and its legend's caption."""
    from flask import request
    from flask_babel import gettext as _

    from hazards.api.problems import problem
    from hazards.domain.labels import label
    from hazards.i18n import current_language
    from hazards.queries.hazard_list import filters_from_args
    from hazards.queries.map_layers import FIRST_BATCH_YEAR, completion_layer
    from hazards.reports.period import en_date, zh_date

    filters = filters_from_args(request.args)
    year = filters.batch_year
    if year is not None and not FIRST_BATCH_YEAR <= year <= 2100:
        return problem(400, _("The year %(value)s is outside 2000 to 2100.", value=year))
    level = filters.levels[0] if len(filters.levels) == 1 else None
    language = current_language()
    layer = completion_layer(get_session(), current_user, clock.today(), batch_year=year,
                             level=level.value if level else None, category=filters.category, language=language)
    as_of = layer.report.as_of
    day = en_date(as_of) if language == "en" else zh_date(as_of)
    if year:
        caption = _("Completion rate of the %(year)s list, as of %(date)s", year=year, date=day)
    else:
        caption = _("Completion rate of every year's list, as of %(date)s", date=day)
    if level:
        caption = f"{caption} · {label(level, language)}"
    if filters.category:
        from hazards.models import Category

        term = get_session().scalar(select(Category).where(Category.code == filters.category))
        if term is not None:
            caption = f"{caption} · {term.label(language)}"
    return jsonify(type="FeatureCollection", features=layer.geojson["features"], caption=caption)


@bp.get("/maps/roads.geojson")
@login_required
@permissions.checked_inside
def roads():
    """The roads of the user's jurisdiction, so small maps have context when no basemap is configured."""
    return jsonify(roads_in(get_session(), current_user))


@bp.get("/maps/hazards/<int:hazard_id>.geojson")
@login_required
@permissions.checked_inside
def hazard_geometry(hazard_id: int):
    """One hazard's geometry as a GeoJSON Feature, for the inset map on its page."""
    from geo.geometry import from_db, to_geojson
    from hazards.services.access import load_hazard

    hazard = load_hazard(get_session(), hazard_id, current_user)
    return jsonify(type="Feature", id=hazard.code, properties={"code": hazard.code, "title": hazard.title},
                   geometry=to_geojson(from_db(hazard.geom)))


@bp.get("/maps/hazards/<int:hazard_id>/popup")
@login_required
@permissions.checked_inside
def hazard_popup(hazard_id: int):
    """The map popup of one hazard, fetched when it is clicked (the GeoJSON stays small)."""
    from flask import render_template

    from hazards.domain.enums import AttachmentPhase, FundingKind
    from hazards.models import Attachment
    from hazards.services.access import load_hazard
    from hazards.services.funding import funding_totals

    session = get_session()
    hazard = load_hazard(session, hazard_id, current_user)
    photo = session.scalar(select(Attachment).where(Attachment.hazard_id == hazard.id,
                                                    Attachment.content_type.like("image/%"))
                           .order_by((Attachment.phase == AttachmentPhase.AFTER).desc(), Attachment.id.desc()))
    totals = funding_totals(session, hazard.id)
    return render_template("map_popup.html", hazard=hazard, today=clock.today(), photo=photo,
                           spent=totals[FundingKind.SPENDING], budget=totals[FundingKind.BUDGET])
