"""The record of processing activities (PDPA B.E. 2562 s.39), made from the
system's configuration at the moment it is asked for — the retention periods
administrators set, the categories and the divisions that receive them, the
roles that must use two-factor log-in, the settings of the security
measures — so that it never says what the system no longer does. One
:class:`Document` for the page and the PDF. No filer's personal data: names
of categories and divisions, periods, settings and one count.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload

from suggestion.auth import two_factor
from suggestion.auth.models import ROLE_LABELS
from suggestion.auth.passwords import MIN_PASSWORD_LENGTH
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import Category
from suggestion.cases.retention import retention_years
from suggestion.cases.states import EventAction
from suggestion.cases.states import Kind
from suggestion.cases.states import KIND_LABELS
from suggestion.core.extensions import db
from suggestion.core.i18n import current_language
from suggestion.core.settings import agency_zone
from suggestion.core.time import format_date
from suggestion.reports.documents import Document
from suggestion.reports.documents import Table
from suggestion.reports.periods import current_fiscal_year
from suggestion.reports.periods import Period

# The kinds whose filings are handled as a public task (s.24(4)); corruption
# reports have their own row, as they may hold sensitive data (s.26).
PUBLIC_TASK_KINDS = (Kind.COMPLAINT, Kind.SUGGESTION, Kind.COMPLIMENT, Kind.INQUIRY)


def _text_table(title: str, header: list[str], rows: list[list[str]]) -> Table:
    return Table(title, header, rows, numeric_from=len(header))


def _kinds_text(kinds: list[Kind] | tuple[Kind, ...]) -> str:
    return ", ".join(str(KIND_LABELS[k]) for k in kinds)


def _data_collected() -> Table:
    files = current_app.config["ATTACHMENT_MAX_COUNT"]
    megabytes = current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)
    filers = _("People who file %(kinds)s", kinds=_kinds_text(PUBLIC_TASK_KINDS))
    public_task = _("PDPA s.24(4): a task in the public interest and the agency's authority")
    legal_duty = _("PDPA s.24(6): a duty under the law")
    rows = [
        [
            _("Filer's name, e-mail, telephone and address (the filing form)"),
            filers,
            _(
                "To handle the case: acknowledge it, ask for what is missing, tell its progress and outcome"
            ),
            public_task,
        ],
        [
            _(
                "The story: subject, facts and attached files (up to %(n)d files of %(mb)d MB)",
                n=files,
                mb=megabytes,
            ),
            filers,
            _("To examine the matter and answer it"),
            public_task,
        ],
        [
            _(
                "Corruption reports: the reporter's name and contacts, the story and files, which may name officials and hold sensitive data such as criminal records"
            ),
            _("Reporters of corruption and misconduct; the people the reports name"),
            _(
                "To examine the allegation; only integrity officers see the report and the reporter's identity"
            ),
            _("PDPA s.24(4); s.26 for the sensitive data a report holds"),
        ],
        [
            _(
                "Staff accounts: name, e-mail, role, division, password digest, two-factor secret, failed log-ins"
            ),
            _("The agency's staff"),
            _("To let staff in and record who did what"),
            public_task,
        ],
        [
            _(
                "Access log: which staff member opened which filer's contact details or files, when, and the reason"
            ),
            _("Staff; the filers whose data was opened"),
            _("To account for every access to personal data (s.37(1))"),
            legal_duty,
        ],
        [
            _(
                "Data-subject requests: the requester's name and contact, the right asked, the identity check, the outcome"
            ),
            _("People who exercise their rights"),
            _("To answer within 30 days (ss.30–36)"),
            legal_duty,
        ],
        [
            _(
                "Personal-data breaches: what happened, the cases concerned, how many people are affected"
            ),
            _("Filers whose data a breach concerns"),
            _("To notify the PDPC within 72 hours and tell the people affected (s.37(4))"),
            legal_duty,
        ],
    ]
    header = [_("Personal data"), _("Whose"), _("Purpose"), _("Legal basis")]
    return _text_table(_("Personal data collected, purposes and legal basis"), header, rows)


def _retention() -> Table:
    years = retention_years()
    rows = [
        [
            _("%(kind)s: the filer's name, contacts, story and files", kind=KIND_LABELS[kind]),
            ngettext(
                "%(num)d year after the case is finished, then anonymised (unless under a legal hold)",
                "%(num)d years after the case is finished, then anonymised (unless under a legal hold)",
                years[kind],
            ),
        ]
        for kind in Kind
    ]
    rows += [
        [
            _("Staff accounts"),
            _(
                "As long as the account exists: accounts are deactivated, never deleted, so that the audit trails still name who acted"
            ),
        ],
        [
            _("Access log and audit trails"),
            _("Without a time limit: append-only, the database refuses to change or delete them"),
        ],
        [
            _("Data-subject requests and breaches"),
            _("Without a time limit: the record of how the agency met the law"),
        ],
    ]
    header = [_("Personal data"), _("Kept")]
    return _text_table(_("Retention periods"), header, rows)


def forwarded_this_year() -> tuple[int, int]:
    """The current fiscal year (B.E.) and how many cases were given the
    outcome "forwarded to another agency" in it: the cases resolved in the
    year (an index) whose forwarding event (``forwarded_to`` in its diff)
    falls in the year."""
    year = current_fiscal_year()
    period = Period.fiscal_year(year)
    zone = agency_zone()
    start = datetime.combine(period.first, datetime.min.time(), zone)
    end = datetime.combine(period.last, datetime.max.time(), zone)
    forwarded = sa.exists().where(
        CaseEvent.case_id == Case.id,
        CaseEvent.action == EventAction.STATUS_CHANGED,
        CaseEvent.at.between(start, end),
        CaseEvent.diff[("forwarded_to", 1)].as_string().is_not(None),
    )
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Case)
        .where(Case.kind.in_([k.value for k in Kind]), Case.resolved_at.between(start, end))
        .where(forwarded)
    )
    return year, int(count or 0)


def _recipients() -> Table:
    locale = current_language()
    categories = db.session.scalars(
        sa.select(Category)
        .where(Category.is_active)
        .options(joinedload(Category.division))
        .order_by(Category.position, Category.id)
    ).all()
    rows = []
    for category in categories:
        kinds = [Kind(k) for k in category.kinds if k in Kind.__members__.values()]
        handlers = []
        other = [k for k in kinds if k != Kind.CORRUPTION]
        if other:
            handlers.append(
                category.division.name(locale)
                if category.division
                else _("The centre's screening officers, who route each case to its division")
            )
        if Kind.CORRUPTION in kinds:
            handlers.append(_("Integrity officers (corruption reports)"))
        rows.append([category.name(locale), _kinds_text(kinds), "; ".join(handlers)])
    year, forwarded = forwarded_this_year()
    rows.append(
        [
            _("Other agencies"),
            _("A case outside the agency's remit is forwarded to the agency responsible"),
            ngettext(
                "%(num)d case forwarded in fiscal year %(year)d so far",
                "%(num)d cases forwarded in fiscal year %(year)d so far",
                forwarded,
                year=year,
            ),
        ]
    )
    header = [_("Category"), _("Kinds"), _("Received by")]
    return _text_table(_("Who receives the data"), header, rows)


def _roles_text(roles: frozenset[object]) -> str:
    return ", ".join(str(label) for role, label in ROLE_LABELS.items() if role in roles)


def _security() -> Table:
    config = current_app.config
    lifetime = int(config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600)
    on, off = _("on"), _("off")
    digest_key = _("set") if config.get("DIGEST_KEY") else _("not set: SECRET_KEY is used")
    rows = [
        [
            _("Encryption in transit"),
            _(
                "TLS at the reverse proxy (deploy/nginx/suggestion.conf); secure cookies and HSTS in production"
            ),
            _(
                "Secure cookies: %(state)s",
                state=on if config.get("SESSION_COOKIE_SECURE") else off,
            ),
        ],
        [
            _("Staff passwords"),
            _(
                "Hashed with scrypt; at least %(n)d characters, not a common password",
                n=MIN_PASSWORD_LENGTH,
            ),
            "—",
        ],
        [
            _("Access keys and recovery codes"),
            _(
                "Stored as keyed digests (HMAC), secret links as SHA-256: a copy of the database opens no case"
            ),
            _("DIGEST_KEY: %(state)s", state=digest_key),
        ],
        [
            _("Two-factor log-in"),
            _(
                "Required for: %(roles)s; available to every account",
                roles=_roles_text(two_factor.REQUIRED_FOR),
            ),
            "—",
        ],
        [
            _("Staff sessions"),
            _(
                "End at log-out, after %(idle)d idle minutes and at most %(hours)d hours after log-in",
                idle=config["STAFF_IDLE_MINUTES"],
                hours=lifetime,
            ),
            "STAFF_IDLE_MINUTES",
        ],
        [
            _("Sealed outbox"),
            _(
                "E-mail texts wait in the database encrypted (Fernet) and are cleared once delivered"
            ),
            _("DIGEST_KEY: %(state)s", state=digest_key),
        ],
        [
            _("Append-only audit trails and access log"),
            _(
                "Every change to a case, every administrative change and every staff view of a filer's contact details or files is recorded; the database refuses to update, delete or truncate them"
            ),
            "flask db grant",
        ],
        [
            _("Division and role scoping"),
            _(
                "Staff see only their division's cases, corruption reports only integrity officers; anything else answers 404"
            ),
            "—",
        ],
        [
            _("Throttles"),
            _("Filings and failed look-ups are limited per client address"),
            f"FILING_LIMIT = {config['FILING_LIMIT']}; TRACK_FAILED_LOOKUP_LIMIT = {config['TRACK_FAILED_LOOKUP_LIMIT']}",
        ],
        [
            _("Backups"),
            _(
                "Nightly backups of the database and files with checksums (flask backup); the copies are kept off the server, encrypted before they leave it"
            ),
            "suggestion-backup.timer",
        ],
        [
            _("Retention anonymisation"),
            _(
                "A daily job anonymises the filer's data of each case past its period, in batches; the figures stay"
            ),
            _(
                "The periods above (/admin/retention); RETENTION_BATCH = %(n)d",
                n=config["RETENTION_BATCH"],
            ),
        ],
        [
            _("Logs"),
            _("No personal data in logs; database errors never quote the values of a statement"),
            "—",
        ],
    ]
    header = [_("Measure"), _("What the system does"), _("Setting")]
    return _text_table(_("Security measures"), header, rows)


def processing_record(made_at: datetime) -> Document:
    """The record, in the current language, as it stands at ``made_at``."""
    locale = current_language()
    config = current_app.config
    agency = config["AGENCY_NAME_TH"] if locale == "th" else config["AGENCY_NAME_EN"]
    return Document(
        title=_("Record of processing activities (PDPA s.39)"),
        lines=[
            _("Data controller: %(agency)s", agency=agency),
            _(
                "Generated on %(date)s from the system's settings",
                date=format_date(made_at, locale, agency_zone()),
            ),
        ],
        tables=[_data_collected(), _retention(), _recipients(), _security()],
    )
