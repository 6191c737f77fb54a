"""contribution revisions keep the author's response to the reviewers (resubmitting after changes were requested)

Revision ID: 0016_revision_response
Revises: 0015_workshop_registrations
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_revision_response"
down_revision = "0015_workshop_registrations"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases; earlier revisions read "" (no response).
    op.add_column("contribution_revisions", sa.Column("response_to_reviewers", sa.Text(), server_default="", nullable=False))


def downgrade():
    op.drop_column("contribution_revisions", "response_to_reviewers")  # SQLite 3.35+ drops a column without a rebuild
