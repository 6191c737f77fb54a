from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.timeutil import utcnow

OUTBOX_STATES = ("pending", "sending", "sent", "failed")


class OutboxMessage(Model):
    """One e-mail, persisted before any attempt to send it.

    pending -> sending (claimed by exactly one sender) -> sent, or back to
    pending with the error recorded; failed once the attempts run out.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.CheckConstraint("state IN ('" + "', '".join(OUTBOX_STATES) + "')", name="state_known"),
        sa.Index("ix_outbox_messages_state_created_at", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    # What the message is about (invitation, password_reset, ...), for the admin page.
    kind: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")
    # Extra header lines for this message ({name: value}, e.g. List-Unsubscribe); None: only the usual ones.
    headers: Mapped[dict | None] = mapped_column(sa.JSON)
    state: Mapped[str] = mapped_column(sa.String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
