"""Loading next year's holidays in advance, and asking administrators to check
them (the Cabinet adds special days during the year)."""

from __future__ import annotations

import sqlalchemy as sa

from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.calendar.services import is_year_loaded
from suggestion.calendar.services import load_year
from suggestion.core.audit import AdminActor
from suggestion.core.extensions import db
from suggestion.core.jobs import enqueue_job
from suggestion.core.settings import public_url
from suggestion.core.tasks import JobName
from suggestion.notify.outbox import outbox_row
from suggestion.notify.outbox import queue_emails
from suggestion.notify.outbox import render_email


def ensure_year(year: int) -> int:
    """Load ``year`` if it is missing and tell the administrators; returns the
    number of days added (0 if the year was already there)."""
    if is_year_loaded(year):
        return 0
    added = load_year(year, actor_id=None, actor_label=AdminActor.SYSTEM).added
    rendered = render_email(
        "holidays_loaded", "th", year=year + 543, admin_url=public_url("/admin/holidays", year=year)
    )
    admins = db.session.scalars(
        sa.select(User).where(User.role == Role.ADMIN, User.is_active.is_(True))
    )
    rows = [
        outbox_row(
            "holidays_loaded", admin.email, rendered, dedupe_key=f"holidays:{year}:{admin.id}"
        )
        for admin in admins
    ]
    queue_emails(rows)
    enqueue_job(db.session(), JobName.RECOMPUTE_DEADLINES, reason=f"holidays {year} loaded")
    return added
