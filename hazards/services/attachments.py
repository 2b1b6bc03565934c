"""Photos and documents on a hazard: checked by content (not by name), kept in the deployment's store
(hazards.storage) under `uploads/<hazard id>/`; the Attachment row keeps the key in `stored_path`.

Photos are turned upright from their EXIF orientation when stored, so every page and report shows
them the right way up; the position they were taken at is read first (see `read_photo`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

from geo.photo_gps import GPS_IFD, lonlat_from_gps_ifd
from hazards.domain.enums import AttachmentPhase
from hazards.domain.errors import N_, InvalidInput
from hazards.models import Attachment, User
from hazards.services.access import load_hazard
from hazards.storage import Store

logger = logging.getLogger(__name__)
MAX_PHOTO_BYTES = 20 * 1024 * 1024
MAX_DOCUMENT_BYTES = 30 * 1024 * 1024
MAX_PIXELS = 60_000_000  # refuse decompression bombs before decoding them
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
DOCUMENT_SIGNATURES = {b"%PDF": ("application/pdf", "pdf")}
THUMBNAIL_PX = 480


@dataclass
class PhotoInfo:
    image: Image.Image
    format: str
    lonlat: tuple[float, float] | None


def read_photo(data: bytes) -> PhotoInfo:
    """Open an uploaded image, refusing what is not a photo; returns it upright with its GPS position."""
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(N_("The photo is larger than %(mb)s MB."), {"mb": MAX_PHOTO_BYTES // (1024 * 1024)},
                           fields={"file": "too_large"})
    try:
        image = Image.open(io.BytesIO(data))
        fmt = image.format
        if fmt not in PHOTO_FORMATS:
            raise InvalidInput(N_("A photo must be JPEG, PNG or WebP, not %(format)s."), {"format": fmt},
                               fields={"file": "type"})
        if image.width * image.height > MAX_PIXELS:
            raise InvalidInput(N_("The photo has too many pixels."), fields={"file": "too_large"})
        gps = image.getexif().get_ifd(GPS_IFD)
        upright = ImageOps.exif_transpose(image)
        upright.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InvalidInput(N_("The file is not a readable image."), fields={"file": "type"}) from None
    return PhotoInfo(upright, fmt, lonlat_from_gps_ifd(gps) if gps else None)


def add_attachment(
    session: Session, hazard_id: int, actor: User, *, data: bytes, filename: str, phase: AttachmentPhase,
    store: Store, caption: str | None = None,
) -> Attachment:
    hazard = load_hazard(session, hazard_id, actor, "add_photo")
    if not data:
        raise InvalidInput(N_("The file is empty."), fields={"file": "empty"})
    if phase is AttachmentPhase.DOCUMENT and data[:4] in DOCUMENT_SIGNATURES:
        if len(data) > MAX_DOCUMENT_BYTES:
            raise InvalidInput(N_("The document is too large."), fields={"file": "too_large"})
        content_type, ext = DOCUMENT_SIGNATURES[data[:4]]
        stored = data
    else:
        photo = read_photo(data)
        ext = PHOTO_FORMATS[photo.format]
        content_type = Image.MIME[photo.format]
        stored = _encode(photo.image, photo.format)
    key = store_file(store, hazard.id, stored, ext, content_type, session=session)
    attachment = Attachment(
        hazard_id=hazard.id, phase=phase, original_name=Path(filename or "upload").name[:255],
        stored_path=key, content_type=content_type, size_bytes=len(stored),
        sha256=hashlib.sha256(stored).hexdigest(), caption=caption, uploaded_by_id=actor.id,
    )
    session.add(attachment)
    session.flush()
    return attachment


def store_file(store: Store, hazard_id: int, data: bytes, ext: str, content_type: str, *,
               session: Session | None = None) -> str:
    """Put checked bytes under `uploads/<hazard id>/` (and a thumbnail for an image); returns the key,
    as the Attachment row keeps it (the same text older versions kept as a path in the instance folder)."""
    key = f"uploads/{hazard_id}/{uuid.uuid4().hex}.{ext}"
    is_image = content_type.startswith("image/")
    written = [key, thumbnail_key(key)] if is_image else [key]
    if session is not None:
        session.info.setdefault(_WRITTEN, []).extend((store, k) for k in written)
    store.put(key, data, content_type)
    if is_image:
        store.put(thumbnail_key(key), _thumbnail(data), "image/jpeg")
    return key


# Files are written before the row that names them is committed (the row needs the key). When the
# unit of work is rolled back instead (a later photo refused, a duplicate question, a lost race), the
# files it wrote are removed, so a refused upload leaves nothing behind.
_WRITTEN = "attachment_files_written"


@event.listens_for(Session, "after_commit")
def _keep_written_files(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_written_files(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the outer unit of work may still commit what was written before it
    for store, key in session.info.pop(_WRITTEN, []):
        try:
            store.delete(key)
        except Exception:  # noqa: BLE001 - a file left unnamed is harmless; a rollback that fails is not
            logger.warning("could not remove %s from %s after a rollback", key, store.describe(), exc_info=True)


def thumbnail_key(key: str) -> str:
    return key.rsplit(".", 1)[0] + ".thumb.jpg"


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=90)
    else:
        image.save(out, fmt)
    return out.getvalue()


def _thumbnail(data: bytes) -> bytes:
    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()
