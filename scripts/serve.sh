#!/usr/bin/env bash
# Serve the web app under gunicorn (as in production, deploy/gunicorn.conf.py) with its background jobs
# (a Celery worker with beat) running beside it. Used by `make run`; stops the worker when the web
# server stops. WEB_WORKERS sets the number of web processes (default 2: enough for a desk, and the
# embedded SpatiaLite file serialises writers anyway).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
instance=${HAZARDS_INSTANCE_PATH:-instance}
mkdir -p "$instance"

"$BIN/celery" -A tasks.worker worker --beat --pool=threads --concurrency=2 --loglevel=INFO \
  --schedule="$instance/celerybeat-schedule" --logfile="$instance/worker.log" &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM
echo "background jobs running (log: $instance/worker.log)"
echo "serving on http://$HOST:$PORT"
"$BIN/gunicorn" -c deploy/gunicorn.conf.py --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" \
  --access-logfile "$instance/access.log" 'hazards.app:create_app()'
