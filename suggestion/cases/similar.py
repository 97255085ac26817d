"""Possible duplicates of a case, for triage: earlier cases that the officer
may see, received within WINDOW before it, that come from the same filer or
read alike.

- Same filer: the keyed digests of the filer's e-mail or telephone match
  (suggestion.cases.filers); one indexed look-up per digest.
- Alike: on PostgreSQL, pg_trgm's similarity of ``subject || ' ' ||
  description``, found with the ``%`` operator under a threshold set for the
  transaction, through the GiST index of (received_at, that text) of
  migration 0016, so that only the window is read. On SQLite (the embedded
  default) the same measure is computed in Python over the most recent
  SQLITE_SCAN cases of the window (docs/decisions.md).

Score: the text's similarity (0 to 1), plus FILER_WEIGHT for the same filer,
at most 1. The access clause of :class:`StaffAccess` is part of every query,
so nothing out of the officer's reach is read, let alone shown.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from suggestion.cases.access import StaffAccess
from suggestion.cases.models import Case
from suggestion.cases.models import Complainant
from suggestion.cases.states import Status
from suggestion.core.extensions import db

WINDOW = timedelta(days=180)
LIMIT = 5
# pg_trgm's similarity of the whole text from which a case counts as alike;
# measured on Thai near-duplicates (reworded, shortened, with typos, with
# another name: 0.31 to 0.84) against unrelated filings (at most 0.15).
TEXT_THRESHOLD = 0.25
SUBJECT_THRESHOLD = 0.5  # "similar subject"
FILER_WEIGHT = 0.5
SQLITE_SCAN = 300


class Reason(enum.StrEnum):
    SAME_FILER = "same_filer"
    SIMILAR_SUBJECT = "similar_subject"
    SIMILAR_FACTS = "similar_facts"


REASON_LABELS = {
    Reason.SAME_FILER: _l("same filer"),
    Reason.SIMILAR_SUBJECT: _l("similar subject"),
    Reason.SIMILAR_FACTS: _l("similar facts"),
}


@dataclass(frozen=True)
class PossibleDuplicate:
    case: Case
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class _Likeness:
    text: float
    subject: float
    facts: float


def case_text() -> sa.ColumnElement[str]:
    """The text compared, exactly as migration 0016 indexes it (a literal
    space, not a bound parameter, so that the planner matches the index)."""
    return Case.subject + sa.literal_column("' '", sa.String) + Case.description


def window_of(access: StaffAccess, case: Case) -> list[sa.ColumnElement[bool]]:
    """The cases that may be duplicates of this one: in reach, earlier and
    within WINDOW, not already merged into another, and not anonymised (their
    text is all the same placeholder: suggestion.cases.anonymise)."""
    return [
        access.clause(),
        Case.id != case.id,
        Case.status != Status.MERGED,
        Case.anonymised_at.is_(None),
        Case.received_at >= case.received_at - WINDOW,
        Case.received_at <= case.received_at,
    ]


def possible_duplicates(
    access: StaffAccess, case: Case, limit: int = LIMIT
) -> list[PossibleDuplicate]:
    """Up to ``limit`` earlier cases in reach that look like this one, best
    first; none for an anonymised case, whose text and filer are gone."""
    if case.anonymised_at is not None:
        return []
    window = window_of(access, case)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    alike = _alike_postgres(case, window, limit * 4) if postgres else _alike_sqlite(case, window)
    same_filer = _same_filer(case, window, limit * 4)
    missing = [i for i in same_filer if i not in alike]
    if missing:
        alike.update(_likeness_of(case, missing, postgres))
    ids = same_filer | set(alike)
    if not ids:
        return []
    cases = {c.id: c for c in db.session.scalars(sa.select(Case).where(Case.id.in_(ids)))}
    found = [_judge(cases[i], alike.get(i, _Likeness(0, 0, 0)), i in same_filer) for i in ids]
    found.sort(key=lambda d: (-d.score, -d.case.received_at.timestamp(), -d.case.id))
    return found[:limit]


def _judge(case: Case, likeness: _Likeness, same_filer: bool) -> PossibleDuplicate:
    reasons = []
    if same_filer:
        reasons.append(Reason.SAME_FILER)
    if likeness.subject >= SUBJECT_THRESHOLD:
        reasons.append(Reason.SIMILAR_SUBJECT)
    if likeness.text >= TEXT_THRESHOLD and (
        likeness.facts >= TEXT_THRESHOLD or Reason.SIMILAR_SUBJECT not in reasons
    ):
        reasons.append(Reason.SIMILAR_FACTS)
    text = likeness.text if likeness.text >= TEXT_THRESHOLD else 0.0
    score = min(1.0, text + (FILER_WEIGHT if same_filer else 0.0))
    return PossibleDuplicate(case=case, score=round(score, 2), reasons=tuple(reasons))


def same_filer_query(
    case: Case, window: list[sa.ColumnElement[bool]], limit: int
) -> sa.Select[Any] | None:
    filer = case.complainant
    if filer is None or not (filer.email_digest or filer.phone_digest):
        return None
    matches = []
    if filer.email_digest:
        matches.append(Complainant.email_digest == filer.email_digest)
    if filer.phone_digest:
        matches.append(Complainant.phone_digest == filer.phone_digest)
    return (
        sa.select(Case.id)
        .join(Complainant, Complainant.case_id == Case.id)
        .where(sa.or_(*matches), *window)
        .order_by(Case.received_at.desc())
        .limit(limit)
    )


def _same_filer(case: Case, window: list[sa.ColumnElement[bool]], limit: int) -> set[int]:
    query = same_filer_query(case, window, limit)
    return set(db.session.scalars(query)) if query is not None else set()


def alike_query(case: Case, window: list[sa.ColumnElement[bool]], limit: int) -> sa.Select[Any]:
    """The cases whose text is alike under the transaction's threshold of ``%``."""
    text = f"{case.subject} {case.description}"
    score = sa.func.similarity(case_text(), text)
    return (
        sa.select(
            Case.id,
            score,
            sa.func.similarity(Case.subject, case.subject),
            sa.func.similarity(Case.description, case.description),
        )
        .where(case_text().self_group().op("%", is_comparison=True)(text), *window)
        .order_by(score.desc(), Case.id.desc())
        .limit(limit)
    )


def _alike_postgres(
    case: Case, window: list[sa.ColumnElement[bool]], limit: int
) -> dict[int, _Likeness]:
    # The threshold of ``%`` for this transaction only (the pooled
    # connection keeps its default for everyone else).
    db.session.execute(
        sa.select(sa.func.set_config("pg_trgm.similarity_threshold", str(TEXT_THRESHOLD), True))
    )
    rows = db.session.execute(alike_query(case, window, limit)).all()
    return {id_: _Likeness(t, s, f) for id_, t, s, f in rows}


def _likeness_of(case: Case, ids: list[int], postgres: bool) -> dict[int, _Likeness]:
    """The likeness of a few given cases (the same filer's, not found alike)."""
    if not postgres:
        rows = db.session.execute(
            sa.select(Case.id, Case.subject, Case.description).where(Case.id.in_(ids))
        )
        return {id_: _compare(case, s, d) for id_, s, d in rows}
    text = f"{case.subject} {case.description}"
    measured = db.session.execute(
        sa.select(
            Case.id,
            sa.func.similarity(case_text(), text),
            sa.func.similarity(Case.subject, case.subject),
            sa.func.similarity(Case.description, case.description),
        ).where(Case.id.in_(ids))
    )
    return {id_: _Likeness(t, s, f) for id_, t, s, f in measured}


def _alike_sqlite(case: Case, window: list[sa.ColumnElement[bool]]) -> dict[int, _Likeness]:
    """SQLite has no trigram index: the most recent cases of the window,
    compared in Python, a bounded amount of work."""
    rows = db.session.execute(
        sa.select(Case.id, Case.subject, Case.description)
        .where(*window)
        .order_by(Case.received_at.desc())
        .limit(SQLITE_SCAN)
    )
    found = {}
    for id_, subject, description in rows:
        likeness = _compare(case, subject, description)
        if likeness.text >= TEXT_THRESHOLD:
            found[id_] = likeness
    return found


def _compare(case: Case, subject: str, description: str) -> _Likeness:
    return _Likeness(
        similarity(f"{case.subject} {case.description}", f"{subject} {description}"),
        similarity(case.subject, subject),
        similarity(case.description, description),
    )


_WORD = re.compile(r"[^\s!-/:-@\[-`{-~]+")  # runs of anything but spaces and ASCII punctuation


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams, near enough: each word padded with two spaces before
    and one after, in lower case."""
    found: set[str] = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def similarity(a: str, b: str) -> float:
    """Shared trigrams over all trigrams of both, as pg_trgm's similarity()."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)
