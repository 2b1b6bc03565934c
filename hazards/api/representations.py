"""How ledger rows look in the API: plain JSON, enums as their codes, dates as ISO 8601, money as a
string of yuan with two decimals, geometry as a GeoJSON geometry object ([lon, lat], WGS-84)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import url_for
from shapely.geometry import mapping

from geo.geometry import from_db
from hazards.models import Attachment, FundingEntry, Hazard, Notification, Organization, User


def money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{Decimal(amount).quantize(Decimal('0.01'))}"


def geometry(value) -> dict | None:
    """A GeoJSON geometry. Coordinates keep every digit the database holds (shortest round-trip
    float text), so a copy made through the API is equal to the source."""
    geom = from_db(value)
    if geom is None:
        return None
    return _lists(mapping(geom))


def _lists(obj):
    if isinstance(obj, dict):
        return {k: _lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_lists(v) for v in obj]
    return obj


def _value(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        # Stored as naive UTC (hazards.models.base.utcnow): say so, as RFC 3339 requires an offset.
        return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _organization(org: Organization | None) -> dict | None:
    return None if org is None else {"id": org.id, "name": org.name}


_PLAIN_FIELDS = (
    "id", "code", "title", "description", "source", "batch_year", "dynamic_add", "found_on", "found_by_id",
    "jurisdiction_code", "route_code", "road_name", "road_class", "direction", "start_m", "end_m", "place",
    "coordinate_input", "crash_prone", "crash_count", "death_count", "risk_grade", "school_zone", "level",
    "document_no", "listed_on", "deadline", "responsible_person", "responsible_contact", "plan_text",
    "measures_text", "temporary_controls", "planned_start", "planned_end", "status", "completed_on",
    "closure_requested_on", "accepted_on", "acceptance_note", "closed_on", "merged_into_id", "created_at",
    "updated_at", "version",
)


def hazard(h: Hazard, today: date) -> dict:
    body = {name: _value(getattr(h, name)) for name in _PLAIN_FIELDS}
    body.update(
        jurisdiction_name=h.jurisdiction.name,
        overdue=h.is_overdue(today),
        categories=[c.code for c in h.categories],
        measures=[m.code for m in h.measures],
        supervising_body=_organization(h.supervising_body),
        responsible_unit=_organization(h.responsible_unit),
        geometry=geometry(h.geom),
        links={"self": url_for("api.get_hazard", hazard_id=h.id),
               "html": url_for("hazard_pages.detail", hazard_id=h.id)},
    )
    return body


def funding_entry(e: FundingEntry) -> dict:
    return {"id": e.id, "hazard_id": e.hazard_id, "kind": e.kind.value, "source": e.source.value,
            "amount": money(e.amount), "entry_date": e.entry_date.isoformat(), "note": e.note,
            "created_by_id": e.created_by_id, "created_at": _value(e.created_at),
            "reverses_id": e.reverses_id, "reversal_reason": e.reversal_reason}


def attachment(a: Attachment) -> dict:
    return {"id": a.id, "hazard_id": a.hazard_id, "phase": a.phase.value, "original_name": a.original_name,
            "content_type": a.content_type, "size_bytes": a.size_bytes, "sha256": a.sha256, "caption": a.caption,
            "uploaded_by_id": a.uploaded_by_id, "uploaded_at": _value(a.uploaded_at),
            "download_url": url_for("hazard_pages.attachment", attachment_id=a.id)}


def notification(n: Notification) -> dict:
    return {"id": n.id, "title": n.title, "body": n.body, "created_at": _value(n.created_at),
            "read_at": _value(n.read_at), "read": n.read_at is not None, "kind": n.kind, "hazard_id": n.hazard_id}


def user(u: User) -> dict:
    return {"id": u.id, "login": u.login, "name": u.name, "role": u.role.value,
            "jurisdiction_code": u.jurisdiction_code, "jurisdiction_name": u.jurisdiction.name,
            "organization": _organization(u.organization), "language": u.language}
