from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.community.models import ThematicArea
from app.extensions import Model, db
from app.timeutil import utcnow

SUBSCRIPTION_STATES = ("active", "unsubscribed")

subscription_areas = db.Table(
    "subscription_areas",
    sa.Column("subscription_id", sa.ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("thematic_areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Subscription(Model):
    """A confirmed address. Nothing is stored before the address owner confirms (double opt-in):
    the request lives only in the signed link e-mailed to them."""

    __tablename__ = "subscriptions"
    __table_args__ = (sa.CheckConstraint("state IN ('" + "', '".join(SUBSCRIPTION_STATES) + "')", name="state_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    state: Mapped[str] = mapped_column(sa.String(16), default="active", server_default="active")
    locale: Mapped[str] = mapped_column(sa.String(5), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    areas: Mapped[list[ThematicArea]] = relationship(secondary=subscription_areas, lazy="selectin", order_by=ThematicArea.position)

    @property
    def active(self):
        return self.state == "active"
