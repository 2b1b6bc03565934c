"""REST resources of the ledger under /api/v1: hazards, their transitions, funding and attachments.

Each view parses the request, calls the one service the web UI calls for the same thing (so the
permission checks, requirements and audit rows are the same), commits, and writes JSON.
"""

from __future__ import annotations

import json
from datetime import date

from flask import current_app, jsonify, request, url_for
from sqlalchemy import select

from hazards import clock, permissions
from hazards.api import representations as rep
from hazards.api.auth import api_user
from hazards.api.blueprints import api_blueprint
from hazards.api.paging import decode_cursor, encode_cursor, limit_from, reject_unknown
from hazards.api.payload import JsonReader, json_object
from hazards.api.priority_json import Reasons, with_priority
from hazards.api.problems import ApiProblem, bad_request
from hazards.db import get_session
from hazards.domain.divisions import DivisionCodeError, check_code
from hazards.domain.drafts import HazardDraft, section_in_order
from hazards.domain.enums import (
    AttachmentPhase,
    CoordinateInput,
    Direction,
    RiskGrade,
    RoadClass,
    Source,
    Status,
    SupervisionLevel,
)
from hazards.domain.errors import N_, InvalidInput, RequirementsMissing
from hazards.domain.priority import priority as score_of
from hazards.domain.workflow import TRANSITIONS
from hazards.inputs import shapes
from hazards.inputs.values import NOT_A_CHOICE, ChoiceCodes, whole_number
from hazards.models import Attachment, FundingEntry
from hazards.queries import api_list
from hazards.queries import hazard_list as listing
from hazards.queries import hazard_json
from hazards.queries import priority
from hazards.queries.actions import actions_for
from hazards.services import editing, requirements
from hazards.services.access import load_hazard
from hazards.services.attachments import add_attachment
from hazards.services.funding import REASON_MAX, add_funding, funding_totals, reverse_funding
from hazards.services.registration import report_hazard
from hazards.services.requirements import ActionInput
from hazards.services.workflow import change_status
from hazards.storage import current_store

bp = api_blueprint("api", __name__, "/api/v1")

LIST_PARAMS = frozenset({"status", "level", "category", "route", "batch_year", "overdue", "open", "jurisdiction",
                         "q", "sort", "limit", "cursor"})
_FLAGS = {"1": True, "true": True, "0": False, "false": False}

# Fields a client may send when reporting a hazard, beyond the required title and geometry.
CREATE_FIELDS = frozenset({
    "title", "geometry", "coordinate_input", "jurisdiction_code", "batch_year", "found_on", "description",
    "source", "dynamic_add", "route_code", "road_name", "road_class", "direction", "start_m", "end_m", "place",
    "categories", "measures", "crash_prone", "crash_count", "death_count", "risk_grade", "school_zone",
    "temporary_controls", "responsible_person", "responsible_contact", "measures_text",
})
ACTION_FIELDS = shapes.ACTION_FIELDS | {"action", "version"}


# --- hazards -------------------------------------------------------------------------------------


@bp.get("/hazards")
@permissions.checked_inside
def list_hazards():
    """The web list's filters, in a stable order, a page at a time (keyset cursor)."""
    args = request.args
    reject_unknown(args, LIST_PARAMS)
    filters, sort = _filters(args), args.get("sort", "found")
    limit = limit_from(args)
    cursor = args.get("cursor")
    params = {}
    if cursor:
        if sort == "found":
            day, params["cursor_id"] = decode_cursor(cursor, (str, int))
            try:
                params["cursor_day"] = date.fromisoformat(day)
            except ValueError:
                raise bad_request(N_("The cursor is not valid: use the next link of a previous page."), cursor="invalid") from None
        elif sort == "priority":
            params["cursor_rank"], params["cursor_id"] = decode_cursor(cursor, (int, int))
        else:
            (params["cursor_id"],) = decode_cursor(cursor, (int,))
    today = clock.today()
    # Core statements of columns: run on the connection, past the ORM's entity machinery.
    rows = api_list.page_rows(get_session().connection(), api_user(), filters, sort=sort, cursor=params, limit=limit,
                              today=today, links=rep.link_prefixes())
    weights = priority.current_weights()
    scored = [(row, score_of(priority.facts_from_row(row), weights, today)) for row in rows]

    def rank(row, p):  # the stored rank the page was keyed on, when it was (the same, computed, otherwise)
        stored = row._mapping.get("priority_rank")
        return priority.rank_of(p) if stored is None else stored

    if sort == "priority":
        scored.sort(key=lambda rs: (rank(*rs), rs[0].id), reverse=True)
    more, scored = len(scored) > limit, scored[:limit]
    next_cursor = None
    if more:
        last, last_priority = scored[-1]
        next_cursor = encode_cursor([str(last.found_on), last.id] if sort == "found"
                                    else [rank(last, last_priority), last.id] if sort == "priority" else [last.id])
    links = {"self": request.full_path.rstrip("?")}
    if next_cursor:
        links["next"] = url_for("api.list_hazards", **{**args.to_dict(flat=False), "cursor": next_cursor})
    # The items are the database's JSON texts: joined, not parsed and written again.
    tail = json.dumps({"limit": limit, "next_cursor": next_cursor, "links": links}, separators=(",", ":"))
    reasons = Reasons()
    items = (with_priority(hazard_json.item_text(row), p, reasons) for row, p in scored)
    body = '{"items":[' + ",".join(items) + "]," + tail[1:]
    return current_app.response_class(body + "\n", mimetype="application/json")


def _filters(args) -> listing.HazardFilters:
    errors: dict[str, str] = {}

    def members(enum_cls, name):
        values = args.getlist(name)
        wrong = [v for v in values if v not in enum_cls.values()]
        if wrong:
            errors[name] = "must be one of: " + ", ".join(enum_cls.values())
        return [enum_cls(v) for v in values if v not in wrong]

    def flag(name):
        raw = args.get(name)
        if raw is not None and raw not in _FLAGS:
            errors[name] = "must be 1, 0, true or false"
        return _FLAGS.get(raw, False)

    batch_year = whole_number(args.get("batch_year"))
    if "batch_year" in args and not (batch_year is not None and 2000 <= batch_year <= 2100):
        errors["batch_year"] = "must be a year from 2000 to 2100"
    jurisdiction = args.get("jurisdiction") or None
    if jurisdiction:
        try:
            check_code(jurisdiction)
        except DivisionCodeError:
            errors["jurisdiction"] = "must be a 6-digit division code"
    if args.get("sort", "found") not in ("found", "id", "priority"):
        errors["sort"] = "must be found, id or priority"
    filters = listing.HazardFilters(
        statuses=members(Status, "status"), levels=members(SupervisionLevel, "level"),
        category=args.get("category") or None, route_code=args.get("route") or None,
        batch_year=batch_year if "batch_year" not in errors else None,
        overdue=flag("overdue"), open_only=flag("open"),
        jurisdiction_code=jurisdiction if "jurisdiction" not in errors else None, text=args.get("q") or None,
    )
    if errors:
        raise bad_request(N_("Some query parameters are wrong: %(names)s."), {"names": ", ".join(errors)}, **errors)
    return filters


@bp.get("/hazards/<id:hazard_id>")
@permissions.checked_inside
def get_hazard(hazard_id: int):
    session = get_session()
    hazard = load_hazard(session, hazard_id, api_user())
    body = rep.hazard_by_id(session, hazard.id, clock.today())
    body["funding_totals"] = {kind.value: rep.money(total) for kind, total in funding_totals(session, hazard.id).items()}
    response = jsonify(body)
    response.headers["ETag"] = f'W/"{hazard.version}"'
    return response


@bp.post("/hazards")
@permissions.checked_inside
def create_hazard():
    """Report (上报) a hazard: the same draft rules and permission check as the web form."""
    user = api_user()
    f = JsonReader(json_object(), CREATE_FIELDS)
    today = clock.today()
    crs = f.choice("coordinate_input", CoordinateInput, default=CoordinateInput.WGS84)
    found_on = f.date("found_on") or today
    route_code = f.text("route_code", max_length=16)
    values = dict(
        title=f.text("title", required=True, max_length=200) or "",
        geometry=f.geometry("geometry", crs, required=True),
        coordinate_input=crs,
        jurisdiction_code=f.text("jurisdiction_code", max_length=6) or user.jurisdiction_code,
        batch_year=f.integer("batch_year", default=found_on.year, minimum=2000, maximum=2100),
        found_on=found_on,
        description=f.text("description", max_length=20000),
        source=f.choice("source", Source, default=Source.PATROL),
        dynamic_add=f.boolean("dynamic_add"),
        route_code=route_code.upper() if route_code else None,
        road_name=f.text("road_name", max_length=100),
        road_class=f.choice("road_class", RoadClass),
        direction=f.choice("direction", Direction),
        start_m=f.integer("start_m", minimum=0),
        end_m=f.integer("end_m", minimum=0),
        place=f.text("place", max_length=200),
        category_codes=f.codes("categories") or [],
        measure_codes=f.codes("measures") or [],
        crash_prone=f.boolean("crash_prone"),
        crash_count=f.integer("crash_count", default=0, minimum=0),
        death_count=f.integer("death_count", default=0, minimum=0),
        risk_grade=f.choice("risk_grade", RiskGrade),
        school_zone=f.boolean("school_zone"),
        temporary_controls=f.text("temporary_controls", max_length=20000),
        responsible_person=f.text("responsible_person", max_length=64),
        responsible_contact=f.text("responsible_contact", max_length=64),
        measures_text=f.text("measures_text", max_length=20000),
    )
    if found_on > today:
        f.fail("found_on", N_("is in the future"))
    f.check()
    values["start_m"], values["end_m"], values["direction"] = section_in_order(
        values["start_m"], values["end_m"], values["direction"])
    session = get_session()
    hazard = report_hazard(session, HazardDraft(**values), actor=user)
    session.commit()
    response = jsonify(rep.hazard(hazard, today))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_hazard", hazard_id=hazard.id)
    return response


@bp.patch("/hazards/<id:hazard_id>")
@permissions.checked_inside
def update_hazard(hazard_id: int):
    """Edit fields of the version the client read; a stale version is a 409 listing what changed."""
    f = JsonReader(json_object(), set(editing.EDITABLE) | {"version", "categories"})
    version = shapes.read_version(f, required=True)
    # PATCH: only the fields sent change.
    changes = shapes.read_hazard_changes(f, [name for name in editing.EDITABLE if f.has(name)])
    categories = f.codes("categories")
    f.check()
    session = get_session()
    hazard = editing.update_hazard(session, hazard_id, api_user(), changes, expected_version=version,
                                   category_codes=categories)
    session.commit()
    return jsonify(rep.hazard(hazard, clock.today()))


# --- workflow ------------------------------------------------------------------------------------


@bp.get("/hazards/<id:hazard_id>/transitions")
@permissions.checked_inside
def list_transitions(hazard_id: int):
    """The actions this caller may take now, and what each still needs if nothing more is supplied."""
    session, user = get_session(), api_user()
    hazard = load_hazard(session, hazard_id, user)
    items = [
        {"action": t.action, "target": t.target.value, "label_zh": t.zh, "label_en": t.en,
         "requires": list(t.requires),
         "missing": requirements.missing(session, hazard, t.requires, ActionInput())}
        for t in actions_for(user, hazard).transitions
    ]
    return jsonify(status=hazard.status.value, version=hazard.version, items=items)


@bp.post("/hazards/<id:hazard_id>/transitions")
@permissions.checked_inside
def take_transition(hazard_id: int):
    """Take a workflow action through `change_status`: 409 when the status does not allow it, 403
    for the wrong role or level, 422 with `missing` (requirement codes) when something is lacking."""
    f = JsonReader(json_object(), ACTION_FIELDS)
    action = f.text("action", required=True, max_length=32)
    if action and action not in TRANSITIONS:
        f.fail("action", NOT_A_CHOICE, {"choices": ChoiceCodes(TRANSITIONS)})
    given = shapes.read_action(f)
    version = shapes.read_version(f)
    f.check()
    session = get_session()
    try:
        hazard = change_status(session, hazard_id, action, api_user(), given, expected_version=version)
    except RequirementsMissing as exc:
        # Name what is missing in words too, not only as codes.
        exc.details["missing_labels"] = [requirements.REQUIREMENT_LABELS[c][1] for c in exc.details["missing"]]
        raise
    session.commit()
    return jsonify(rep.hazard(hazard, clock.today()))


# --- funding -------------------------------------------------------------------------------------


@bp.get("/hazards/<id:hazard_id>/funding")
@permissions.checked_inside
def list_funding(hazard_id: int):
    session = get_session()
    hazard = load_hazard(session, hazard_id, api_user())
    entries = session.scalars(select(FundingEntry).where(FundingEntry.hazard_id == hazard.id)
                              .order_by(FundingEntry.entry_date, FundingEntry.id))
    totals = funding_totals(session, hazard.id)
    return jsonify(items=[rep.funding_entry(e) for e in entries],
                   totals={kind.value: rep.money(total) for kind, total in totals.items()})


@bp.post("/hazards/<id:hazard_id>/funding")
@permissions.checked_inside
def create_funding(hazard_id: int):
    """One line of budget, allocation or spending, in yuan (a string with at most two decimals).
    A line above the plausibility limit is a 422 unless the body says `confirm_large: true`."""
    f = JsonReader(json_object(), {"kind", "source", "amount", "entry_date", "note", "confirm_large"})
    line = shapes.read_funding_line(f)
    f.check()
    session = get_session()
    entry = add_funding(session, hazard_id, api_user(), kind=line.kind, source=line.source, amount=line.amount,
                        entry_date=line.entry_date, note=line.note,
                        limit_wan=current_app.config["FUNDING_LINE_WARN_WAN"], confirm_large=line.confirm_large)
    session.commit()
    return jsonify(rep.funding_entry(entry)), 201


@bp.post("/hazards/<id:hazard_id>/funding/<id:entry_id>/reversal")
@permissions.checked_inside
def reverse_funding_line(hazard_id: int, entry_id: int):
    """Void a line with a reversing line (the negative amount, a reason); a line is reversed once."""
    f = JsonReader(json_object(), {"reason"})
    reason = f.text("reason", required=True, max_length=REASON_MAX)
    f.check()
    session = get_session()
    reversal = reverse_funding(session, hazard_id, entry_id, api_user(), reason=reason)
    session.commit()
    return jsonify(rep.funding_entry(reversal)), 201


# --- attachments ---------------------------------------------------------------------------------


@bp.get("/hazards/<id:hazard_id>/attachments")
@permissions.checked_inside
def list_attachments(hazard_id: int):
    session = get_session()
    hazard = load_hazard(session, hazard_id, api_user())
    items = session.scalars(select(Attachment).where(Attachment.hazard_id == hazard.id)
                            .order_by(Attachment.uploaded_at, Attachment.id))
    return jsonify(items=[rep.attachment(a) for a in items])


@bp.post("/hazards/<id:hazard_id>/attachments")
@permissions.checked_inside
def upload_attachment(hazard_id: int):
    """multipart/form-data: `file` (JPEG/PNG/WebP photo, or PDF for phase=document), `phase`, `caption`."""
    if request.mimetype != "multipart/form-data":
        raise ApiProblem(415, N_("Send the file as multipart/form-data with a 'file' part."))
    errors: dict[str, str] = {}
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors["file"] = "required"
    raw_phase = request.form.get("phase") or AttachmentPhase.DURING.value
    if raw_phase not in AttachmentPhase.values():
        errors["phase"] = "must be one of: " + ", ".join(AttachmentPhase.values())
    caption = (request.form.get("caption") or "").strip() or None
    if caption and (len(caption) > 200 or "\x00" in caption):
        errors["caption"] = "at most 200 characters, no NUL"
    if upload is not None and "\x00" in (upload.filename or ""):
        errors["file"] = "the file name contains a NUL character"
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    session = get_session()
    item = add_attachment(session, hazard_id, api_user(), data=upload.read(), filename=upload.filename,
                          phase=AttachmentPhase(raw_phase), store=current_store(), caption=caption)
    session.commit()
    return jsonify(rep.attachment(item)), 201
