"""Sending a stored file (hazards.storage) as a response: streamed from the store in pieces, with its
length, conditional GETs and byte ranges. Who may have it is decided by the route before this."""

from __future__ import annotations

from flask import Response, current_app, request, send_file

from hazards.storage import current_store


def send_stored(key: str, *, mimetype: str, download_name: str, as_attachment: bool = False,
                max_age: int | None = None, etag: str | None = None) -> Response:
    """The file under `key`; FileMissing propagates for the route to answer as it sees fit."""
    stored = current_store().open(key)
    try:
        response = send_file(stored, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
                             max_age=max_age, etag=etag or False, conditional=False)
        if stored.size is not None:
            response.content_length = stored.size
        return response.make_conditional(request.environ, accept_ranges=stored.size is not None,
                                         complete_length=stored.size)
    except BaseException:  # a range it cannot satisfy (416), ...: the response will never close the file
        stored.close()
        raise


def log_missing_file(key: str) -> None:
    """A row names a file the store does not have: the user gets a 404, operators an error in the log
    (the usual cause: a host whose STORAGE_URL differs from the others')."""
    current_app.logger.error("stored file %s is missing from %s", key, current_store().describe())

