"""Settings: defaults, then `<instance>/config.py`, then `HAZARDS_*` environment variables, then overrides.

Every setting is listed in the README's "Settings" table; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask

from hazards.domain.priority import PriorityWeights

ENV_PREFIX = "HAZARDS"

DEFAULTS = {
    # Where the SpatiaLite file, the secret key and the embedded broker live: one per host.
    "INSTANCE_PATH": "instance",
    # Where attachments and generated report files are kept, shared by every web server and worker of a
    # deployment (hazards.storage). Empty: <instance>/files, enough for one host. A folder path (an NFS
    # mount on each host), or s3://bucket/prefix for an S3-compatible server (MinIO) through S3_*.
    "STORAGE_URL": "",
    # The S3-compatible server: host:port (or an http(s):// URL, whose scheme decides TLS), its keys,
    # its region (empty: asked of the server) and whether to use TLS.
    "S3_ENDPOINT": "",
    "S3_ACCESS_KEY": "",
    "S3_SECRET_KEY": "",
    "S3_REGION": "",
    "S3_SECURE": True,
    # Empty means: a SpatiaLite file in the instance folder.
    "DATABASE_URL": "",
    # A point outside this (min lon, min lat, max lon, max lat) box is refused on input.
    "COORDINATE_EXTENT": [73.4, 18.0, 135.1, 53.6],
    # Largest upload accepted, in bytes (photos, import files).
    "MAX_CONTENT_LENGTH": 50 * 1024 * 1024,
    # Most bytes an uploaded zip (a Shapefile's boundary or roads) may unpack to: a zip of a few MB can
    # hold gigabytes of zeros, and the limit above only counts what was sent.
    "UPLOAD_UNPACKED_MAX": 200 * 1024 * 1024,
    # The ledger's time zone: "today" for every job, report default, deadline and reminder, and the zone
    # stored (UTC) timestamps are shown in. The host's own zone is never used (hazards.clock). Celery's
    # schedule (REMINDER_TIME etc.) is read in this zone too.
    "TIMEZONE": "Asia/Shanghai",
    # How many reverse proxies stand in front of the app and set X-Forwarded-For/-Proto/-Host. 0: none,
    # the headers are ignored (a client cannot claim another address). Behind a proxy, leaving this at 0
    # makes every client share the proxy's address, so the per-address login limit locks out everyone.
    "PROXY_COUNT": 0,
    # Cookies: secure by default; a plain-http intranet deployment sets HAZARDS_SESSION_COOKIE_SECURE=false.
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    # Login rate limit: this many failures for one login name within the window, and a separate,
    # higher count for one address (many people may share one behind a NAT).
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 50,
    "LOGIN_WINDOW_MINUTES": 15,
    # A hazard logged within this many metres of an open one of the same category is a possible duplicate.
    "DUPLICATE_RADIUS_M": 50,
    # A hazard's place may lie this many metres outside its division's stored boundary: roads run along
    # borders, and boundaries are drawn coarser than GPS.
    "BOUNDARY_TOLERANCE_M": 2000,
    # A map tap this close to a road (metres) is read as a place on it: the road and its stake.
    "ROAD_SNAP_M": 200,
    # One funding line above this many 万元 must be confirmed (a unit slip multiplies by 10,000); null: no check.
    "FUNDING_LINE_WARN_WAN": 5000,
    # Basemap: an XYZ tile URL template (intranet tile server, PGIS, self-hosted Tianditu with tk=...).
    # Empty: no basemap; maps still draw boundaries and roads from the ledger's own data.
    "BASEMAP_URL": "",
    "BASEMAP_ATTRIBUTION": "",
    "BASEMAP_MIN_ZOOM": 3,
    "BASEMAP_MAX_ZOOM": 18,
    "BASEMAP_SUBDOMAINS": "",
    "BASEMAP_NAME": "",
    # Above this many hazards in view the map gets grid clusters instead of features.
    "MAP_CLUSTER_THRESHOLD": 5000,
    # Where people reach the app; used for links in e-mails.
    "BASE_URL": "http://127.0.0.1:5000",
    # Background jobs. Empty broker: a SQLite file in the instance folder (no server needed).
    "BROKER_URL": "",
    "RESULT_BACKEND": "",
    # Starting a job gives up after about this many seconds when the broker is down (a 503 saying to
    # try again), so a web worker is never held by a broker that does not answer.
    "JOB_QUEUE_TIMEOUT_SECONDS": 5,
    # Report files built in the background stay in the store this many days for their download link;
    # the nightly housekeeping removes older ones (the same report can be built again at any time).
    "REPORT_FILES_KEPT_DAYS": 7,
    "REMINDER_LEAD_DAYS": [30, 7, 1],
    "ESCALATE_AFTER_DAYS": 14,
    # A closed hazard is due for its look-back (回头看) on the supervisors' to-do list this many days after
    # its closure, until a look-back is recorded on it (see hazards/queries/todo.py).
    "LOOKBACK_AFTER_DAYS": 180,
    # Crash records (hazards/domain/crash_rules.py, docs/crashes.md). The rule that finds crash-prone places
    # (事故多发点段): crashes within PERIOD_MONTHS, along a road within a sliding stake window of WINDOW_M
    # metres, or, for crashes placed by a point only, within RADIUS_M of one another; a place qualifies on
    # at least MIN_CRASHES crashes, or MIN_DEATHS deaths, or MIN_FATAL fatal crashes. These are this
    # product's starting values (after one city's published rule), not a national standard: each
    # province sets its own, and an agency sets these to match it.
    "CRASH_PERIOD_MONTHS": 36,
    "CRASH_WINDOW_M": 500,
    "CRASH_RADIUS_M": 150,
    "CRASH_MIN_CRASHES": 5,
    "CRASH_MIN_DEATHS": 3,
    "CRASH_MIN_FATAL": 3,
    # A candidate place is already covered by a hazard whose stakes overlap its window on the same road,
    # or whose place lies within this many metres of one of its crashes.
    "CRASH_COVER_M": 200,
    # Remediation effect (治理成效): crashes in the same number of months before works started and after
    # they ended, within this many metres of a point hazard or of a section's line.
    "CRASH_EFFECT_MONTHS": 12,
    "CRASH_EFFECT_BUFFER_M": 100,
    # Priority (轻重缓急, hazards/domain/priority.py, docs/crashes.md): points per component of an open
    # hazard's score. Crashes and deaths are those at its place within CRASH_PERIOD_MONTHS (within
    # CRASH_EFFECT_BUFFER_M of it) or the counts typed on it, whichever is larger. Any key left out keeps
    # this product's default (these values); an agency that weighs differently sets the keys it changes.
    "PRIORITY_WEIGHTS": {
        "crash": 2, "crash_cap": 20,  # per crash, at most
        "death": 8, "death_cap": 40,  # per death, at most
        "risk_major": 30, "risk_high": 15, "risk_general": 5,  # 重大, 较大, 一般
        "level_ministry": 25, "level_province": 20, "level_city": 15, "level_county": 10,  # 部/省/市/县督办
        "school_zone": 15,  # 学校周边
        "age_month": 1, "age_cap": 12,  # per full 30 days since found, at most
        "overdue": 10,  # past its deadline
    },
    "REMINDER_TIME": "07:30",
    "TALLY_TIME": "01:30",
    # Just after midnight the stored priority ranks are yesterday's and the list scores live until they
    # are ranked again (hazards.services.priority_ranking): the ranking job runs first, the tally after.
    "RANKING_TIME": "00:01",
    "HOUSEKEEPING_TIME": "03:00",
    # E-mail: empty server = no e-mail, the in-app inbox only.
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_DEFAULT_SENDER": "hazards@localhost",
    # Optional webhook (JSON POST per digest) for the chat tools units use.
    "WEBHOOK_URL": "",
    # Sending digests (see hazards/services/delivery.py). A failed send is tried again after a back-off
    # that doubles from BASE up to CAP, for RETRY_FOR hours after the digest was planned: a relay that
    # is down over a long weekend loses nothing. Then the digest is "undeliverable" and the admins are told.
    "DELIVERY_RETRY_FOR_HOURS": 72,
    "DELIVERY_BACKOFF_BASE_SECONDS": 30,
    "DELIVERY_BACKOFF_CAP_SECONDS": 3600,
    # A worker's claim on a digest lasts this long unless its heartbeat renews it (every third of it, while
    # the send is under way); a claim left by a dead worker is taken over this long after it died.
    "DELIVERY_LEASE_SECONDS": 60,
    # How often beat runs the sweep that re-queues digests whose next attempt is due or whose claim lapsed.
    "DELIVERY_SWEEP_SECONDS": 60,
    # Redis only: a task taken by a worker that died is handed out again after this long. It must exceed
    # the longest job (a longer-running task is started a second time); losing nothing no longer depends
    # on it, since the delivery lease and sweep re-queue a dead worker's digests within minutes.
    "BROKER_VISIBILITY_TIMEOUT": 3600,
}


def instance_path_from(overrides: dict | None) -> Path:
    """The instance folder is needed before the Flask app exists, so it is resolved on its own."""
    raw = (overrides or {}).get("INSTANCE_PATH") or os.environ.get(f"{ENV_PREFIX}_INSTANCE_PATH")
    return Path(raw or DEFAULTS["INSTANCE_PATH"]).resolve()


def load_config(app: Flask, overrides: dict | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile(str(Path(app.instance_path) / "config.py"), silent=True)
    app.config.from_prefixed_env(ENV_PREFIX)
    if overrides:
        app.config.update(overrides)
    app.config["INSTANCE_PATH"] = app.instance_path
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'hazards.sqlite'}"
    instance = Path(app.instance_path)
    if not app.config["BROKER_URL"]:
        app.config["BROKER_URL"] = f"sqla+sqlite:///{instance / 'celery-broker.sqlite'}"
    if not app.config["RESULT_BACKEND"]:
        app.config["RESULT_BACKEND"] = f"db+sqlite:///{instance / 'celery-results.sqlite'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    # A wrong weight (unknown key, negative) stops the app here, named, not at the first list sorted by it.
    PriorityWeights.from_config(app.config)


def _instance_secret_key(instance: Path) -> str:
    """A key generated once per instance, so sessions survive restarts without anyone typing one.

    Several web workers start at once on a new instance: the key is written to a private file and
    linked into place, which only one of them can do, so all of them read the same key.
    """
    key_file = instance / "secret_key"
    if not key_file.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another process got there first: use its key
        finally:
            os.unlink(draft)
    return key_file.read_text().strip()
