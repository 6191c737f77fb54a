"""Which contributions a reviewer may open: those they are assigned to (and have not declined)."""

import sqlalchemy as sa

from app.contributions.models import Contribution
from app.reviews.models import ReviewerAssignment


def clause(user):
    if not user.has_role("reviewer"):
        return None
    return sa.exists().where(
        ReviewerAssignment.contribution_id == Contribution.id,
        ReviewerAssignment.reviewer_id == user.id,
        ReviewerAssignment.declined_at.is_(None),
    )
