"""Event actions are a vocabulary: a check constraint keeps case_events.action
to the values of suggestion.cases.states.EventAction.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01 02:00:00

"""
from alembic import op

revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None

ACTIONS = (
    "filed", "imported", "status_changed", "information_added", "public_reply", "note",
    "reclassified", "priority_set", "assigned", "merged_in", "rated", "restricted_access",
    "escalated", "deadlines_recomputed",
)
CONDITION = "action IN ({})".format(", ".join(f"'{a}'" for a in ACTIONS))
APPEND_ONLY_MESSAGE = "case_events is append-only"


def _sqlite_triggers():
    # SQLite rebuilds the table to add a constraint, and its triggers with it.
    for action in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER IF NOT EXISTS case_events_no_{action.lower()} BEFORE {action} ON case_events
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
        """)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("action", "case_events", CONDITION)
        return
    with op.batch_alter_table("case_events", recreate="always") as batch_op:
        batch_op.create_check_constraint("action", CONDITION)
    _sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_case_events_action"), "case_events", type_="check")
        return
    with op.batch_alter_table("case_events", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_case_events_action"), type_="check")
    _sqlite_triggers()
