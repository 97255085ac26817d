"""Administration as services, for the pages and the command line alike:
accounts, SLA policies, holidays and reply templates.

Each service takes the acting account (``None`` for the command line), checks
its right (:func:`can_administer`; not permitted answers ``NotFound``), refuses
bad values with :class:`Invalid` whose code is the form field, before it
changes anything, then changes the session, writes one audit record per kind
of change (suggestion.core.audit), flushes and returns. The request or the
command commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError
from email_validator import validate_email
from flask_babel import lazy_gettext as _l

from suggestion.auth import two_factor
from suggestion.auth.models import Division
from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.auth.passwords import check_new_password
from suggestion.auth.permissions import can_administer
from suggestion.auth.permissions import would_administer
from suggestion.auth.services import change_password
from suggestion.calendar.models import Holiday
from suggestion.calendar.models import HolidayCategory
from suggestion.calendar.models import HolidaySource
from suggestion.calendar.services import forget_holiday_names
from suggestion.calendar.services import HolidaySync
from suggestion.calendar.services import load_year
from suggestion.cases.models import Category
from suggestion.cases.models import ReplyTemplate
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminActor
from suggestion.core.audit import changes
from suggestion.core.audit import record_admin_change
from suggestion.core.errors import Invalid
from suggestion.core.errors import NotFound
from suggestion.core.extensions import db
from suggestion.core.forms import EARLIEST
from suggestion.core.forms import LATEST
from suggestion.core.forms import REQUIRED
from suggestion.core.jobs import enqueue_job
from suggestion.core.tasks import JobName
from suggestion.deadlines.models import SlaPolicy
from suggestion.deadlines.policies import POLICY_BOUNDS

RECOMPUTE = JobName.RECOMPUTE_DEADLINES
FIRST_YEAR, LAST_YEAR = 1950, 2200  # the years the holidays package covers well


class EmailTaken(Invalid):
    """Another account already has this e-mail."""

    default_message = _l("Another account already uses this e-mail.")

    def __init__(self, email: str) -> None:
        super().__init__(code="email")
        self.email = email


# --- Who acts, and may they ------------------------------------------------------


def authorise(actor: User | None) -> tuple[int | None, str]:
    """The actor's id and label for the record, once their right is checked.
    ``None`` is the command line: whoever runs it already holds the server."""
    if actor is None:
        return None, AdminActor.COMMAND_LINE
    if not can_administer(actor):
        raise NotFound()
    return actor.id, actor.email


def record(
    who: tuple[int | None, str], action: AdminAction, target: str, diff: Mapping[str, Any]
) -> None:
    record_admin_change(who[0], who[1], action, target, diff)


def _text(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(REQUIRED, code=field)
    if len(text) > limit:
        raise Invalid(_l("Please keep this under %(max)d characters.", max=limit), code=field)
    return text


# --- Accounts --------------------------------------------------------------------


def _account_values(
    user: User | None, *, email: str, name: str, role: str, division_id: int | None
) -> dict[str, Any]:
    """The checked values of an account, or :class:`Invalid` for the first
    field that is wrong."""
    name = _text(name, "name", 200)
    address = (email or "").strip().lower()
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(_l("Please give a valid e-mail address."), code="email") from None
    if len(address) > 254:
        raise Invalid(_l("Please give a valid e-mail address."), code="email")
    clash = db.session.scalar(sa.select(User.id).where(User.email == address))
    if clash is not None and (user is None or clash != user.id):
        raise EmailTaken(address)
    if role not in set(Role):
        raise Invalid(_l("Choose one of the roles offered."), code="role")
    division = db.session.get(Division, division_id) if division_id else None
    if division is None:
        raise Invalid(_l("Please choose a division."), code="division_id")
    return {"email": address, "name": name, "role": Role(role), "division": division}


def _account_diff(user: User | None, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    before = (
        {}
        if user is None
        else {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "division": user.division.code,
        }
    )
    return changes(before, {**values, "division": values["division"].code})


def create_account(
    actor: User | None,
    *,
    email: str,
    name: str,
    role: str,
    division_id: int | None,
    password: str,
) -> User:
    """A new staff account with a first password (the rule of DESIGN §5)."""
    who = authorise(actor)
    values = _account_values(None, email=email, name=name, role=role, division_id=division_id)
    if not password:
        raise Invalid(_l("Give a first password."), code="password")
    check_new_password(password, email=values["email"])
    user = User(
        email=values["email"],
        name=values["name"],
        role=values["role"],
        division_id=values["division"].id,
    )
    user.set_password(password)
    # A password an administrator chose is for the first log-in only; one
    # given on the command line (the first administrator's) is the person's own.
    user.must_change_password = actor is not None
    db.session.add(user)
    db.session.flush()
    record(
        who,
        AdminAction.ACCOUNT_CREATED,
        user.email,
        {**_account_diff(None, values), "is_active": (None, True)},
    )
    return user


def update_account(
    actor: User | None,
    user: User,
    *,
    email: str,
    name: str,
    role: str,
    division_id: int | None,
    is_active: bool,
    password: str | None = None,
) -> User:
    """Change an account: its details, its state (deactivating ends its
    sessions) and, if given, a new password. An administrator cannot take
    their own right to administer away."""
    who = authorise(actor)
    values = _account_values(user, email=email, name=name, role=role, division_id=division_id)
    if actor is not None and actor.id == user.id and not would_administer(role, is_active):
        raise Invalid(_l("You cannot remove your own administrator access."), code="role")
    if password:
        check_new_password(password, email=values["email"])

    diff = _account_diff(user, values)
    user.email, user.name, user.role = values["email"], values["name"], values["role"]
    user.division_id = values["division"].id
    if diff:
        record(who, AdminAction.ACCOUNT_CHANGED, user.email, diff)
    if user.is_active != is_active:
        if not is_active:
            user.session_epoch += 1  # deactivation ends their sessions
        user.is_active = is_active
        action = AdminAction.ACCOUNT_REACTIVATED if is_active else AdminAction.ACCOUNT_DEACTIVATED
        record(who, action, user.email, {"is_active": (not is_active, is_active)})
    if password:
        change_password(user, password)
        user.must_change_password = actor is not None  # the person chooses their own next
        record(who, AdminAction.PASSWORD_RESET, user.email, {})  # that it happened, no more
    db.session.flush()
    return user


def reset_two_factor(actor: User | None, user: User) -> None:
    """Forget an account's lost second factor: its sessions end, and it sets
    one up again at its next log-in (at once, if its role requires one)."""
    who = authorise(actor)
    if not two_factor.is_enabled(user):
        raise Invalid(_l("This account has no two-factor log-in to reset."), code="two_factor")
    two_factor.turn_off(user)
    record(who, AdminAction.TWO_FACTOR_RESET, user.email, {})
    db.session.flush()


# --- SLA policies ----------------------------------------------------------------


def _terms(values: Mapping[str, Any]) -> dict[str, int]:
    checked = {}
    for name, (low, high) in POLICY_BOUNDS.items():
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise Invalid(
                _l("Give a number from %(low)d to %(high)d.", low=low, high=high), code=name
            )
        checked[name] = value
    return checked


def policy_target(policy: SlaPolicy) -> str:
    if policy.kind:
        return f"policy {policy.kind}"
    category = db.session.get(Category, policy.category_id)
    return f"policy category {category.code if category else policy.category_id}"


def _recompute(policy: SlaPolicy) -> None:
    scope = {"category_id": policy.category_id} if policy.category_id else {"kind": policy.kind}
    enqueue_job(db.session(), RECOMPUTE, reason="policy changed", **scope)


def create_policy(
    actor: User | None, *, category_id: int | None, terms: Mapping[str, Any]
) -> SlaPolicy:
    """A category's own policy, which overrides its kind's; the open cases it
    covers have their deadlines recomputed in the background."""
    who = authorise(actor)
    category = db.session.get(Category, category_id) if category_id else None
    if category is None:
        raise Invalid(_l("Choose the category this policy is for."), code="category_id")
    if db.session.scalar(sa.select(SlaPolicy.id).where(SlaPolicy.category_id == category.id)):
        raise Invalid(
            _l("This category already has a policy: edit it instead."), code="category_id"
        )
    checked = _terms(terms)
    policy = SlaPolicy(category_id=category.id, **checked)
    db.session.add(policy)
    db.session.flush()
    record(
        who,
        AdminAction.POLICY_CREATED,
        policy_target(policy),
        {name: (None, value) for name, value in checked.items()},
    )
    _recompute(policy)
    return policy


def change_policy(actor: User | None, policy: SlaPolicy, *, terms: Mapping[str, Any]) -> SlaPolicy:
    """New terms for a policy; the open cases it covers are recomputed."""
    who = authorise(actor)
    checked = _terms(terms)
    diff = changes({name: getattr(policy, name) for name in checked}, checked)
    for name, value in checked.items():
        setattr(policy, name, value)
    db.session.flush()
    if diff:
        record(who, AdminAction.POLICY_CHANGED, policy_target(policy), diff)
    _recompute(policy)
    return policy


# --- Holidays --------------------------------------------------------------------


def _holiday_recompute(day: date, what: str) -> None:
    forget_holiday_names()
    enqueue_job(db.session(), RECOMPUTE, reason=f"holiday {day.isoformat()} {what}")


def set_holiday(actor: User | None, *, day: date, name: str) -> Holiday:
    """Add a day off (a special holiday the Cabinet declared) or rename one;
    the open cases' deadlines are recomputed in the background."""
    who = authorise(actor)
    if not EARLIEST <= day <= LATEST:
        raise Invalid(_l("Give a date between the years 1900 and 2200."), code="day")
    name = _text(name, "name", 200)
    holiday = db.session.get(Holiday, day)
    before = {} if holiday is None else {"name": holiday.name, "source": holiday.source}
    if holiday is None:
        holiday = Holiday(
            day=day, name=name, category=HolidayCategory.SPECIAL, source=HolidaySource.ADMIN
        )
        db.session.add(holiday)
    else:
        holiday.name, holiday.source = name, HolidaySource.ADMIN
    db.session.flush()
    diff = changes(before, {"name": name, "source": HolidaySource.ADMIN})
    if diff:
        record(who, AdminAction.HOLIDAY_SET, f"holiday {day.isoformat()}", diff)
    _holiday_recompute(day, "set")
    return holiday


def remove_holiday(actor: User | None, *, day: date) -> None:
    """Make a day a working day again (weekends stay weekends)."""
    who = authorise(actor)
    holiday = db.session.get(Holiday, day)
    if holiday is None:
        raise NotFound()
    record(
        who,
        AdminAction.HOLIDAY_REMOVED,
        f"holiday {day.isoformat()}",
        {"name": (holiday.name, None), "category": (holiday.category, None)},
    )
    db.session.delete(holiday)
    db.session.flush()
    _holiday_recompute(day, "removed")


def load_holidays(actor: User | None, *, year: int) -> HolidaySync:
    """Load a C.E. year's Thai public and government holidays (days an
    administrator set are kept); what was added or renamed is recorded."""
    who = authorise(actor)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(_l("Give a C.E. year such as 2026."), code="year")
    result = load_year(year, actor_id=who[0], actor_label=who[1])
    if result.changes:
        enqueue_job(db.session(), RECOMPUTE, reason=f"holidays {year} loaded")
    return result


# --- Reply templates -------------------------------------------------------------

TEMPLATE_LIMITS = {"title_th": 200, "title_en": 200, "body_th": 10_000, "body_en": 10_000}


def _template_values(texts: Mapping[str, str | None], is_active: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: _text(texts.get(name), name, limit) for name, limit in TEMPLATE_LIMITS.items()
    }
    values["is_active"] = bool(is_active)
    return values


def _template_target(template: ReplyTemplate) -> str:
    return f"template {template.id}: {template.title_en}"


def create_template(
    actor: User | None, *, texts: Mapping[str, str | None], is_active: bool = True
) -> ReplyTemplate:
    """A reply officers start from, in Thai and English (``texts`` has
    title_th, title_en, body_th and body_en)."""
    who = authorise(actor)
    values = _template_values(texts, is_active)
    template = ReplyTemplate(**values)
    db.session.add(template)
    db.session.flush()
    record(who, AdminAction.TEMPLATE_CREATED, _template_target(template), changes({}, values))
    return template


def change_template(
    actor: User | None,
    template: ReplyTemplate,
    *,
    texts: Mapping[str, str | None],
    is_active: bool,
) -> ReplyTemplate:
    """New wording, or taking a template out of use (or back)."""
    who = authorise(actor)
    values = _template_values(texts, is_active)
    diff = changes({name: getattr(template, name) for name in values}, values)
    for name, value in values.items():
        setattr(template, name, value)
    db.session.flush()
    if diff:
        record(who, AdminAction.TEMPLATE_CHANGED, _template_target(template), diff)
    return template
