"""review requests: a reviewer accepts (or declines) being asked to review

`reviewer_assignments.accepted_at` records the acceptance. Assignments whose
reviewer already wrote a review count as accepted from their assignment.

Revision ID: 0017_review_requests
Revises: 0016_revision_response
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_review_requests"
down_revision = "0016_revision_response"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases (a nullable column without a default).
    op.add_column("reviewer_assignments", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE reviewer_assignments SET accepted_at = assigned_at "
        "WHERE declined_at IS NULL AND EXISTS (SELECT 1 FROM reviews "
        "WHERE reviews.contribution_id = reviewer_assignments.contribution_id "
        "AND reviews.reviewer_id = reviewer_assignments.reviewer_id)"
    )


def downgrade():
    with op.batch_alter_table("reviewer_assignments", schema=None) as batch_op:
        batch_op.drop_column("accepted_at")
