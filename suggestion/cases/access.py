"""Who may see and work on which case.

- Corruption reports and their reporters: integrity officers only; an
  administrator only after recording a reason, which is logged as an event.
- Other cases: staff of the case's division, and everyone for cases not yet
  routed to a division (the intake queue); administrators see all.

Everything else answers 404. One object gives both the SQL filter of the queue
and the answer for a single case, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.cases.models import Case
from suggestion.cases.states import Kind
from suggestion.core.errors import NotFound


@dataclass(frozen=True)
class StaffAccess:
    """A staff member, with the corruption reports an administrator has
    unlocked by giving a reason (kept in their session)."""

    user: User
    unlocked: frozenset[int] = frozenset()

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    def clause(self) -> sa.ColumnElement[bool]:
        """A WHERE clause selecting the cases this person may see."""
        not_corruption = Case.kind != Kind.CORRUPTION
        if self.role == Role.PRIVACY:  # the register of requests, not the cases
            return sa.false()
        if self.role == Role.ADMIN:
            if self.unlocked:
                return sa.or_(not_corruption, Case.id.in_(self.unlocked))
            return not_corruption
        in_reach = sa.or_(Case.division_id == self.user.division_id, Case.division_id.is_(None))
        if self.role == Role.INTEGRITY:
            return sa.or_(Case.kind == Kind.CORRUPTION, sa.and_(not_corruption, in_reach))
        return sa.and_(not_corruption, in_reach)

    def can_view(self, case: Case) -> bool:
        if not self.user.is_active or self.role == Role.PRIVACY:
            return False
        if case.kind == Kind.CORRUPTION:
            return self.role == Role.INTEGRITY or (
                self.role == Role.ADMIN and case.id in self.unlocked
            )
        if self.role == Role.ADMIN:
            return True
        return case.division_id is None or case.division_id == self.user.division_id

    def needs_reason(self, case: Case) -> bool:
        """An administrator must say why before opening a corruption report."""
        return (
            self.role == Role.ADMIN
            and case.kind == Kind.CORRUPTION
            and case.id not in self.unlocked
        )

    def can_see_filer(self, case: Case) -> bool:
        """Never for anonymous filings; otherwise whoever may see the case
        (for corruption reports that is the integrity officers)."""
        return not case.is_anonymous and self.can_view(case)


class NotPermitted(NotFound):
    """Raised by services when asked to act on a case out of reach; the web
    layer answers 404, so that the case's existence is not revealed."""
