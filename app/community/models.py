from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model, db
from app.i18n import lazy_gettext as _l
from app.timeutil import utcnow

# The six CERIS thematic areas, seeded on install (code, name).
CERIS_AREAS = [
    ("FCT", _l("Fighting Crime and Terrorism")),
    ("BM", _l("Border Management")),
    ("INFRA", _l("Resilient Infrastructure")),
    ("CS", _l("Cybersecurity")),
    ("DRS", _l("Disaster-Resilient Society")),
    ("SSRI", _l("Strengthened Security Research and Innovation")),
]

NETWORK_KINDS = {
    "knowledge_network": _l("Knowledge Network for Security R&I"),
    "practitioners": _l("Network of Practitioners"),
    "community_of_users": _l("National Community of Users"),
    "regional_forum": _l("Regional forum"),
    "project_consortium": _l("EU-funded project consortium"),
    "other": _l("Other"),
}

network_memberships = db.Table(
    "network_memberships",
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("network_id", sa.ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ThematicArea(Model):
    __tablename__ = "thematic_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    position: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self):
        return f"<ThematicArea {self.code}>"


class Network(Model):
    __tablename__ = "networks"
    __table_args__ = (sa.CheckConstraint("kind IN ('" + "', '".join(NETWORK_KINDS) + "')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32), default="other")
    # ISO 3166-1 alpha-2, empty for networks spanning several countries.
    country: Mapped[str] = mapped_column(sa.String(2), default="", server_default="")
    website: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    members = db.relationship("User", secondary=network_memberships, back_populates="networks", order_by="User.name")

    @property
    def kind_label(self):
        return NETWORK_KINDS.get(self.kind, self.kind)

    def __repr__(self):
        return f"<Network {self.name}>"
