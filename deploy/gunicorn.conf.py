"""gunicorn settings for the web app: `gunicorn -c deploy/gunicorn.conf.py 'hazards.app:create_app()'`.

Every value can be set from the environment, so the systemd unit and `make run` share this file.
Workers default to 2 × cores + 1: a request spends most of its time waiting on the database, so a
core keeps about two busy. Sync workers are right behind nginx, which buffers slow clients; long work
(province reports, imports of whole ledgers) goes to the Celery workers, not to a web request.
"""

import multiprocessing
import os

bind = os.environ.get("HAZARDS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("HAZARDS_WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A county's PDF report renders in the request; anything longer is a job.
timeout = int(os.environ.get("HAZARDS_WEB_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak in a library never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("HAZARDS_ACCESS_LOG", "-")
errorlog = "-"
# The app, not gunicorn, decides which proxy headers to believe (HAZARDS_PROXY_COUNT).
forwarded_allow_ips = ""
