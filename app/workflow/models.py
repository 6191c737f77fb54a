from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.timeutil import utcnow


class WorkflowHistory(Model):
    """One applied transition; written once, never updated."""

    __tablename__ = "workflow_history"
    __table_args__ = (sa.Index("ix_workflow_history_subject", "workflow", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow: Mapped[str] = mapped_column(sa.String(50))
    subject_id: Mapped[int]
    transition: Mapped[str] = mapped_column(sa.String(50))
    from_state: Mapped[str] = mapped_column(sa.String(50))
    to_state: Mapped[str] = mapped_column(sa.String(50))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    revision: Mapped[int | None]

    actor = relationship("User", lazy="joined")
