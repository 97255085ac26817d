"""Kinds, channels and states of a case, with what the public sees of them."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Kind(enum.StrEnum):
    COMPLAINT = "complaint"  # ร้องเรียน/ร้องทุกข์
    CORRUPTION = "corruption"  # ร้องเรียนการทุจริตและประพฤติมิชอบ
    SUGGESTION = "suggestion"  # ข้อเสนอแนะ
    COMPLIMENT = "compliment"  # ชมเชย
    INQUIRY = "inquiry"  # สอบถาม


KIND_LABELS = {
    Kind.COMPLAINT: _l("Complaint"),
    Kind.CORRUPTION: _l("Corruption or misconduct report"),
    Kind.SUGGESTION: _l("Suggestion"),
    Kind.COMPLIMENT: _l("Compliment"),
    Kind.INQUIRY: _l("Inquiry"),
}


class Channel(enum.StrEnum):
    WEB = "web"
    API = "api"
    PHONE = "phone"
    LETTER = "letter"
    WALK_IN = "walk_in"
    EMAIL = "email"
    GOV_1111 = "gov_1111"  # the government's 1111 centre
    AGENCY = "agency"  # referred by another agency
    IMPORT = "import"


class Status(enum.StrEnum):
    RECEIVED = "received"
    SCREENING = "screening"
    AWAITING_INFO = "awaiting_info"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    FORWARDED = "forwarded"
    REJECTED = "rejected"
    MERGED = "merged"
    CLOSED = "closed"


# The outcomes: reaching one sets resolved_at (the filer has been told).
OUTCOMES = frozenset({Status.RESOLVED, Status.FORWARDED, Status.REJECTED})
# States in which the case is still being worked on.
OPEN_STATES = frozenset(
    {Status.RECEIVED, Status.SCREENING, Status.AWAITING_INFO, Status.IN_PROGRESS}
)
# States in which the deadline clock runs (it pauses while awaiting the filer).
RUNNING_STATES = frozenset({Status.RECEIVED, Status.SCREENING, Status.IN_PROGRESS})
# States that have had their outcome (and may be reopened).
FINISHED_STATES = OUTCOMES | {Status.MERGED, Status.CLOSED}
# States in which the filer may still be written to (a reply, not a change of state).
REPLYING_STATES = frozenset(Status) - {Status.MERGED, Status.CLOSED}


def values(states: frozenset[Status]) -> list[str]:
    """The stored values of a set of states, in a stable order, for SQL."""
    return sorted(s.value for s in states)


PUBLIC_LABELS = {
    Status.RECEIVED: _l("Received"),
    Status.SCREENING: _l("Received"),
    Status.AWAITING_INFO: _l("Waiting for your information"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.RESOLVED: _l("Resolved"),
    Status.FORWARDED: _l("Forwarded"),
    Status.REJECTED: _l("Closed: not accepted"),
    Status.MERGED: _l("Merged"),
    Status.CLOSED: _l("Closed"),
}


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class RejectGround(enum.StrEnum):
    """The grounds on which a case may be declined (DESIGN §1.2)."""

    OUTSIDE_REMIT = "outside_remit"
    BEFORE_COURT = "before_court"
    CONCLUDED_ELSEWHERE = "concluded_elsewhere"
    ANONYMOUS_WITHOUT_EVIDENCE = "anonymous_without_evidence"
    NOT_A_COMPLAINT = "not_a_complaint"
    DUPLICATE = "duplicate"


REJECT_GROUND_LABELS = {
    RejectGround.OUTSIDE_REMIT: _l("Outside the agency's remit"),
    RejectGround.BEFORE_COURT: _l("Before a court or finally decided"),
    RejectGround.CONCLUDED_ELSEWHERE: _l("Already concluded by another agency"),
    RejectGround.ANONYMOUS_WITHOUT_EVIDENCE: _l(
        "Anonymous, without evidence, circumstances or witnesses"
    ),
    RejectGround.NOT_A_COMPLAINT: _l("Not a complaint"),
    RejectGround.DUPLICATE: _l("Duplicate of another case"),
}

CHANNEL_LABELS = {
    Channel.WEB: _l("Website"),
    Channel.API: _l("API"),
    Channel.PHONE: _l("Telephone call"),
    Channel.LETTER: _l("Letter"),
    Channel.WALK_IN: _l("In person"),
    Channel.EMAIL: _l("E-mail"),
    Channel.GOV_1111: _l("1111 government centre"),
    Channel.AGENCY: _l("Referred by another agency"),
    Channel.IMPORT: _l("Imported"),
}

PRIORITY_LABELS = {
    Priority.LOW: _l("Low"),
    Priority.NORMAL: _l("Normal"),
    Priority.HIGH: _l("High"),
    Priority.URGENT: _l("Urgent"),
}

STATUS_LABELS = {
    Status.RECEIVED: _l("Received, not screened"),
    Status.SCREENING: _l("Screening"),
    Status.AWAITING_INFO: _l("Awaiting information"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.RESOLVED: _l("Resolved"),
    Status.FORWARDED: _l("Forwarded"),
    Status.REJECTED: _l("Rejected"),
    Status.MERGED: _l("Merged"),
    Status.CLOSED: _l("Closed"),
}


class EventAction(enum.StrEnum):
    """What an event of a case's audit trail records."""

    FILED = "filed"
    IMPORTED = "imported"
    STATUS_CHANGED = "status_changed"
    INFORMATION_ADDED = "information_added"
    PUBLIC_REPLY = "public_reply"
    NOTE = "note"
    RECLASSIFIED = "reclassified"
    PRIORITY_SET = "priority_set"
    ASSIGNED = "assigned"
    MERGED_IN = "merged_in"
    RATED = "rated"
    RESTRICTED_ACCESS = "restricted_access"
    ESCALATED = "escalated"
    DEADLINES_RECOMPUTED = "deadlines_recomputed"
    # The filer's answer to "was your problem solved?" about a resolved outcome.
    OUTCOME_CONFIRMED = "outcome_confirmed"
    OUTCOME_DISPUTED = "outcome_disputed"


EVENT_LABELS = {
    EventAction.FILED: _l("Filed"),
    EventAction.IMPORTED: _l("Imported from an earlier system"),
    EventAction.STATUS_CHANGED: _l("State changed"),
    EventAction.INFORMATION_ADDED: _l("Information from the filer"),
    EventAction.PUBLIC_REPLY: _l("Reply to the filer"),
    EventAction.NOTE: _l("Internal note"),
    EventAction.RECLASSIFIED: _l("Kind or category changed"),
    EventAction.PRIORITY_SET: _l("Priority set"),
    EventAction.ASSIGNED: _l("Assigned"),
    EventAction.MERGED_IN: _l("A duplicate was merged in"),
    EventAction.RATED: _l("Rated by the filer"),
    EventAction.RESTRICTED_ACCESS: _l("Restricted report opened, with the reason"),
    EventAction.ESCALATED: _l("Escalated to the managers: the deadline has passed"),
    EventAction.DEADLINES_RECOMPUTED: _l("Deadlines recomputed (policy or holidays changed)"),
    EventAction.OUTCOME_CONFIRMED: _l("The filer says the outcome solved their problem"),
    EventAction.OUTCOME_DISPUTED: _l("The filer says the outcome did not solve their problem"),
}


class Actor(enum.StrEnum):
    """Who acted when it was not a staff account."""

    STAFF = "staff"
    PUBLIC = "public"  # the filer
    SYSTEM = "system"
    IMPORT = "import"


ACTOR_LABELS = {
    Actor.PUBLIC: _l("The filer"),
    Actor.SYSTEM: _l("The system"),
    Actor.IMPORT: _l("Import"),
}
