"""People from a sheet: the upload form, a blank sheet to fill in, and the result.

Generated initial passwords are shown once, on the answer to the upload itself, with the same list as
an XLSX sheet carried inside that page (a `data:` link): the server keeps only the hashes, so the
page is marked not to be stored, and there is no address from which the passwords could be fetched
again.
"""

from __future__ import annotations

import base64
import io
import re
import tempfile
from pathlib import Path

from flask import make_response, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from hazards import clock
from hazards.db import get_session
from hazards.domain.enums import Role
from hazards.domain.errors import N_
from hazards.domain.labels import label
from hazards.i18n import current_language, error_text, translate_message
from hazards.io.spreadsheet_text import xlsx_value
from hazards.services.admin.user_sheet import COLUMNS, MAX_BYTES, MAX_ROWS, Imported, SheetRefused, import_users
from hazards.web.admin.common import admin_only, bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ROW_ERRORS = 200  # a sheet wrong on every row says so in its count; the page lists this many


@bp.route("/users/import", methods=["GET", "POST"])
@admin_only
def import_people():
    if request.method == "GET":
        return _form_page([], None)
    upload = request.files.get("sheet")
    if upload is None or not upload.filename:
        return _form_page([], _("Choose the sheet (.xlsx or .csv) to import.")), 422
    session = get_session()
    with tempfile.TemporaryDirectory() as folder:
        # The reader tells formats apart by the name's suffix and names the file in its messages; the
        # name keeps letters (Chinese too), digits, . _ -, and nothing that could leave the folder.
        name = re.sub(r"[^\w.\-]", "_", Path(upload.filename).name)[-100:].lstrip(".") or "sheet"
        path = Path(folder) / name
        upload.save(path)
        try:
            imported = import_users(session, current_user, path)
        except SheetRefused as exc:
            session.rollback()
            rows = [translate_message(N_("Row %(row)s: %(problem)s"), {"row": n, "problem": problem})
                    for n, problem in exc.details.get("rows", [])]
            return _form_page(rows, error_text(exc)), 422
    session.commit()
    response = make_response(render_template(
        "admin/user_import_done.html", imported=imported, sheet_link=_password_sheet_link(imported),
        download_name=f"初始密码-{clock.today():%Y%m%d}.xlsx"))
    response.headers["Cache-Control"] = "no-store"  # the generated passwords are on this page
    return response


@bp.get("/users/import/template.xlsx")
@admin_only
def import_template():
    """A sheet with the columns filled in by one example row, to be overwritten."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "用户"
    sheet.append([zh for zh, _others in COLUMNS.values()])
    sheet.append(["xinfu-zhang", "张三", label(Role.INSPECTOR, "zh"), current_user.jurisdiction_code, "", "",
                  "", "", "zh"])
    for column in "ABCDEFGHI":
        sheet.column_dimensions[column].width = 16
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name="用户导入模板.xlsx")


def _form_page(row_errors: list[str], error: str | None) -> str:
    return render_template("admin/user_import.html", row_errors=row_errors[:SHOWN_ROW_ERRORS],
                           more_errors=max(0, len(row_errors) - SHOWN_ROW_ERRORS), error=error,
                           max_rows=MAX_ROWS, max_mb=MAX_BYTES // 2**20,
                           columns=[zh for zh, _others in COLUMNS.values()])


def _password_sheet_link(imported: list[Imported]) -> str | None:
    """The generated passwords as an XLSX file inside a data: address, or None when none was generated."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    generated = [item for item in imported if item.password]
    if not generated:
        return None
    language = current_language()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("初始密码" if language == "zh" else "passwords")
    sheet.append(["登录名", "姓名", "角色", "辖区代码", "初始密码"] if language == "zh" else
                 ["login", "name", "role", "division code", "initial password"])

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, xlsx_value(value))
        cell.data_type = "s"  # a name starting with '=' stays text
        return cell

    for item in generated:
        user = item.user
        sheet.append([text(user.login), text(user.name), text(label(user.role, language)),
                      text(user.jurisdiction_code), text(item.password)])
    out = io.BytesIO()
    workbook.save(out)
    return f"data:{XLSX};base64,{base64.b64encode(out.getvalue()).decode('ascii')}"

