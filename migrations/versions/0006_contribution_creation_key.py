"""contribution creation key: a form posted twice, or an API call retried, makes one draft

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    # Existing contributions have no key (NULL), and a unique index lets NULLs repeat. Plain ALTER TABLE and
    # CREATE INDEX on both databases: SQLite would rebuild the table for a constraint (cascading deletes).
    op.add_column("contributions", sa.Column("creation_key", sa.String(length=64), nullable=True))
    op.create_index("ix_contributions_author_id_creation_key", "contributions", ["author_id", "creation_key"], unique=True)


def downgrade():
    op.drop_index("ix_contributions_author_id_creation_key", table_name="contributions")
    op.drop_column("contributions", "creation_key")  # SQLite 3.35+ drops a column without a rebuild
