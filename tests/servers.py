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
    from tests.conftest import ledger_app

    return ledger_app(make_database("spatialite"), instance_folder)


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
class Answer:
    """One HTTP response as a client sees it: status, headers, body."""

    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class HttpClient:
    """A cookie-keeping client for a live server (urllib): never follows redirects, never raises on a status."""

    def __init__(self, base_url: str, timeout: float = 60):
        import http.cookiejar
        import urllib.request

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.base_url, self.timeout = base_url, timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def request(self, method: str, path: str, *, form: dict | None = None, body: bytes | None = None,
                headers: dict | None = None) -> Answer:
        import urllib.error
        import urllib.parse
        import urllib.request

        headers = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        req = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read())

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Answer:
        return self.request("POST", path, **kwargs)

    def login(self, login: str, password: str = "secret-pass") -> Answer:
        answer = self.post("/login", form={"login": login, "password": password})
        assert answer.status == 302, f"login as {login} failed: {answer.status}"
        return answer


def wait_until(condition, *, timeout: float, what: str, every: float = 0.1):
    """Poll `condition` until it is truthy (returned) or `timeout` seconds pass (AssertionError)."""
    import time

    end = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


class RedisServer:
    """A private redis-server on a free port, which a test may stop and start again on the same port."""

    def __init__(self, folder):
        import shutil

        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.folder = folder
        self.port = _free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self):
        import subprocess

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, timeout=20, what=f"redis-server on port {self.port}")
        return self

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except Exception:  # noqa: BLE001 - a redis that does not stop is killed
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None


class TcpProxy:
    """A TCP relay on a free port in front of a server; `cut()` drops every connection and refuses new
    ones (the server seems gone), `restore()` listens again on the same port."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = _free_port()
        self.listener = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self):
        listener, self.listener = self.listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; close() alone does not
            except OSError:
                pass
            listener.close()
        with self.lock:
            connections, self.connections = self.connections, []
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for conn in (source, sink):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
