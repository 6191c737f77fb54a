"""Targeted thematic workshops that collect contributions through a call for inputs.

Times are stored in UTC (timestamptz) with the IANA name of the time zone the
workshop is held in, so the page, the calendar file and the API can show the
local time of the event. The state (planned, call open, ...) is not stored: it
follows from the times when read (workflows/workshop.toml, app/workshops/services.py
`state_of`), so no scheduled job is needed for it to be right.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.community.models import ThematicArea
from app.extensions import Model, db
from app.timeutil import utcnow

DEFAULT_TIME_ZONE = "Europe/Brussels"

workshop_areas = db.Table(
    "workshop_areas",
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("thematic_areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Workshop(Model):
    __tablename__ = "workshops"
    __table_args__ = (
        sa.CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        # A call has both ends or none, and closes no earlier than it opens.
        sa.CheckConstraint(
            "(call_opens_at IS NULL AND call_closes_at IS NULL)"
            " OR (call_opens_at IS NOT NULL AND call_closes_at IS NOT NULL AND call_closes_at >= call_opens_at)",
            name="call_window_ordered",
        ),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    # Sanitised rich text (app/sanitising.clean_rich_text), as are agenda and outcome_summary.
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    time_zone: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_TIME_ZONE, server_default=DEFAULT_TIME_ZONE)
    place: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    online_url: Mapped[str] = mapped_column(sa.String(2000), default="", server_default="")
    agenda: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # None: no limit on registrations.
    capacity: Mapped[int | None] = mapped_column(sa.Integer)
    call_opens_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    call_closes_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Contribution type codes the call asks for (app/contributions/types.py).
    call_types: Mapped[list] = mapped_column(sa.JSON, default=list)
    # When subscribers were told that the call opened (once; None: not yet).
    call_announced_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    outcome_summary: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    outcome_published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    areas: Mapped[list[ThematicArea]] = relationship(secondary=workshop_areas, order_by=ThematicArea.position, lazy="selectin")
    chair = relationship("User")

    __mapper_args__ = {"version_id_col": version}

    @property
    def area_codes(self):
        return [area.code for area in self.areas]

    def __repr__(self):
        return f"<Workshop {self.id} {self.title!r}>"


class WorkshopRegistration(Model):
    """A member's place at a workshop, or their place in its waiting list.

    `place_given_at` None: waiting; the waiting list is in `registered_at` order
    (then id). A cancelled registration is deleted: nothing about a member is
    kept once they no longer attend. One row per member and workshop (unique),
    and registrations for one workshop are made under a lock on its row
    (app/workshops/registrations.py), so the places given never exceed the capacity.
    """

    __tablename__ = "workshop_registrations"
    __table_args__ = (
        sa.UniqueConstraint("workshop_id", "user_id"),
        sa.Index("ix_workshop_registrations_list", "workshop_id", "place_given_at", "registered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # When they asked to attend: the order of the waiting list.
    registered_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # When they got a place (at once, or moved up from the waiting list); None: waiting.
    place_given_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user = relationship("User")

    @property
    def has_place(self):
        return self.place_given_at is not None

    def __repr__(self):
        return f"<WorkshopRegistration {self.workshop_id}:{self.user_id}{'' if self.has_place else ' waiting'}>"
