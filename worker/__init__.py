"""The Celery application: ``celery -A worker worker`` and ``celery -A worker beat``."""

from suggestion import create_app
from worker.schedule import BEAT_SCHEDULE

flask_app = create_app()
app = flask_app.extensions["celery"]
app.conf.beat_schedule = BEAT_SCHEDULE

from worker import tasks  # noqa: E402,F401  (registers the tasks)
