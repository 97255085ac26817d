"""Did it solve your problem? (issue 14, item 3): the filer's answers about
resolved outcomes, one per outcome (a unique key on the case and the
outcome's moment), and the two event actions that audit them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

ACTIONS = (
    "filed", "imported", "status_changed", "information_added", "public_reply", "note",
    "reclassified", "priority_set", "assigned", "merged_in", "rated", "restricted_access",
    "escalated", "deadlines_recomputed",
)
NEW_ACTIONS = ("outcome_confirmed", "outcome_disputed")
APPEND_ONLY_MESSAGE = "case_events is append-only"


def _event_actions(actions):
    """case_events.action's vocabulary (its check constraint)."""
    condition = "action IN ({})".format(", ".join(f"'{a}'" for a in actions))
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_case_events_action"), "case_events", type_="check")
        op.create_check_constraint("action", "case_events", condition)
        return
    # SQLite rebuilds the table to change a constraint, and its triggers with it.
    with op.batch_alter_table("case_events", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_case_events_action"), type_="check")
        batch_op.create_check_constraint("action", condition)
    for action in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER IF NOT EXISTS case_events_no_{action.lower()} BEFORE {action} ON case_events
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
        """)


def upgrade():
    op.create_table('outcome_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_solved', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outcome_answers_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_answers')),
    sa.UniqueConstraint('case_id', 'outcome_at', name='uq_outcome_answers_case_id_outcome_at')
    )
    with op.batch_alter_table('outcome_answers', schema=None) as batch_op:
        batch_op.create_index('ix_outcome_answers_answered_at', ['answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_answers_case_id'), ['case_id'], unique=False)

    _event_actions(ACTIONS + NEW_ACTIONS)


def downgrade():
    # Events of the new actions stay (the trail is append-only): going below
    # this revision is refused while there are any.
    _event_actions(ACTIONS)
    with op.batch_alter_table('outcome_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_answers_case_id'))
        batch_op.drop_index('ix_outcome_answers_answered_at')

    op.drop_table('outcome_answers')
