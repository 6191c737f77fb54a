from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.community.models import ThematicArea
from app.extensions import Model, db
from app.timeutil import utcnow

SUBSCRIPTION_STATES = ("active", "unsubscribed")
# What a subscriber hears about, each a boolean column (app/subscriptions/services.py TOPICS names them).
TOPIC_COLUMNS = {"reports": "wants_reports", "workshop_calls": "wants_workshop_calls"}

subscription_areas = db.Table(
    "subscription_areas",
    sa.Column("subscription_id", sa.ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("thematic_areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Subscription(Model):
    """A confirmed address. Nothing is stored before the address owner confirms (double opt-in):
    the request lives only in the signed link e-mailed to them."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        sa.CheckConstraint("state IN ('" + "', '".join(SUBSCRIPTION_STATES) + "')", name="state_known"),
        # A subscription hears about something: at least one topic.
        sa.CheckConstraint("wants_reports OR wants_workshop_calls", name="topic_chosen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    state: Mapped[str] = mapped_column(sa.String(16), default="active", server_default="active")
    locale: Mapped[str] = mapped_column(sa.String(5), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Topics: published reports (what every subscription heard about before topics existed), workshop calls opening.
    wants_reports: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    wants_workshop_calls: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    areas: Mapped[list[ThematicArea]] = relationship(secondary=subscription_areas, lazy="selectin", order_by=ThematicArea.position)

    @property
    def active(self):
        return self.state == "active"

    @property
    def topics(self):
        """The codes of what it hears about, in TOPIC_COLUMNS order."""
        return [code for code, column in TOPIC_COLUMNS.items() if getattr(self, column)]

    @topics.setter
    def topics(self, codes):
        for code, column in TOPIC_COLUMNS.items():
            setattr(self, column, code in codes)
