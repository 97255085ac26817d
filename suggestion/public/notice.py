"""``/privacy``: the privacy notice for everyone, with no log-in: the current
version first, then the earlier ones, each with the dates it was in force
(suggestion.cases.privacy_notice). The filing forms, /process and every
page's footer link here."""

from __future__ import annotations

from flask import render_template

from suggestion.cases.privacy_notice import all_notices
from suggestion.public.views import bp


@bp.get("/privacy")
def privacy_notice() -> str:
    notices = all_notices()
    # Each earlier version was in force until the next one was published.
    until = {
        older.version: newer.published_at
        for newer, older in zip(notices, notices[1:], strict=False)
    }
    return render_template(
        "public/privacy_notice.html",
        current=notices[0] if notices else None,
        earlier=notices[1:],
        until=until,
    )
