"""The shared vocabularies: hazard categories (隐患类型) and remediation measures (治理措施).

Any admin keeps them (they are the whole ledger's words, not one division's): add, rename in Chinese
and English, move in the order forms list them, retire and bring back. A term's code never changes,
since ledger files and programs name it. A retired term is offered for no new hazard, while the
hazards that have it keep it and files naming it still import and export.

Names are unique within a vocabulary, codes included and ignoring case: a file's cell "急弯" must
resolve to one term only.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards.domain.enums import AdminChangeKind
from hazards.domain.errors import N_, NotFound
from hazards.models import Category, Measure
from hazards.services.admin import audit
from hazards.services.admin.scope import invalid, require_administrator

NAME_MAX, CODE_MAX = 64, 32
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
VOCABULARIES = {"categories": Category, "measures": Measure}
_KINDS = {
    Category: {"added": AdminChangeKind.CATEGORY_ADDED, "edited": AdminChangeKind.CATEGORY_EDITED,
               "moved": AdminChangeKind.CATEGORY_REORDERED, "off": AdminChangeKind.CATEGORY_DEACTIVATED,
               "on": AdminChangeKind.CATEGORY_REACTIVATED},
    Measure: {"added": AdminChangeKind.MEASURE_ADDED, "edited": AdminChangeKind.MEASURE_EDITED,
              "moved": AdminChangeKind.MEASURE_REORDERED, "off": AdminChangeKind.MEASURE_DEACTIVATED,
              "on": AdminChangeKind.MEASURE_REACTIVATED},
}


def terms(session: Session, model) -> list:
    """Every term of a vocabulary, retired ones too, in the order forms list them."""
    return list(session.scalars(select(model).order_by(model.sort_order, model.id)))


def active_terms(session: Session, model) -> list:
    """The terms offered for a new hazard."""
    return list(session.scalars(select(model).where(model.active.is_(True)).order_by(model.sort_order, model.id)))


def add_term(session: Session, actor, model, *, code: str | None, name_zh: str | None, name_en: str | None):
    """A new term, listed after the others."""
    require_administrator(actor)
    code = (code or "").strip()
    if not code:
        raise invalid("code", N_("required"))
    if len(code) > CODE_MAX or not _CODE.match(code):
        raise invalid("code", N_("a code is lowercase letters, digits and _, starting with a letter, at most %(n)s "
                                 "characters"), {"n": CODE_MAX})
    if session.scalar(select(model.id).where(model.code == code)) is not None:
        raise invalid("code", N_("The code %(code)s is taken."), {"code": code})
    name_zh, name_en = _names(session, model, None, name_zh, name_en, code)
    last = session.scalar(select(model.sort_order).order_by(model.sort_order.desc()).limit(1))
    term = model(code=code, name_zh=name_zh, name_en=name_en, sort_order=(last or 0) + 1, active=True)
    session.add(term)
    session.flush()
    audit.record(session, actor, _KINDS[model]["added"], term, before=None,
                 after={"code": code, "name_zh": name_zh, "name_en": name_en, "position": _position(session, term)})
    return term


def edit_term(session: Session, actor, model, term_id: int, *, name_zh: str | None, name_en: str | None):
    """New Chinese and English names for a term; its code stays."""
    require_administrator(actor)
    term = _term(session, model, term_id)
    name_zh, name_en = _names(session, model, term, name_zh, name_en, term.code)
    before, after = audit.changed({"name_zh": term.name_zh, "name_en": term.name_en},
                                  {"name_zh": name_zh, "name_en": name_en})
    if after:
        term.name_zh, term.name_en = name_zh, name_en
        session.flush()
        audit.record(session, actor, _KINDS[model]["edited"], term, before=before, after=after)
    return term


def move_term(session: Session, actor, model, term_id: int, *, by: int | None = None, to: int | None = None):
    """Move a term `by` places (-1 up, +1 down) or `to` a position (1 = first), within the list."""
    require_administrator(actor)
    term = _term(session, model, term_id)
    ordered = terms(session, model)
    old = ordered.index(term)
    new = old + by if by is not None else (to or 1) - 1
    new = max(0, min(len(ordered) - 1, new))
    if new == old:
        return term
    ordered.insert(new, ordered.pop(old))
    for number, each in enumerate(ordered):  # one numbering, so positions and sort numbers agree
        if each.sort_order != number:
            each.sort_order = number
    session.flush()
    audit.record(session, actor, _KINDS[model]["moved"], term, before={"position": old + 1},
                 after={"position": new + 1})
    return term


def set_term_active(session: Session, actor, model, term_id: int, active: bool):
    """Retire a term or bring it back."""
    require_administrator(actor)
    term = _term(session, model, term_id)
    if term.active == active:
        return term
    term.active = active
    session.flush()
    audit.record(session, actor, _KINDS[model]["on" if active else "off"], term, before={"active": not active},
                 after={"active": active})
    return term


def _term(session: Session, model, term_id: int):
    term = session.get(model, term_id) if 0 < term_id < 2**31 else None
    if term is None:
        raise NotFound(N_("No such entry %(id)s is known."), {"id": term_id})
    return term


def _names(session: Session, model, term, name_zh: str | None, name_en: str | None, code: str) -> tuple[str, str]:
    """Both names, each given, short enough, and not a name or code of another term of the vocabulary."""
    names = {}
    for field, value in (("name_zh", name_zh), ("name_en", name_en)):
        value = (value or "").strip()
        if not value:
            raise invalid(field, N_("required"))
        if len(value) > NAME_MAX:
            raise invalid(field, N_("at most %(n)s characters"), {"n": NAME_MAX})
        names[field] = value
    others = session.execute(select(model.code, model.name_zh, model.name_en)
                             .where(model.id != (term.id if term is not None else -1))).all()
    taken = {spelling.strip().casefold(): other_code for row in others for spelling, other_code in
             ((row.code, row.code), (row.name_zh, row.code), (row.name_en, row.code))}
    for field, value in names.items():
        other = taken.get(value.casefold())
        if other is not None and other != code:
            raise invalid(field, N_("'%(name)s' already names the entry %(code)s."), {"name": value, "code": other})
    return names["name_zh"], names["name_en"]


def _position(session: Session, term) -> int:
    return terms(session, type(term)).index(term) + 1
