from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.community.models import ThematicArea
from app.extensions import Model, db
from app.i18n import lazy_gettext as _l
from app.timeutil import utcnow

PROGRAMMES = {
    "H2020": _l("Horizon 2020"),
    "HORIZON": _l("Horizon Europe"),
    "ISF": _l("Internal Security Fund"),
    "BMVI": _l("Border Management and Visa Instrument"),
    "UCPM": _l("Union Civil Protection Mechanism"),
    "DIGITAL": _l("Digital Europe"),
    "OTHER": _l("Other"),
}

# Where a project's record comes from: a CORDIS file (kept up to date by
# re-imports) or an editor (programmes CORDIS does not hold: ISF, BMVI, ...).
SOURCES = ("cordis", "manual")

# Bytes above which PostgreSQL moves a project's long texts out of its row (the least it allows is 128).
TOAST_TUPLE_TARGET = 256

project_areas = db.Table(
    "project_areas",
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("thematic_areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Project(Model):
    __tablename__ = "projects"
    __table_args__ = (
        sa.CheckConstraint("programme IN ('" + "', '".join(PROGRAMMES) + "')", name="programme_known"),
        sa.CheckConstraint("source IN ('" + "', '".join(SOURCES) + "')", name="source_known"),
        # Full-text search on PostgreSQL (app/projects/search.py queries this very expression; migration 0009).
        # SQLite uses the FTS5 table projects_fts instead.
        sa.Index(
            "ix_projects_search",
            # Grouped as PostgreSQL writes it back, so the migrations test compares like with like.
            sa.text(
                "((setweight(to_tsvector('simple'::regconfig, acronym), 'A'::\"char\") || "
                "setweight(to_tsvector('simple'::regconfig, title), 'B'::\"char\")) || "
                "setweight(to_tsvector('simple'::regconfig, objective), 'C'::\"char\"))"
            ),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        # Acronym and title alone: the matches that relevance ranks first (migration 0012).
        sa.Index(
            "ix_projects_search_headline",
            sa.text(
                "(setweight(to_tsvector('simple'::regconfig, acronym), 'A'::\"char\") || "
                "setweight(to_tsvector('simple'::regconfig, title), 'B'::\"char\"))"
            ),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        # Keep only short values in the table's rows and the long texts (objective,
        # title) in TOAST storage: a search then reads the facet columns of
        # thousands of matching rows from a few megabytes, not the whole table (migration 0012).
        {"postgresql_with": {"toast_tuple_target": TOAST_TUPLE_TARGET}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    acronym: Mapped[str] = mapped_column(sa.String(100), index=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    programme: Mapped[str] = mapped_column(sa.String(16), default="OTHER", index=True)
    call_topic: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    legal_basis: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    total_cost: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    eu_contribution: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    coordinator: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    coordinator_country: Mapped[str] = mapped_column(sa.String(2), default="", server_default="")
    objective: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # CORDIS's own project id; unique so re-imports update rather than duplicate.
    cordis_id: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    # CORDIS's other facts, as CORDIS writes them.
    funding_scheme: Mapped[str] = mapped_column(sa.String(50), default="", server_default="", index=True)
    framework_programme: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")
    topic_title: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    legal_basis_title: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    rcn: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    grant_doi: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    # CORDIS's contentUpdateDate (UTC).
    content_updated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    source: Mapped[str] = mapped_column(sa.String(16), default="manual", server_default="manual")
    # An editor corrected the areas: re-imports no longer derive them from the codes.
    areas_manual: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    areas: Mapped[list[ThematicArea]] = relationship(secondary=project_areas, lazy="selectin", order_by=ThematicArea.position)

    @property
    def programme_label(self):
        return PROGRAMMES.get(self.programme, self.programme)

    def __repr__(self):
        return f"<Project {self.acronym}>"


class CallTopic(Model):
    """A topic of a Horizon Europe Cluster 3 work programme call, which contributions may inform."""

    __tablename__ = "call_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. HORIZON-CL3-2025-01-FCT-01
    code: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("thematic_areas.id", ondelete="SET NULL"), index=True)
    opens: Mapped[date | None] = mapped_column(sa.Date)
    deadline: Mapped[date | None] = mapped_column(sa.Date, index=True)
    # Plain text as the work programme gives it (shown escaped).
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    work_programme_year: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    area: Mapped[ThematicArea | None] = relationship(lazy="joined")

    def __repr__(self):
        return f"<CallTopic {self.code}>"
