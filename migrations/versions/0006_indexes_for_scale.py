"""Indexes that keep the queue and the indicators fast at a million cases
(measured by make bench, docs/performance.md): the open cases by deadline, a
trigram index of the open cases for the queue's search, the indicators'
columns carried in the receipt and outcome indexes, and the cases of a kind by
deadline for the strict indicator, and every case by deadline for the
queue's keyset pages and its CSV export; the sweep's thresholds gain the case
as tie-breaker, for the sweep's keyset batches.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OPEN = "status IN ('received', 'screening', 'awaiting_info', 'in_progress')"
RECEIVED = ["status", "acknowledged_at", "ack_due_at", "channel", "category_id", "division_id"]
RESOLVED = ["due_at", "satisfaction", "outcome_working_days", "status", "channel",
            "category_id", "division_id", "received_at", "closed_at"]


THRESHOLDS = ("ack_due_at", "remind_at", "final_remind_at", "escalate_at", "progress_due_at")


def upgrade():
    # The sweep's thresholds by (moment, case), for its keyset batches.
    for column in THRESHOLDS:
        op.drop_index(f"ix_cases_{column}", table_name="cases")
        op.create_index(f"ix_cases_{column}_id", "cases", [column, "id"])
    op.drop_index("ix_cases_kind_received_at", table_name="cases")
    op.drop_index("ix_cases_kind_resolved_at", table_name="cases")
    op.create_index("ix_cases_kind_received_at", "cases", ["kind", "received_at"],
                    postgresql_include=RECEIVED)
    op.create_index("ix_cases_kind_resolved_at", "cases", ["kind", "resolved_at"],
                    postgresql_include=RESOLVED)
    op.create_index("ix_cases_kind_due_at", "cases", ["kind", "due_at"],
                    postgresql_include=["status", "resolved_at", "closed_at", "received_at"])
    op.create_index("ix_cases_due_at_id", "cases", ["due_at", "id"])
    op.create_index("ix_cases_open_due_at", "cases", ["due_at", "id"],
                    postgresql_include=["status", "kind", "division_id", "assignee_id"],
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    if op.get_bind().dialect.name == "postgresql":
        # The same expression as suggestion.staff.queries.search_text(), over
        # the open cases only: the queue searches them by default.
        op.execute(
            "CREATE INDEX ix_cases_open_search_trgm ON cases USING gin "
            "((tracking_code || ' ' || subject || ' ' || description) gin_trgm_ops) "
            f"WHERE {OPEN}"
        )


def downgrade():
    for column in THRESHOLDS:
        op.drop_index(f"ix_cases_{column}_id", table_name="cases")
        op.create_index(f"ix_cases_{column}", "cases", [column])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_cases_open_search_trgm")
    op.drop_index("ix_cases_open_due_at", table_name="cases")
    op.drop_index("ix_cases_kind_due_at", table_name="cases")
    op.drop_index("ix_cases_due_at_id", table_name="cases")
    op.drop_index("ix_cases_kind_resolved_at", table_name="cases")
    op.drop_index("ix_cases_kind_received_at", table_name="cases")
    op.create_index("ix_cases_kind_received_at", "cases", ["kind", "received_at"])
    op.create_index("ix_cases_kind_resolved_at", "cases", ["kind", "resolved_at"])
