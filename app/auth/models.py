import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.community.models import ThematicArea, network_memberships
from app.extensions import Model, db
from app.i18n import lazy_gettext as _l
from app.timeutil import utcnow

ROLES = {
    "contributor": _l("Contributor"),
    "reviewer": _l("Reviewer"),
    "editor": _l("Editor"),
    "admin": _l("Administrator"),
}
ROLES_CHECK = "role IN ('" + "', '".join(ROLES) + "')"

user_areas = db.Table(
    "user_areas",
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("thematic_areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class UserRole(Model):
    __tablename__ = "user_roles"
    __table_args__ = (sa.CheckConstraint(ROLES_CHECK, name="role_known"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True, index=True)


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="", server_default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Bumped on password change or deactivation: every session, remember-me
    # cookie and reset link issued before then stops working.
    auth_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Bumped on sign-out: every session and remember-me cookie of the user
    # ends, on every device, so a copied remember cookie dies with its
    # owner's sign-out. A per-user counter rather than a table of sign-ins:
    # no extra query per request, at the cost of "sign out" meaning "sign
    # out everywhere" (the message says so). Reset links do not depend on it.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    locale: Mapped[str] = mapped_column(sa.String(5), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role)
    areas: Mapped[list[ThematicArea]] = relationship(secondary=user_areas, lazy="selectin", order_by=ThematicArea.position)
    networks = relationship("Network", secondary=network_memberships, back_populates="members", lazy="selectin", order_by="Network.name")

    # Flask-Login
    @property
    def is_active(self):
        return self.active

    def get_id(self):
        # Flask-Login keeps this in the session and signs it into the
        # remember-me cookie, so either version changing ends both.
        return f"{self.id}:{self.auth_version}:{self.session_version}"

    @property
    def roles(self):
        return [row.role for row in self.role_rows]

    def has_role(self, *roles):
        return any(row.role in roles for row in self.role_rows)

    def set_roles(self, roles):
        wanted = set(roles)
        unknown = wanted - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=role) for role in sorted(wanted - set(self.roles))
        ]

    def set_password(self, password):
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def display_name(self):
        return self.name or self.email

    def __repr__(self):
        return f"<User {self.email}>"


def hash_token(plaintext):
    """API tokens and invitation nonces are stored as SHA-256 digests only."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, shown on the profile page to tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()

    @property
    def is_revoked(self):
        return self.revoked_at is not None


class Invitation(Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    organisation: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    roles: Mapped[list] = mapped_column(sa.JSON, default=list)
    area_codes: Mapped[list] = mapped_column(sa.JSON, default=list)
    network_id: Mapped[int | None] = mapped_column(sa.ForeignKey("networks.id", ondelete="SET NULL"))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Digest of the random part of the link; the link itself is also signed
    # and time-limited.
    nonce_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    accepted_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    network = relationship("Network")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


ACCESS_REQUEST_STATES = ("pending", "approved", "rejected")
# An access request's own states (not the contribution workflow's, though one word is shared): code names them by these.
REQUEST_PENDING, REQUEST_APPROVED, REQUEST_REJECTED = ACCESS_REQUEST_STATES


class AccessRequest(Model):
    __tablename__ = "access_requests"
    __table_args__ = (sa.CheckConstraint("state IN ('" + "', '".join(ACCESS_REQUEST_STATES) + "')", name="state_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="", server_default="")
    network_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    motivation: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    state: Mapped[str] = mapped_column(sa.String(16), default="pending", server_default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    invitation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invitations.id", ondelete="SET NULL"))

    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


# What an administrator did to an account, for the audit log (the other kinds of event have their own records).
ACCOUNT_EVENT_KINDS = ("access_changed", "deactivated", "reactivated")


class AccountEvent(Model):
    """One change an administrator made to an account's access or status; written once, never updated."""

    __tablename__ = "account_events"
    __table_args__ = (sa.CheckConstraint("kind IN ('" + "', '".join(ACCOUNT_EVENT_KINDS) + "')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    # For access changes, the access afterwards: {"roles": [...], "areas": [codes], "networks": [names]}.
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
