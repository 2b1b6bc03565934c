"""Administration of places: the admin's division tree with boundary uploads and a map of each
division, and the roads of their subtree (list, map, upload, export).

An upload is checked first and written only on confirmation, by the same import services the
`hazards divisions import` and `hazards roads import` commands run. Each step works in a temporary
folder of its own; between the two the checked files wait in the deployment's file store
(`staging/places/<token>/...`, hazards.storage), so the confirmation may reach any web server. The
token is named in the admin's signed session cookie so nobody else can confirm it; the files are
removed when confirmed, when the check finds problems, when the same admin uploads another, and a
day later in any case (the token starts with the time it was made). An admin writes only divisions, and roads
numbered by divisions, inside their own subtree; a feature outside it is refused by name.
"""

from __future__ import annotations

import codecs
import secrets
import shutil
import tempfile
import time
import zipfile
from io import BytesIO
from pathlib import Path

import folium
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for)
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user

from geo.maps import BasemapConfig, TextTooltip, bounds_to_folium, offline_map, render_fragments
from hazards import permissions
from hazards.db import get_session
from hazards.domain.errors import N_, InvalidInput
from hazards.i18n import current_language, error_text, translate_message
from hazards.io.upload_files import remove_folder, store_upload
from hazards.models import Jurisdiction
from hazards.queries.map_layers import bounds_of
from hazards.queries.places import division_boundary_geojson, division_tree, roads_geojson, roads_of
from hazards.storage import current_store
from hazards.web.maps import map_center
from hazards.web.security_headers import csp_nonce

bp = Blueprint("admin_places", __name__, url_prefix="/admin")

MAX_LISTED_PROBLEMS = 200
STAGED_FOR_S = 24 * 3600  # an upload checked but never confirmed is dropped after a day
_COOKIE_KEY = "places_upload"
EXPORT_FORMATS = {"gpkg": ".gpkg", "geojson": ".geojson", "csv": ".csv", "shp": ".shp"}


# --- divisions -------------------------------------------------------------------------------------

@bp.get("/divisions")
@permissions.requires(permissions.can_administer)
def divisions():
    return render_template("admin/divisions.html", rows=division_tree(get_session(), current_user))


@bp.get("/divisions/<code>")
@permissions.requires(permissions.can_administer)
def division(code: str):
    if not permissions.can_manage(current_user, code):
        abort(404)
    session = get_session()
    found = session.get(Jurisdiction, code)
    if found is None:
        abort(404)
    boundary = division_boundary_geojson(session, code)
    roads = roads_geojson(session, current_user, code)
    fragments, map_name = _place_map(session, code, boundary, roads)
    return render_template("admin/division.html", division=found, has_boundary=boundary is not None,
                           roads=roads_of(session, current_user, code), fragments=fragments, map_name=map_name,
                           children=sorted(found.children, key=lambda c: c.code))


@bp.post("/divisions/upload")
@permissions.requires(permissions.can_administer)
def check_boundaries():
    return _check("divisions")


@bp.post("/divisions/upload/confirm")
@permissions.requires(permissions.can_administer)
def write_boundaries():
    return _confirm("divisions")


# --- roads -----------------------------------------------------------------------------------------

@bp.get("/roads")
@permissions.requires(permissions.can_administer)
def roads():
    session = get_session()
    lines = roads_geojson(session, current_user)
    fragments, map_name = _place_map(session, current_user.jurisdiction_code, None, lines)
    return render_template("admin/roads.html", roads=roads_of(session, current_user), fragments=fragments,
                           map_name=map_name, formats=list(EXPORT_FORMATS))


@bp.post("/roads/upload")
@permissions.requires(permissions.can_administer)
def check_roads():
    return _check("roads")


@bp.post("/roads/upload/confirm")
@permissions.requires(permissions.can_administer)
def write_roads():
    return _confirm("roads")


@bp.get("/roads/export")
@permissions.requires(permissions.can_administer)
def export_roads():
    """The roads of the admin's subtree and their posts, in the file format asked for (a GeoPackage
    is one file; the others, with their posts file or a Shapefile's companions, come zipped)."""
    from hazards.io.roads import export_roads as write_file

    fmt = request.args.get("format", "gpkg")
    if fmt not in EXPORT_FORMATS:
        abort(404)
    code = current_user.jurisdiction_code
    with tempfile.TemporaryDirectory(prefix="roads-export-") as folder:
        target = Path(folder) / f"roads-{code}{EXPORT_FORMATS[fmt]}"
        write_file(get_session(), target, division=code)
        if fmt == "gpkg":
            data, name, mimetype = target.read_bytes(), target.name, "application/geopackage+sqlite3"
        else:
            buffer = BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
                for path in sorted(Path(folder).iterdir()):
                    bundle.write(path, path.name)
            data, name, mimetype = buffer.getvalue(), f"roads-{code}-{fmt}.zip", "application/zip"
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


# --- upload: check, then confirm ---------------------------------------------------------------------

def _check(kind: str):
    """Save the upload, run the import as a dry run and show what it found; keep the files for the
    confirmation only when every feature passes."""
    _drop_staged()
    options = _options(kind)
    token = f"{int(time.time())}-{secrets.token_hex(12)}"
    folder = Path(tempfile.mkdtemp(prefix="hazards-places-"))
    try:
        path, posts = _store(kind, folder)
        report = _run(kind, path, posts, options, dry_run=True)
        if not report.blocked:
            _stage(token, folder)
            cookie[_COOKIE_KEY] = {"token": token, "kind": kind, "path": path.relative_to(folder).as_posix(),
                                   "posts": posts.relative_to(folder).as_posix() if posts else None,
                                   "options": options}
    except InvalidInput as exc:
        flash(error_text(exc), "error")
        return redirect(_home(kind), code=303)
    finally:
        remove_folder(folder)
    return render_template("admin/place_check.html", kind=kind, report=report, token=token,
                           filename=request.files["file"].filename, problems=_problems(report),
                           more=max(0, len(report.errors) - MAX_LISTED_PROBLEMS),
                           confirm_url=url_for(f"admin_places.{_WRITE[kind]}"), back_url=_home(kind))


def _confirm(kind: str):
    staged = cookie.get(_COOKIE_KEY)
    if not staged or staged.get("kind") != kind or staged.get("token") != request.form.get("token"):
        flash(_("That upload is no longer waiting: upload the file again."), "error")
        return redirect(_home(kind), code=303)
    folder = Path(tempfile.mkdtemp(prefix="hazards-places-"))
    session = get_session()
    try:
        if not _unstage(staged["token"], folder):
            flash(_("That upload is no longer waiting: upload the file again."), "error")
            return redirect(_home(kind), code=303)
        posts = folder / staged["posts"] if staged["posts"] else None
        report = _run(kind, folder / staged["path"], posts, staged["options"], dry_run=False)
        if report.blocked:  # the ledger changed since the check (a division went, another admin's roads)
            session.rollback()
            return render_template("admin/place_check.html", kind=kind, report=report, token=None,
                                   filename="", problems=_problems(report),
                                   more=max(0, len(report.errors) - MAX_LISTED_PROBLEMS), confirm_url=None,
                                   back_url=_home(kind)), 422
        session.commit()
    finally:
        remove_folder(folder)
        _forget(staged["token"])
        cookie.pop(_COOKIE_KEY, None)
    if kind == "divisions":
        flash(_("Boundaries written: %(count)s (%(codes)s).", count=len(report.written),
                codes="、".join(report.written[:20])), "success")
        if len(report.written) == 1:
            return redirect(url_for("admin_places.division", code=report.written[0]), code=303)
    else:
        flash(_("Roads written: %(count)s.", count=len(report.written)), "success")
    return redirect(_home(kind), code=303)


_WRITE = {"divisions": "write_boundaries", "roads": "write_roads"}


def _home(kind: str) -> str:
    return url_for("admin_places.divisions" if kind == "divisions" else "admin_places.roads")


def _options(kind: str) -> dict:
    def text(name: str, limit: int = 64) -> str | None:
        value = (request.form.get(name) or "").strip()
        return value[:limit] or None

    options = {"encoding": text("encoding"), "crs": text("crs")}
    if options["encoding"]:
        try:
            codecs.lookup(options["encoding"])
        except LookupError:
            options["encoding"] = None
            flash(_("'%(name)s' is not a text encoding; the file's own is used.", name=text("encoding")), "error")
    if kind == "divisions":
        options["code_field"] = text("code_field")
    else:
        options["division"] = text("division", 12)
    return options


def _store(kind: str, folder: Path) -> tuple[Path, Path | None]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput(_NO_FILE, fields={"file": "required"})
    limit = current_app.config["UPLOAD_UNPACKED_MAX"]
    path = store_upload(upload.stream, upload.filename, folder / "data", unpacked_max=limit)
    posts_upload = request.files.get("posts") if kind == "roads" else None
    posts = None
    if posts_upload is not None and posts_upload.filename:
        posts = store_upload(posts_upload.stream, posts_upload.filename, folder / "posts", unpacked_max=limit)
    return path, posts


def _run(kind: str, path: Path, posts: Path | None, options: dict, *, dry_run: bool):
    extent = tuple(current_app.config["COORDINATE_EXTENT"])
    within = current_user.jurisdiction_code
    if kind == "divisions":
        from hazards.io.gis import import_boundaries

        return import_boundaries(get_session(), path, code_field=options.get("code_field"),
                                 encoding=options["encoding"], crs=options["crs"], dry_run=dry_run, extent=extent,
                                 within=within)
    from hazards.io.roads import import_roads

    return import_roads(get_session(), path, posts=posts, division=options.get("division"),
                        encoding=options["encoding"], crs=options["crs"], dry_run=dry_run, extent=extent,
                        within=within)


def _problems(report) -> list[tuple[str, str]]:
    language = current_language()
    return [(e.where(language), translate_message(e.template, e.params))
            for e in report.errors[:MAX_LISTED_PROBLEMS]]


STAGING = "staging/places/"


def _stage(token: str, folder: Path) -> None:
    """Keep the checked files in the store for the confirmation, wherever it arrives."""
    store = current_store()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not any(part.startswith(".") for part in relative.split("/")):
            with open(path, "rb") as data:
                store.put(f"{STAGING}{token}/{relative}", data)


def _unstage(token: str, folder: Path) -> bool:
    """Bring the checked files back into `folder`; False when none are waiting (confirmed, or dropped)."""
    store = current_store()
    keys = list(store.keys(f"{STAGING}{token}/"))
    for key in keys:
        target = folder / key[len(STAGING) + len(token) + 1:]
        target.parent.mkdir(parents=True, exist_ok=True)
        with store.open(key) as source, open(target, "wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
    return bool(keys)


def _forget(token: str) -> None:
    store = current_store()
    for key in list(store.keys(f"{STAGING}{token}/")):
        store.delete(key)


def _drop_staged() -> None:
    """Forget this admin's earlier unconfirmed upload, and anyone's older than a day."""
    staged = cookie.pop(_COOKIE_KEY, None)
    if staged and staged.get("token"):
        _forget(staged["token"])
    cutoff = time.time() - STAGED_FOR_S
    old = {key[len(STAGING):].split("/", 1)[0] for key in current_store().keys(STAGING)}
    for token in old:
        made = token.split("-", 1)[0]
        if not made.isdigit() or int(made) < cutoff:
            _forget(token)


# --- the map ---------------------------------------------------------------------------------------

def _place_map(session, code: str, boundary: dict | None, roads: dict) -> tuple[dict, str]:
    """A small offline map of a division's simplified boundary and roads, fitted to what it shows."""
    lon, lat = (float(v) for v in map_center(session, code).split(","))
    m = offline_map((lon, lat), 9, basemap=BasemapConfig.from_settings(current_app.config),
                    asset_url=lambda path: url_for("static", filename=path), height="100%", control_scale=True)
    if boundary is not None:
        folium.GeoJson(boundary, name="boundary", style_function=lambda f: {
            "color": "#16406b", "weight": 2, "fillColor": "#2d6a8e", "fillOpacity": 0.08},
            tooltip=TextTooltip(fields=["name", "code"], labels=False)).add_to(m)
    if roads["features"]:
        folium.GeoJson(roads, name="roads", style_function=lambda f: {
            "color": {"G": "#c0392b", "S": "#d68910"}.get(f["properties"]["class"], "#5d6d7e"),
            "weight": 3, "opacity": 0.85},
            tooltip=TextTooltip(fields=["route", "name"], labels=False)).add_to(m)
    box = bounds_of(boundary) if boundary is not None else bounds_of(roads) if roads["features"] else None
    if box:
        m.fit_bounds(bounds_to_folium(*box))
    return render_fragments(m, nonce=csp_nonce()), m.get_name()


_NO_FILE = N_("Choose a file to upload.")
