"""Background jobs: the Celery app made with the Flask app, and thin tasks over hazards' services."""
