"""Whose cases a report counts, for the pages and the monthly e-mail alike."""

from __future__ import annotations

import sqlalchemy as sa

from suggestion.auth.models import User
from suggestion.auth.permissions import reports_cover_agency
from suggestion.cases.models import Case
from suggestion.cases.states import Kind

# Extra WHERE conditions on the cases a report counts; none for the whole agency.
Scope = tuple[sa.ColumnElement[bool], ...]


def report_scope(user: User) -> Scope:
    """A manager's division, never corruption reports; an administrator's all."""
    if reports_cover_agency(user):
        return ()
    return (Case.division_id == user.division_id, Case.kind != Kind.CORRUPTION.value)
