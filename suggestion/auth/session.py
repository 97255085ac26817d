"""Flask-Login's link to the users table (log-in pages come with the staff desk)."""

from __future__ import annotations

from suggestion.auth.models import User
from suggestion.extensions import db
from suggestion.extensions import login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None
