"""Every periodic task of the system, in one place (Celery beat reads it)."""

from datetime import timedelta

BEAT_SCHEDULE = {
    # Publishes outbox rows that missed their moment (the broker was down, a
    # worker died): nothing written to the outbox is ever lost.
    "notify-requeue-stale": {
        "task": "notify.requeue_stale",
        "schedule": timedelta(minutes=1),
    },
}
