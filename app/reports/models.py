from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.community.models import Network, ThematicArea
from app.extensions import Model, db
from app.i18n import lazy_gettext as _l
from app.timeutil import utcnow
from app.workshops.models import Workshop

KINDS = {
    "state_of_the_art": _l("State-of-the-art and emerging trends report"),
    "briefing": _l("Briefing"),
    "research_agenda": _l("Research agenda"),
    "case_study": _l("Case study"),
}
# The states of workflows/report.toml (the report lifecycle); the CHECK keeps the column honest, and the
# app refuses to start when the workflow's states differ (app/reports/workflow.py declares them).
STATES = {"draft": _l("Draft"), "frozen": _l("Being built"), "published": _l("Published")}
ITEM_STATUSES = {"suggested": _l("Suggested"), "included": _l("Included"), "excluded": _l("Excluded")}
FILE_FORMATS = ("html", "pdf", "json")


def _in(column, values):
    return f"{column} IN ('" + "', '".join(values) + "')"


report_areas = db.Table(
    "report_areas",
    sa.Column("report_id", sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("thematic_areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Report(Model):
    """A report edition. `version` is the number of the edition being prepared, or the last one published.

    Its lifecycle is the workflow of workflows/report.toml: draft -> frozen
    (publish: a build job runs) -> published, or back to draft when the build
    fails. Editing a published report makes it a draft of the next version;
    published versions (ReportVersion) never change. `row_version` counts the
    row's updates (optimistic locking): of two editors publishing or starting
    the next version at once, the second to commit is refused.
    """

    __tablename__ = "reports"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", KINDS), name="kind_known"),
        sa.CheckConstraint(_in("state", STATES), name="state_known"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("period_start IS NULL OR period_end IS NULL OR period_end >= period_start", name="period_ordered"),
        sa.Index("ix_reports_state_updated_at", "state", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(300))
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    state: Mapped[str] = mapped_column(sa.String(16), default="draft", server_default="draft")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The last build's failure, shown to editors until the next build.
    build_error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    build_job_id: Mapped[str | None] = mapped_column(sa.ForeignKey("background_jobs.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Not the edition number (`version`): bumped by every UPDATE of the row.
    row_version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

    areas: Mapped[list[ThematicArea]] = relationship(secondary=report_areas, lazy="selectin", order_by=ThematicArea.position)
    sections: Mapped[list["ReportSection"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportSection.position"
    )
    versions: Mapped[list["ReportVersion"]] = relationship(back_populates="report", order_by="ReportVersion.number", passive_deletes=True)
    build_job = relationship("BackgroundJob")
    created_by = relationship("User")

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)

    @property
    def state_label(self):
        return STATES.get(self.state, self.state)

    @property
    def area_codes(self):
        return [area.code for area in self.areas]

    @property
    def latest_version(self):
        return self.versions[-1] if self.versions else None

    def __repr__(self):
        return f"<Report {self.id} {self.kind} v{self.version} {self.state}>"


class ReportSection(Model):
    """An ordered section: a heading, the editor's synthesis and what contributions it draws on.

    Criteria: areas (codes; none: the report's areas), types (none: every
    type), period (none: the report's period; compared with the date the
    contribution was submitted), workshop and network. A section that does
    not draw contributions (introduction, conclusions) has only its text.
    """

    __tablename__ = "report_sections"
    __table_args__ = (
        sa.CheckConstraint("period_start IS NULL OR period_end IS NULL OR period_end >= period_start", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    heading: Mapped[str] = mapped_column(sa.String(300))
    # Sanitised HTML (app/sanitising.py).
    synthesis: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    draws_contributions: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    area_codes: Mapped[list] = mapped_column(sa.JSON, default=list)
    types: Mapped[list] = mapped_column(sa.JSON, default=list)
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    workshop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workshops.id", ondelete="SET NULL"))
    network_id: Mapped[int | None] = mapped_column(sa.ForeignKey("networks.id", ondelete="SET NULL"))

    report: Mapped[Report] = relationship(back_populates="sections")
    workshop: Mapped[Workshop | None] = relationship()
    network: Mapped[Network | None] = relationship()
    items: Mapped[list["ReportItem"]] = relationship(back_populates="section", cascade="all, delete-orphan", order_by="ReportItem.position")


class ReportItem(Model):
    """The editor's decision on one contribution in one section (suggestions nobody decided on are not stored).

    A contribution re-opened out of `accepted` keeps its row with `left_at`
    and a note, so the editor sees why it is no longer in the report.
    """

    __tablename__ = "report_items"
    __table_args__ = (
        sa.UniqueConstraint("section_id", "contribution_id", name="uq_report_items_section_contribution"),
        sa.CheckConstraint(_in("status", ITEM_STATUSES), name="status_known"),
        sa.CheckConstraint("position >= 0", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("report_sections.id", ondelete="CASCADE"), index=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="suggested", server_default="suggested")
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    note: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")
    left_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    section: Mapped[ReportSection] = relationship(back_populates="items")
    contribution = relationship("Contribution", lazy="joined")


class ReportVersion(Model):
    """One published version: its files on disk, with their SHA-256. Written once, never changed."""

    __tablename__ = "report_versions"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "number", name="uq_report_versions_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    published_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Paths relative to REPORTS_FOLDER.
    html_path: Mapped[str] = mapped_column(sa.String(500))
    html_sha256: Mapped[str] = mapped_column(sa.String(64))
    pdf_path: Mapped[str] = mapped_column(sa.String(500))
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64))
    json_path: Mapped[str] = mapped_column(sa.String(500))
    json_sha256: Mapped[str] = mapped_column(sa.String(64))
    # Area codes at publication, for the public list's filter.
    area_codes: Mapped[list] = mapped_column(sa.JSON, default=list)

    report: Mapped[Report] = relationship(back_populates="versions")

    def path(self, fmt):
        return getattr(self, f"{fmt}_path")

    def sha256(self, fmt):
        return getattr(self, f"{fmt}_sha256")


class ReportCitation(Model):
    """A published version citing one revision of a contribution (its items and annex): written with the version, never changed.

    What makes that revision readable by everyone (app/contributions/public.py), so a report's links work for visitors.
    """

    __tablename__ = "report_citations"
    __table_args__ = (sa.Index("ix_report_citations_contribution_revision", "contribution_id", "revision"),)

    report_version_id: Mapped[int] = mapped_column(sa.ForeignKey("report_versions.id", ondelete="CASCADE"), primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int]

    version: Mapped[ReportVersion] = relationship()
