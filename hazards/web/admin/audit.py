"""The admin audit page: who changed which account, unit or vocabulary entry, when, from what to what;
and the wording of an audit row's fields, which the people's and units' own pages share."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from hazards.db import get_session
from hazards.domain.enums import AdminChangeKind, OrganizationKind, Role
from hazards.domain.labels import label
from hazards.i18n import current_language
from hazards.inputs.values import whole_number
from hazards.models import AdminChange, Jurisdiction
from hazards.queries.admin import audit_page
from hazards.web.admin.common import admin_only, bp

# How each recorded field is named on the page: field -> (中文, English)
FIELD_LABELS = {
    "login": ("登录名", "login"), "name": ("名称", "name"), "email": ("邮箱", "e-mail"), "phone": ("电话", "phone"),
    "language": ("界面语言", "language"), "role": ("角色", "role"), "jurisdiction_code": ("辖区", "division"),
    "organization": ("单位", "organization"), "active": ("在用", "in use"),
    "session_version": ("登录会话版本", "session version"), "kind": ("类别", "kind"), "code": ("代码", "code"),
    "name_zh": ("中文名称", "Chinese name"), "name_en": ("英文名称", "English name"), "position": ("排序", "position"),
    "merged_into": ("并入", "merged into"), "merged_into_id": ("并入单位编号", "merged into unit no."),
    "hazards": ("改为指向并入单位的隐患", "hazards now naming it"), "users": ("改属并入单位的用户", "people now in it"),
}
_ENUMS = {"role": Role, "kind": OrganizationKind}


@bp.get("/audit")
@admin_only
def audit():
    """Newest first, filtered by kind, 50 to a page."""
    kind = next((k for k in AdminChangeKind if k.value == request.args.get("kind")), None)
    page = audit_page(get_session(), current_user, kind=kind, page=whole_number(request.args.get("page")) or 1)
    return render_template("admin/audit.html", page=page, kind=kind, kinds=list(AdminChangeKind))


@bp.app_template_filter("admin_kind")
def kind_label(value: str) -> str:
    """An audit row's kind as people read it (a kind this version does not know shows as stored)."""
    member = next((k for k in AdminChangeKind if k.value == value), None)
    return label(member, current_language()) if member else value


@bp.app_template_global()
def audit_changes(row: AdminChange) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field an audit row records, worded for the page."""
    language = current_language()
    before, after = row.before or {}, row.after or {}
    names = dict.fromkeys([*before, *after])
    if row.before is None:  # a record made: what it was made with, its empty fields left out
        names = [name for name in names if after.get(name) not in (None, "", [])]
    return [(_field(name, row.record_type, language), _text(name, before.get(name), language),
             _text(name, after.get(name), language)) for name in names]


def _field(name: str, record_type: str, language: str) -> str:
    if name == "name" and record_type == "user":
        return "full name" if language == "en" else "姓名"
    names = FIELD_LABELS.get(name)
    return name if names is None else names[1 if language == "en" else 0]


def _text(name: str, value, language: str) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return ("yes" if value else "no") if language == "en" else ("是" if value else "否")
    if isinstance(value, list):
        return ("、" if language == "zh" else ", ").join(str(v) for v in value)
    if name in _ENUMS:
        member = next((m for m in _ENUMS[name] if m.value == value), None)
        return label(member, language) if member else str(value)
    if name == "language":
        return {"zh": "中文", "en": "English"}.get(value, str(value))
    if name == "jurisdiction_code":
        division = get_session().get(Jurisdiction, value)
        return f"{(division.name_en or division.name) if language == 'en' else division.name} ({value})" if division \
            else str(value)
    return str(value)
