from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.community.models import Network, ThematicArea
from app.contributions.types import TYPES
from app.extensions import Model, db
from app.projects.models import CallTopic, Project
from app.timeutil import utcnow
from app.workshops.models import Workshop

# The states of workflows/contribution.toml; the CHECK keeps the column honest.
STATES = ("draft", "submitted", "in_review", "changes_requested", "accepted", "rejected", "withdrawn")

contribution_areas = db.Table(
    "contribution_areas",
    sa.Column("contribution_id", sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("thematic_areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)

contribution_projects = db.Table(
    "contribution_projects",
    sa.Column("contribution_id", sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# A technology contribution naming the capability gaps it addresses,
# kept in step with its `addresses_gaps` field so a gap can list its solutions.
solution_gap_links = db.Table(
    "solution_gap_links",
    sa.Column("solution_id", sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("gap_id", sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Contribution(Model):
    __tablename__ = "contributions"
    __table_args__ = (
        sa.CheckConstraint("type IN ('" + "', '".join(TYPES) + "')", name="type_known"),
        sa.CheckConstraint("state IN ('" + "', '".join(STATES) + "')", name="state_known"),
        sa.Index("ix_contributions_state_created_at", "state", "created_at"),
        sa.Index("ix_contributions_author_id_updated_at", "author_id", "updated_at"),
        # One draft per creation key and author: a form posted twice, or an API call retried, makes one draft.
        # (A unique index rather than a constraint: SQLite adds it without rebuilding the table.)
        sa.Index("ix_contributions_author_id_creation_key", "author_id", "creation_key", unique=True),
        # Full-text search on PostgreSQL ('simple': contributions come in 24 languages).
        # SQLite uses the FTS5 table contributions_fts instead (see search.py).
        sa.Index(
            "ix_contributions_search",
            sa.func.to_tsvector(sa.literal_column("'simple'"), sa.column("search_text")),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(32), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    # Sanitised HTML (see app/contributions/sanitising.py).
    summary: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Type-specific answers, keyed by the field names of app/contributions/types.py.
    fields: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # [{"url": ..., "title": ...}]: references and evidence.
    references: Mapped[list] = mapped_column(sa.JSON, default=list)
    state: Mapped[str] = mapped_column(sa.String(24), default="draft", server_default="draft")
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    # Optimistic locking: every UPDATE checks and bumps it.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    network_id: Mapped[int | None] = mapped_column(sa.ForeignKey("networks.id", ondelete="SET NULL"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workshops.id", ondelete="SET NULL"), index=True)
    # The work programme call topic the contribution informs, if any.
    call_topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("call_topics.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The random key of the form (or the API's Idempotency-Key) that created it; None for the others.
    creation_key: Mapped[str | None] = mapped_column(sa.String(64))
    # Title, summary text and field answers in one column, for full-text search.
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    author = relationship("User", lazy="joined")
    network: Mapped[Network | None] = relationship(lazy="joined")
    workshop: Mapped[Workshop | None] = relationship()
    call_topic: Mapped[CallTopic | None] = relationship()
    areas: Mapped[list[ThematicArea]] = relationship(secondary=contribution_areas, lazy="selectin", order_by=ThematicArea.position)
    projects: Mapped[list[Project]] = relationship(secondary=contribution_projects, lazy="selectin", order_by=Project.acronym)
    addressed_gaps: Mapped[list["Contribution"]] = relationship(
        secondary=solution_gap_links,
        primaryjoin=lambda: Contribution.id == solution_gap_links.c.solution_id,
        secondaryjoin=lambda: Contribution.id == solution_gap_links.c.gap_id,
        back_populates="solutions",
    )
    solutions: Mapped[list["Contribution"]] = relationship(
        secondary=solution_gap_links,
        primaryjoin=lambda: Contribution.id == solution_gap_links.c.gap_id,
        secondaryjoin=lambda: Contribution.id == solution_gap_links.c.solution_id,
        back_populates="addressed_gaps",
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="contribution", cascade="all, delete-orphan", order_by="Attachment.created_at"
    )
    revisions: Mapped[list["ContributionRevision"]] = relationship(
        back_populates="contribution", cascade="all, delete-orphan", order_by="ContributionRevision.number"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def type_spec(self):
        return TYPES[self.type]

    @property
    def area_codes(self):
        return [area.code for area in self.areas]

    def __repr__(self):
        return f"<Contribution {self.id} {self.type} {self.state}>"


class ContributionRevision(Model):
    """What a contribution said at one revision; immutable once written."""

    __tablename__ = "contribution_revisions"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "number", name="uq_contribution_revisions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text)
    fields: Mapped[dict] = mapped_column(sa.JSON)
    references: Mapped[list] = mapped_column(sa.JSON)
    area_codes: Mapped[list] = mapped_column(sa.JSON)
    project_ids: Mapped[list] = mapped_column(sa.JSON)
    network_id: Mapped[int | None]
    workshop_id: Mapped[int | None]
    call_topic_id: Mapped[int | None]
    attachment_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    # What the author says to the reviewers about this revision (plain text, optional), when resubmitting after
    # changes were requested; reviewers read it next to the changes.
    response_to_reviewers: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    contribution: Mapped[Contribution] = relationship(back_populates="revisions")
    created_by = relationship("User")


class Attachment(Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    # The name the uploader gave, cleaned; only ever shown, never used as a path.
    filename: Mapped[str] = mapped_column(sa.String(255))
    # Random name under UPLOAD_FOLDER.
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Detected from the content, not from the name.
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Removing an attachment after submission keeps the file for older revisions.
    removed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    contribution: Mapped[Contribution] = relationship(back_populates="attachments")
