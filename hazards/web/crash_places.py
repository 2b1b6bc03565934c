"""The crash-prone places page (/crashes/places, supervisors): the rule in force in words, the period,
the places ranked, each with its crashes on a small map, and the two decisions as forms: register
the place as a hazard (事故倒查), or mark it covered by a hazard already in the ledger."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hazards import permissions
from hazards.db import get_session
from hazards.domain.errors import Conflict, InvalidInput, ServiceError
from hazards.i18n import current_language, error_text
from hazards.queries.crash_place_views import crash_points, division_names, place_properties
from hazards.services import crash_places
from hazards.services.crash_places import place_geometries

bp = Blueprint("crash_places", __name__)
#: Places shown with their own small map; the rest of a long list (a province's) is the table alone.
MAPPED_PLACES = 60


def period_args(args) -> tuple[date | None, date | None]:
    """The period asked for (from, to) as dates; a malformed date is the caller's mistake (400)."""
    found = []
    for name in ("from", "to"):
        text = (args.get(name) or "").strip()
        try:
            found.append(date.fromisoformat(text) if text else None)
        except ValueError:
            abort(400, description=_("'%(value)s' is not a date (YYYY-MM-DD).", value=text[:40]))
    return found[0], found[1]


def division_arg(args) -> str:
    return (args.get("jurisdiction") or current_user.jurisdiction_code).strip()


@bp.get("/crashes/places")
@login_required
@permissions.requires(permissions.reviews_crashes)
def index():
    return _page()


def _page(refusal: str | None = None, status: int = 200, args=None):
    args = args or request.args
    session = get_session()
    rule = crash_places.rule_from_settings()
    start, end = period_args(args)
    period = crash_places.period_for(rule, start, end)
    code = division_arg(args)
    places = crash_places.identify(session, current_user, code, start=period.start, end=period.end, rule=rule)
    names = division_names(session, places, current_language())
    points = crash_points(session, places[:MAPPED_PLACES])
    maps = {}
    shapes = place_geometries(session, places[:MAPPED_PLACES])
    for place in places[:MAPPED_PLACES]:
        shape = shapes[place.key]
        maps[place.key] = {"place": shape.__geo_interface__ if shape else None,
                           "crashes": [points[i] for i in place.crash_ids if i in points]}
    return render_template("crashes/places.html", rule=rule, period=period, places=places, names=names, maps=maps,
                           mapped=MAPPED_PLACES, jurisdiction=code, refusal=refusal,
                           may_decide=permissions.can_review_crashes(current_user, code),
                           properties=place_properties), status


def _back_args() -> dict:
    return {k: request.form.get(k, "") for k in ("from", "to", "jurisdiction") if request.form.get(k)}


def _decide(work, success):
    """Run one decision: (its result, None), or (None, the page) when refused in a way the supervisor
    can act on (already decided, nothing to place it by), with the list as it now stands."""
    session = get_session()
    try:
        ids = [int(v) for v in request.form.getlist("crash_ids") if v.strip().isdigit() and len(v.strip()) < 10]
        result = work(session, ids)
    except (Conflict, InvalidInput) as exc:
        session.rollback()
        return None, _page(error_text(exc), exc.status, args=_back_args())
    except ServiceError:
        session.rollback()
        raise
    session.commit()
    flash(success(result), "success")
    return result, None


@bp.post("/crashes/places/register")
@login_required
@permissions.requires(permissions.reviews_crashes)
def register():
    hazard, refused = _decide(lambda session, ids: crash_places.register_candidate(session, current_user, ids),
                              lambda made: _("Registered as hazard %(code)s: %(title)s", code=made.code,
                                             title=made.title))
    return refused or redirect(url_for("hazard_pages.detail", hazard_id=hazard.id), code=303)


@bp.post("/crashes/places/cover")
@login_required
@permissions.requires(permissions.reviews_crashes)
def cover():
    code = (request.form.get("hazard_code") or "").strip()[:64]
    if not code:
        return _page(_("Give the code of the hazard that covers this place."), 400, args=_back_args())

    def work(session, ids):
        hazard = crash_places.find_hazard(session, current_user, code)
        return hazard, crash_places.mark_covered(session, current_user, hazard, ids)

    _done, refused = _decide(work, lambda done: _("%(n)s crashes marked as covered by hazard %(code)s.",
                                                  n=done[1], code=done[0].code))
    return refused or redirect(url_for("crash_places.index", **_back_args()), code=303)
