"""Who may do what to a case: one function per verb, beside the services that
assert them (suggestion.cases.actions) and used by the staff desk to offer
only what the user may do.

Seeing a case (suggestion.cases.access) is the first condition of all. Then:
- handling it (screening, accepting, asking the filer, replying, the
  outcomes, merging, reopening, closing) is for officers of its division
  (and of the intake queue), integrity officers for corruption reports, and
  administrators — never managers, who supervise;
- routing it (assigning, priority) and internal notes are also for managers;
- corruption reports are handled by integrity officers only: an
  administrator who recorded a reason may read one, not act on it.
"""

from __future__ import annotations

from collections.abc import Callable

from suggestion.auth.models import Role
from suggestion.auth.permissions import HANDLERS
from suggestion.cases.access import StaffAccess
from suggestion.cases.models import Case
from suggestion.cases.states import Kind

Permission = Callable[[StaffAccess, Case], bool]


def _handles(access: StaffAccess, case: Case) -> bool:
    if not access.can_view(case):
        return False
    if case.kind == Kind.CORRUPTION:
        return access.role == Role.INTEGRITY
    return access.role in HANDLERS


def _routes(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case) or (
        access.can_view(case) and access.role == Role.MANAGER and case.kind != Kind.CORRUPTION
    )


def can_screen(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)


def can_accept(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)


def can_reclassify(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)


def can_set_priority(access: StaffAccess, case: Case) -> bool:
    return _routes(access, case)


def can_assign(access: StaffAccess, case: Case) -> bool:
    return _routes(access, case)


def can_request_information(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)


def can_reply(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)


def can_add_note(access: StaffAccess, case: Case) -> bool:
    return _routes(access, case)


def can_resolve(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)


def can_forward(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)


def can_reject(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)


def can_merge(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)


def can_reopen(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)


def can_close(access: StaffAccess, case: Case) -> bool:
    return _handles(access, case)
