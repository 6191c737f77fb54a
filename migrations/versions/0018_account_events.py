"""account events: what administrators did to accounts (access changes, deactivation), for the audit log

Revision ID: 0018_account_events
Revises: 0017_review_requests
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_account_events"
down_revision = "0017_review_requests"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('access_changed', 'deactivated', 'reactivated')", name=op.f("ck_account_events_kind_known")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_account_events_actor_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_account_events_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_events")),
    )
    op.create_index(op.f("ix_account_events_actor_id"), "account_events", ["actor_id"])
    op.create_index(op.f("ix_account_events_at"), "account_events", ["at"])
    op.create_index(op.f("ix_account_events_user_id"), "account_events", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_account_events_user_id"), table_name="account_events")
    op.drop_index(op.f("ix_account_events_at"), table_name="account_events")
    op.drop_index(op.f("ix_account_events_actor_id"), table_name="account_events")
    op.drop_table("account_events")
