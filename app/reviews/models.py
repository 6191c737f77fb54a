from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.timeutil import utcnow

# A reviewer's advice: review vocabulary, not workflow transitions (though two words are shared); code names them by these.
RECOMMENDATIONS = ("accept", "revise", "reject")
ACCEPT, REVISE, REJECT = RECOMMENDATIONS
SCORES = ("relevance", "evidence", "urgency")
# A review request's answer: not yet given, agreed to (accepted), declined.
REQUEST_STATES = ("asked", "agreed", "declined")
ASKED, AGREED, DECLINED = REQUEST_STATES


class ReviewerAssignment(Model):
    __tablename__ = "reviewer_assignments"
    __table_args__ = (
        sa.UniqueConstraint("contribution_id", "reviewer_id", name="uq_reviewer_assignments_pair"),
        sa.Index("ix_reviewer_assignments_reviewer_open", "reviewer_id", "declined_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    automatic: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Being assigned is a request: the reviewer accepts it (or writes a review, which accepts it) or declines it.
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    declined_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Reminders: at most one a day.
    last_reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    reviewer = relationship("User", foreign_keys=[reviewer_id], lazy="joined")
    contribution = relationship("Contribution")

    @property
    def is_open(self):
        return self.declined_at is None

    @property
    def request_state(self):
        """The reviewer's answer to the request: one of REQUEST_STATES."""
        if self.declined_at is not None:
            return DECLINED
        return AGREED if self.accepted_at is not None else ASKED


class Review(Model):
    """One reviewer's review of one revision. Editable until the decision."""

    __tablename__ = "reviews"
    __table_args__ = (
        sa.UniqueConstraint("contribution_id", "reviewer_id", "revision", name="uq_reviews_per_revision"),
        sa.CheckConstraint("recommendation IN ('" + "', '".join(RECOMMENDATIONS) + "')", name="recommendation_known"),
        *[sa.CheckConstraint(f"{score} BETWEEN 1 AND 5", name=f"{score}_range") for score in SCORES],
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    recommendation: Mapped[str] = mapped_column(sa.String(10))
    relevance: Mapped[int]
    evidence: Mapped[int]
    urgency: Mapped[int]
    comment_to_author: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    confidential_comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    reviewer = relationship("User", lazy="joined")

    @property
    def average(self):
        return round((self.relevance + self.evidence + self.urgency) / 3, 2)
