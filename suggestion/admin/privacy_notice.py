"""``/admin/privacy-notice``: administrators publish a new version of the
privacy notice, in Thai and English; every earlier version stays as it was,
listed with when and by whom it was published. Others get 404 (the
blueprint). The service, suggestion.cases.privacy_notice, checks the texts,
numbers the version and records it on the audit trail."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from suggestion.admin.views import acting_user
from suggestion.admin.views import bp
from suggestion.admin.views import show_beside_field
from suggestion.cases import privacy_notice
from suggestion.core.errors import Conflict
from suggestion.core.errors import Invalid
from suggestion.core.forms import Form

# The service checks the texts (required, at most TEXT_LIMIT characters), so
# that the page and any other caller give the same messages.
NOTICE_HINT = _l("Leave a blank line between paragraphs.")


class PrivacyNoticeForm(Form):
    text_th = TextAreaField(_l("The notice in Thai"))
    text_en = TextAreaField(_l("The notice in English"))


@bp.route("/privacy-notice", methods=["GET", "POST"])
def privacy_notice_page() -> Any:
    current = privacy_notice.current_notice()
    form = PrivacyNoticeForm(
        data={"text_th": current.text_th, "text_en": current.text_en} if current else None
    )
    conflict = None
    if form.validate_on_submit():
        try:
            published = privacy_notice.publish_notice(
                acting_user(), text_th=form.text_th.data, text_en=form.text_en.data
            )
        except Invalid as error:
            show_beside_field(form, error)
        except Conflict as error:
            conflict = str(error.message)
        else:
            flash(
                _(
                    "Version %(version)d of the privacy notice is published: the filing "
                    "forms show it from now on.",
                    version=published.version,
                ),
                "success",
            )
            return redirect(url_for("admin.privacy_notice_page"), 303)
    status = 409 if conflict else 422 if form.errors else 200
    return render_template(
        "admin/privacy_notice.html",
        form=form,
        notices=privacy_notice.all_notices(),
        conflict=conflict,
        hint=NOTICE_HINT,
        limit=privacy_notice.TEXT_LIMIT,
    ), status
