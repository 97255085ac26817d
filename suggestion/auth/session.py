"""Flask-Login's link to the users table (log-in pages come with the staff desk)."""

from __future__ import annotations

from suggestion.auth.models import User
from suggestion.core.extensions import db
from suggestion.core.extensions import login_manager
from suggestion.core.forms import is_id


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """``id:epoch``; a password change bumps the epoch and ends old sessions."""
    user_id, _, epoch = session_id.partition(":")
    if not (is_id(user_id) and epoch.isascii() and epoch.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    return user
