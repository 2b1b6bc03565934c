"""Entry point for `celery -A tasks.worker worker` and `celery -A tasks.worker beat`.

Like a WSGI entry module, this is the one place that builds the app at import time.
"""

from hazards.app import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
