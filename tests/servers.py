"""Real local stand-ins for what leaves the machine: an SMTP server, a webhook receiver, an S3 server."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives; refuses listed addresses.

    `hold`: the first so many messages are held at the end of DATA, the client waiting for the answer,
    until `release()` or `HOLD_LIMIT_SECONDS`: a send in progress, to kill its sender in the middle of.
    `held_after_accept`: a held message is kept already (a relay that has queued it but not yet
    answered); otherwise it is kept only if its client is still there to hear the answer, and one whose
    client left is put in `abandoned`.
    """

    HOLD_LIMIT_SECONDS = 60

    def __init__(self, refuse: set[str] | None = None, *, port: int | None = None, hold: int = 0,
                 held_after_accept: bool = False):
        self.messages = []
        self.abandoned = []
        self.refuse = refuse or set()
        self.hold, self.held, self.held_after_accept = hold, 0, held_after_accept
        self._released = threading.Event()
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in sink.refuse:
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                message = message_from_bytes(envelope.content, policy=policy.default)
                if sink.held >= sink.hold:
                    sink.messages.append(message)
                    return "250 Message accepted"
                sink.held += 1
                if sink.held_after_accept:
                    sink.messages.append(message)
                end = time.monotonic() + sink.HOLD_LIMIT_SECONDS
                try:
                    while not sink._released.is_set() and time.monotonic() < end:
                        await asyncio.sleep(0.05)
                except asyncio.CancelledError:  # the client went away: the server drops the session
                    if not sink.held_after_accept:
                        sink.abandoned.append(message)
                    raise
                if not sink.held_after_accept:
                    sink.messages.append(message)
                return "250 Message accepted"

        self.port = port or _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def to(self, address: str):
        return [m for m in self.messages if address in m["To"]]

    def release(self):
        """Answer the held messages (and hold no more)."""
        self.hold = 0
        self._released.set()


class WebhookSink:
    """A local HTTP server collecting JSON POSTs."""

    def __init__(self):
        self.posts = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sink.posts.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def fresh_ledger_app(make_database, instance_folder):
    """An app on a fresh, migrated SpatiaLite ledger with its reference data, for tests that serve it."""
    from flask_migrate import upgrade

    from hazards import db as hazards_db
    from hazards.services.reference import ensure_reference_data
    from tests.conftest import build_app

    app = build_app(make_database("spatialite"), instance_folder)
    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        session.commit()
    return app


@contextmanager
def serving(app):
    """The app on a real HTTP server in a thread, for clients that are other programs; yields its base URL."""
    from werkzeug.serving import make_server

    from hazards import db as hazards_db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        hazards_db.state(app).engine.dispose()


class S3Server:
    """A real S3-compatible HTTP server on 127.0.0.1 (moto's S3), for the bucket backend of the file store:
    the app reaches it over HTTP with MinIO's client, as it would reach MinIO."""

    ACCESS_KEY, SECRET_KEY = "hazards-test", "hazards-test-secret"

    def __enter__(self):
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        self.endpoint = "{}:{}".format(*self.server.get_host_and_port())
        self.buckets = 0
        return self

    def __exit__(self, *exc):
        self.server.stop()

    def new_bucket(self) -> str:
        from minio import Minio

        self.buckets += 1
        name = f"hazards-files-{self.buckets}"
        Minio(self.endpoint, access_key=self.ACCESS_KEY, secret_key=self.SECRET_KEY, secure=False,
              region="us-east-1").make_bucket(name)
        return name

    def settings(self, bucket: str, prefix: str = "") -> dict:
        """The HAZARDS_* settings (without the prefix) that put an app's files in `bucket`."""
        return {"STORAGE_URL": f"s3://{bucket}/{prefix}", "S3_ENDPOINT": self.endpoint,
                "S3_ACCESS_KEY": self.ACCESS_KEY, "S3_SECRET_KEY": self.SECRET_KEY, "S3_SECURE": False,
                "S3_REGION": "us-east-1"}
