from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.community.models import ThematicArea
from app.extensions import Model
from app.timeutil import utcnow


class Workshop(Model):
    __tablename__ = "workshops"
    __table_args__ = (
        sa.CheckConstraint("call_closes IS NULL OR call_opens IS NULL OR call_closes >= call_opens", name="call_window_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("thematic_areas.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    held_on: Mapped[date | None] = mapped_column(sa.Date)
    place: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    online_url: Mapped[str] = mapped_column(sa.String(2000), default="", server_default="")
    call_opens: Mapped[date | None] = mapped_column(sa.Date)
    call_closes: Mapped[date | None] = mapped_column(sa.Date)
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    area: Mapped[ThematicArea] = relationship(lazy="joined")
    chair = relationship("User")

    def call_is_open(self, today):
        return bool(self.call_opens and self.call_closes and self.call_opens <= today <= self.call_closes)
