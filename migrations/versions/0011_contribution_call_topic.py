"""contribution revisions keep the call topic the contribution informed at that revision

Revision ID: 0011_contribution_call_topic
Revises: 0010_workshops
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_contribution_call_topic"
down_revision = "0010_workshops"
branch_labels = None
depends_on = None


def upgrade():
    # Like workshop_id beside it: a plain id, no foreign key (a revision records what was said, even of a topic since removed).
    # Plain ALTER TABLE on both databases; earlier revisions read NULL (no topic named).
    op.add_column("contribution_revisions", sa.Column("call_topic_id", sa.Integer(), nullable=True))


def downgrade():
    op.drop_column("contribution_revisions", "call_topic_id")  # SQLite 3.35+ drops a column without a rebuild
