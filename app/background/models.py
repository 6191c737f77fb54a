from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.timeutil import utcnow

JOB_STATES = ("queued", "started", "finished", "failed")


class BackgroundJob(Model):
    """One piece of background work someone waits for (a report build, ...).

    Written (queued) in the same transaction as the change that asks for it,
    then handed to the queue: a job is never lost when Redis is down, it
    waits queued. The job itself moves it to started, then finished or failed.
    """

    __tablename__ = "background_jobs"
    __table_args__ = (
        sa.CheckConstraint("state IN ('" + "', '".join(JOB_STATES) + "')", name="state_known"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        sa.Index("ix_background_jobs_subject", "subject_type", "subject_id"),
        sa.Index("ix_background_jobs_state_created_at", "state", "created_at"),
    )

    # A random hex id: safe to show, not guessable, usable as the RQ job id.
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(50))
    state: Mapped[str] = mapped_column(sa.String(16), default="queued", server_default="queued")
    progress: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # What the job works on, by id (jobs take ids, never objects).
    subject_type: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")
    subject_id: Mapped[int | None]
    # Extra ids the job needs (e.g. the version number being built).
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    result: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # Pages and the API ask these, never the state's spelling.
    @property
    def waiting(self):
        return self.state == "queued"

    @property
    def succeeded(self):
        return self.state == "finished"

    @property
    def failed(self):
        return self.state == "failed"

    @property
    def done(self):
        return self.succeeded or self.failed

    def __repr__(self):
        return f"<BackgroundJob {self.id} {self.kind} {self.state} {self.progress}%>"
