from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.community.models import ThematicArea, utcnow
from app.extensions import db
from app.i18n import lazy_gettext as _l

PROGRAMMES = {
    "H2020": _l("Horizon 2020"),
    "HORIZON": _l("Horizon Europe"),
    "ISF": _l("Internal Security Fund"),
    "BMVI": _l("Border Management and Visa Instrument"),
    "UCPM": _l("Union Civil Protection Mechanism"),
    "DIGITAL": _l("Digital Europe"),
    "OTHER": _l("Other"),
}

project_areas = db.Table(
    "project_areas",
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("thematic_areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        sa.CheckConstraint("programme IN ('" + "', '".join(PROGRAMMES) + "')", name="programme_known"),
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
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    areas: Mapped[list[ThematicArea]] = relationship(secondary=project_areas, lazy="selectin", order_by=ThematicArea.position)

    @property
    def programme_label(self):
        return PROGRAMMES.get(self.programme, self.programme)

    def __repr__(self):
        return f"<Project {self.acronym}>"
