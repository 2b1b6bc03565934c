"""How ledger rows look in the API: plain JSON, enums as their codes, dates as ISO 8601, money as a
string of yuan with two decimals, geometry as a GeoJSON geometry object ([lon, lat], WGS-84)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import current_app, request, url_for
from shapely.geometry import mapping

from geo.geometry import from_db
from hazards.db import get_session
from hazards.models import Attachment, FundingEntry, Hazard, Notification, Organization, User
from hazards.api.priority_json import priority_body
from hazards.queries import hazard_json
from hazards.queries.priority import priorities


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


def hazard(h: Hazard, today: date) -> dict:
    """The hazard as the API shows it (what a POST, PATCH or transition answers), read back as the list
    and the single GET read it, so it looks exactly the same in all of them."""
    session = get_session()
    session.flush()
    return hazard_by_id(session, h.id, today)


def hazard_by_id(session, hazard_id: int, today: date) -> dict:
    row = session.execute(hazard_json.by_id(hazard_id, session.get_bind().dialect, today, link_prefixes())).one()
    body = json.loads(hazard_json.item_text(row))
    # The priority as the list gives it (hazards.api.priority_json): from the same facts, loaded here.
    body["priority"] = priority_body(priorities(session, [session.get(Hazard, hazard_id)], today)[hazard_id])
    return body


def link_prefixes() -> hazard_json.LinkPrefixes:
    """The `self` and `html` links of hazards without their ids: url_for once per mount point of the
    app (the request's script root), not per item nor per request."""
    known = current_app.extensions.setdefault("hazard_link_prefixes", {})
    prefixes = known.get(request.script_root)
    if prefixes is None:
        prefixes = known[request.script_root] = hazard_json.LinkPrefixes(
            api=_prefix("api.get_hazard"), html=_prefix("hazard_pages.detail"))
    return prefixes


def _prefix(endpoint: str) -> str:
    probe = url_for(endpoint, hazard_id=1)
    if not probe.endswith("/1"):  # both routes end with the id; a change of route must change this
        raise RuntimeError(f"{endpoint} no longer ends with the hazard id: {probe}")
    return probe[:-1]


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
