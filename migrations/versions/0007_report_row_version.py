"""report row version: optimistic locking for the report lifecycle on the workflow engine

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN with a default on both databases (SQLite would rebuild the table for more).
    op.add_column("reports", sa.Column("row_version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    op.drop_column("reports", "row_version")  # SQLite 3.35+ drops a column without a rebuild
