"""The shared vocabularies, hazard categories and remediation measures, on one pair of pages each:
the list (add, move up or down) and each term's page (names, position, retire or use again)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from hazards.db import get_session
from hazards.domain.errors import N_, NotFound
from hazards.services.admin.vocabulary import (
    VOCABULARIES,
    add_term,
    edit_term,
    move_term,
    set_term_active,
    terms,
)
from hazards.web.admin.common import admin_only, bp, submit
from hazards.web.forms import FormReader

# Each page serves both vocabularies: /admin/categories/... and /admin/measures/...
_BOTH = ("categories", "measures")


def _route(rule: str, **options):
    def register(view):
        for vocabulary in _BOTH:
            bp.add_url_rule(f"/{vocabulary}{rule}", view_func=view, defaults={"vocabulary": vocabulary}, **options)
        return view
    return register


@_route("", methods=["GET", "POST"], endpoint="terms")
@admin_only
def terms_page(vocabulary: str):
    session = get_session()
    model = VOCABULARIES[vocabulary]
    if request.method == "GET":
        return _list_page(vocabulary, MultiDict(), {})
    return submit(
        session, lambda: add_term(session, current_user, model, code=request.form.get("code"),
                                  name_zh=request.form.get("name_zh"), name_en=request.form.get("name_en")),
        done=lambda term: _("%(name)s added.", name=term.name_zh),
        then=url_for("admin.terms", vocabulary=vocabulary),
        again=lambda errors: _list_page(vocabulary, request.form, errors))


@_route("/<int:term_id>", methods=["GET"], endpoint="term")
@admin_only
def term_page(vocabulary: str, term_id: int):
    return _term_page(vocabulary, term_id, None, MultiDict(), {})


@_route("/<int:term_id>", methods=["POST"], endpoint="edit_term")
@admin_only
def rename(vocabulary: str, term_id: int):
    session = get_session()
    model = VOCABULARIES[vocabulary]
    return submit(
        session, lambda: edit_term(session, current_user, model, term_id, name_zh=request.form.get("name_zh"),
                                   name_en=request.form.get("name_en")),
        done=lambda term: _("%(name)s saved.", name=term.name_zh),
        then=url_for("admin.term", vocabulary=vocabulary, term_id=term_id),
        again=lambda errors: _term_page(vocabulary, term_id, "names", request.form, errors))


@_route("/<int:term_id>/move", methods=["POST"], endpoint="move_term")
@admin_only
def move(vocabulary: str, term_id: int):
    """Up or down one place (from the list), or to a position (from the term's page)."""
    session = get_session()
    model = VOCABULARIES[vocabulary]
    direction = request.form.get("direction")

    def move_now():
        f = FormReader(request.form)
        position = None if direction in ("up", "down") else f.integer("position", required=True, minimum=1)
        f.check()
        by = {"up": -1, "down": 1}.get(direction)
        return move_term(session, current_user, model, term_id, by=by, to=position)

    from_list = direction in ("up", "down")
    return submit(
        session, move_now, done=lambda term: _("%(name)s moved.", name=term.name_zh),
        then=url_for("admin.terms", vocabulary=vocabulary) if from_list else
        url_for("admin.term", vocabulary=vocabulary, term_id=term_id),
        again=lambda errors: _term_page(vocabulary, term_id, "position", request.form, errors))


@_route("/<int:term_id>/active", methods=["POST"], endpoint="term_active")
@admin_only
def term_active(vocabulary: str, term_id: int):
    session = get_session()
    model = VOCABULARIES[vocabulary]
    active = request.form.get("active") == "1"
    return submit(
        session, lambda: set_term_active(session, current_user, model, term_id, active),
        done=lambda term: (_("%(name)s is offered again.", name=term.name_zh) if active else
                           _("%(name)s is retired: offered for no new hazard; the hazards that have it keep it.",
                             name=term.name_zh)),
        then=url_for("admin.term", vocabulary=vocabulary, term_id=term_id),
        again=lambda errors: _term_page(vocabulary, term_id, None, MultiDict(), errors))


def _list_page(vocabulary: str, form, errors: dict) -> str:
    return render_template("admin/terms.html", vocabulary=vocabulary,
                           terms=terms(get_session(), VOCABULARIES[vocabulary]), form=form, errors=errors)


def _term_page(vocabulary: str, term_id: int, which: str | None, form, errors: dict) -> str:
    session = get_session()
    ordered = terms(session, VOCABULARIES[vocabulary])
    found = [i for i, t in enumerate(ordered) if t.id == term_id]
    if not found:
        raise NotFound(N_("No such entry %(id)s is known."), {"id": term_id})
    return render_template("admin/term.html", vocabulary=vocabulary, term=ordered[found[0]],
                           position=found[0] + 1, count=len(ordered), which=which, form=form, errors=errors)
