"""Thin tasks: take ids, call one service, commit once, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from celery import Task

from suggestion.extensions import db
from suggestion.notify import delivery
from suggestion.notify import outbox

# How late a pending notification must be before the requeue publishes it again.
REQUEUE_GRACE_SECONDS = 60


@shared_task(name="notify.deliver", bind=True, max_retries=None)
def deliver_notification(self: Task, notification_id: int) -> str:
    result = delivery.deliver(notification_id)
    db.session.commit()
    if result == delivery.DeliveryResult.RETRY:
        raise self.retry(countdown=delivery.backoff(self.request.retries + 1).total_seconds())
    return result


@shared_task(name="notify.requeue_stale")
def requeue_stale_notifications() -> int:
    ids = outbox.stale_notification_ids(REQUEUE_GRACE_SECONDS)
    db.session.rollback()
    return outbox.publish(ids)
