"""The Celery application: ``celery -A worker worker`` and ``celery -A worker beat``."""

from suggestion import create_app
from worker.schedule import beat_schedule

flask_app = create_app()
app = flask_app.extensions["celery"]
app.conf.beat_schedule = beat_schedule(flask_app.config)

from worker import tasks  # noqa: E402,F401  (registers the tasks)
