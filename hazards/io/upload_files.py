"""A GIS file uploaded through the admin pages, laid out in a folder of its own so the readers of
`hazards.io.gis` and `hazards.io.roads` see it as they see a file on disk.

A Shapefile is several files, so it comes as a .zip; a GeoPackage, GeoJSON or CSV may come bare or
zipped. A zip is opened with care, since its entries are the sender's words: an entry whose name
climbs out of the folder (`../`, an absolute path, a drive letter) or is a link is refused, and so is
a zip whose entries would unpack to more than `UPLOAD_UNPACKED_MAX` bytes (a zip bomb), counted as
the bytes are written rather than trusted from the zip's own directory.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from hazards.domain.errors import N_, InvalidInput

#: The data files the readers take, by suffix; a Shapefile's companions ride along beside its .shp.
DATA_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".csv")
UPLOAD_SUFFIXES = (".zip", ".gpkg", ".geojson", ".json", ".csv")
MAX_ENTRIES = 200  # a Shapefile and its posts are a dozen files; thousands of entries are no GIS file
_CHUNK = 64 * 1024


def store_upload(stream, filename: str, folder: Path, *, unpacked_max: int) -> Path:
    """Save the upload `stream` (named `filename` by the sender) into `folder` and return the data
    file to read: the file itself, or the one data file a zip holds (a roads file's `<name>_posts`
    file may sit beside it)."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise InvalidInput(N_("'%(file)s' is not a file this page reads: upload a .zip (a Shapefile with its "
                              ".shp, .shx, .dbf, .prj and .cpg), a .gpkg, a .geojson or a .csv"),
                           {"file": filename or "-"}, fields={"file": "format"})
    folder.mkdir(parents=True, exist_ok=True)
    if suffix != ".zip":
        target = folder / f"upload{suffix}"
        _copy_bounded(stream, target, unpacked_max)
        return target
    archive = folder / "upload.zip"
    _copy_bounded(stream, archive, unpacked_max)
    unpacked = folder / "files"
    unpack_zip(archive, unpacked, unpacked_max=unpacked_max)
    archive.unlink()
    return data_file(unpacked)


def unpack_zip(archive: Path, into: Path, *, unpacked_max: int) -> None:
    """Unpack `archive` into `into`, refusing entries outside it, links and more than `unpacked_max` bytes."""
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise InvalidInput(N_("the uploaded file is not a readable zip archive"), fields={"file": "zip"}) from None
    with bundle:
        entries = [e for e in bundle.infolist() if not e.is_dir()]
        if len(entries) > MAX_ENTRIES:
            raise InvalidInput(N_("the zip holds %(count)s files, more than %(limit)s"),
                               {"count": len(entries), "limit": MAX_ENTRIES}, fields={"file": "zip"})
        into.mkdir(parents=True, exist_ok=True)
        written = 0
        for entry in entries:
            target = _entry_target(entry, into)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with bundle.open(entry) as source, target.open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        if written > unpacked_max:
                            raise InvalidInput(N_("the zip unpacks to more than %(limit)s MB"),
                                               {"limit": unpacked_max // (1024 * 1024)}, fields={"file": "zip"})
                        out.write(chunk)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
                raise InvalidInput(N_("the uploaded file is not a readable zip archive"),
                                   fields={"file": "zip"}) from None


def _entry_target(entry: zipfile.ZipInfo, into: Path) -> Path:
    name = entry.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    is_link = stat.S_ISLNK(entry.external_attr >> 16)
    if (not parts or name.startswith("/") or ".." in parts or ":" in parts[0] or is_link):
        raise InvalidInput(N_("the zip entry '%(name)s' points outside the archive"), {"name": entry.filename},
                           fields={"file": "zip"})
    target = into.joinpath(*parts).resolve()
    if not target.is_relative_to(into.resolve()):
        raise InvalidInput(N_("the zip entry '%(name)s' points outside the archive"), {"name": entry.filename},
                           fields={"file": "zip"})
    return target


def data_file(folder: Path) -> Path:
    """The one data file of an unpacked zip (a `<name>_posts` file beside a road file is its posts)."""
    found = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in DATA_SUFFIXES
                   and not p.name.startswith("._") and "__MACOSX" not in p.parts)
    main = [p for p in found if not p.stem.endswith("_posts")] or found
    if len(main) != 1:
        raise InvalidInput(N_("the zip must hold exactly one data file (.shp, .gpkg, .geojson or .csv); it holds "
                              "%(count)s"), {"count": len(main)}, fields={"file": "zip"})
    return main[0]


def _copy_bounded(stream, target: Path, limit: int) -> None:
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                raise InvalidInput(N_("the uploaded file is larger than %(limit)s MB"),
                                   {"limit": limit // (1024 * 1024)}, fields={"file": "size"})
            out.write(chunk)


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
