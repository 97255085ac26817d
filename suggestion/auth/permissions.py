"""What each role may do beyond single cases (the per-case rules are in
suggestion.cases.permissions): one place, so that no view compares role names."""

from __future__ import annotations

from suggestion.auth.models import Role
from suggestion.auth.models import User

# Who handles cases (officers, and integrity officers for corruption reports);
# managers watch, assign and report; administrators do everything but handle
# corruption reports.
HANDLERS = frozenset({Role.OFFICER, Role.INTEGRITY, Role.ADMIN})


def role_of(user: User) -> Role:
    return Role(user.role)


ADMINISTRATORS = frozenset({Role.ADMIN})


def can_administer(user: User) -> bool:
    """Accounts, policies, holidays, reply templates, the audit trail."""
    return would_administer(user.role, user.is_active)


def would_administer(role: str, is_active: bool) -> bool:
    """Whether an account with this role and state may administer: an
    administrator may not take this right from themselves."""
    return is_active and Role(role) in ADMINISTRATORS


def can_handle_subject_requests(user: User) -> bool:
    """The register of data-subject requests: the data protection officer
    and administrators (docs/decisions.md, "The data protection officer")."""
    return user.is_active and role_of(user) in {Role.PRIVACY, Role.ADMIN}


def works_cases(user: User) -> bool:
    """Whether the staff desk (the queue, cases, intake) is for this account:
    every role but the data protection officer's."""
    return role_of(user) != Role.PRIVACY


def can_read_reports(user: User) -> bool:
    """Managers (their division) and administrators (the agency)."""
    return user.is_active and role_of(user) in {Role.MANAGER, Role.ADMIN}


def reports_cover_agency(user: User) -> bool:
    """An administrator's reports cover the whole agency; a manager's, their
    division without corruption reports."""
    return role_of(user) == Role.ADMIN


def can_handle_corruption(user: User) -> bool:
    """Corruption reports are handled by integrity officers only (ITA O28)."""
    return user.is_active and role_of(user) == Role.INTEGRITY


def can_register_intake(user: User, is_corruption: bool) -> bool:
    """Staff type in cases that came by other channels; a corruption report
    only an integrity officer."""
    if is_corruption:
        return can_handle_corruption(user)
    return user.is_active


# Who reads the access log of personal data (who looked at whom) on
# /admin/audit: administrators; the data protection officer's ``privacy``
# role joins them here.
ACCESS_LOG_READERS = frozenset({Role.ADMIN, Role.PRIVACY})


# The breach register: administrators and the data protection officer, who
# also get its reminders and its escalation.
BREACH_KEEPERS = frozenset({Role.ADMIN, Role.PRIVACY})


def can_keep_breach_register(user: User) -> bool:
    return user.is_active and role_of(user) in BREACH_KEEPERS


def can_read_access_log(user: User) -> bool:
    return user.is_active and role_of(user) in ACCESS_LOG_READERS
