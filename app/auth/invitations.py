"""Invitations: sent by admins and editors within their scope, accepted once through a signed link."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy.orm import selectinload

from app.auth.accounts import create_user, find_user_by_email, normalise_email, resolve_areas
from app.auth.errors import AccountConflict, AccountError, AccountForbidden
from app.auth.models import ROLES, Invitation, hash_token
from app.auth.passwords import check_password_policy
from app.auth.permissions import can_administer, can_invite, can_revoke_invitation, invitable_roles
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.mail import services as mail
from app.sanitising import remove_hidden_characters as _text
from app.timeutil import as_utc, utcnow
from app.unit_of_work import transactional, unit_of_work
from app.urls import external_url, signed_serializer

# The roles whose work is scoped by thematic area: inviting one without an area would make a useless account.
ROLES_NEEDING_AREAS = ("reviewer", "editor")


@transactional
def invite(email, roles, invited_by, name="", organisation="", area_codes=(), network=None):
    """Record an invitation and put its e-mail in the outbox (sent once this is committed); returns the invitation."""
    email = normalise_email(email)
    allowed = invitable_roles(invited_by) if invited_by is not None else list(ROLES)
    roles = list(dict.fromkeys(roles or ["contributor"]))
    forbidden = set(roles) - set(allowed)
    if forbidden:
        raise AccountForbidden(_l("You may not grant the role: %(roles)s", roles=", ".join(sorted(forbidden))), "roles")
    if find_user_by_email(email):
        raise AccountConflict(_l("A user with this e-mail address already exists."), "email")
    if open_invitation_to(email) is not None:
        raise AccountError(_l("An invitation to this address is still open: withdraw it first, or wait until it expires."), "email")
    areas = resolve_areas(area_codes)  # refuses unknown codes now rather than at acceptance
    if not areas and set(roles) & set(ROLES_NEEDING_AREAS):
        raise AccountError(_l("Reviewers and editors work in thematic areas: choose at least one."), "areas")

    nonce = secrets.token_urlsafe(24)
    invitation = Invitation(
        email=email,
        name=_text(name).strip(),
        organisation=_text(organisation).strip(),
        roles=roles,
        area_codes=[area.code for area in areas],
        network=network,
        invited_by=invited_by,
        nonce_hash=hash_token(nonce),
        expires_at=utcnow() + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"]),
    )
    db.session.add(invitation)
    db.session.flush()
    token = signed_serializer("invitation").dumps({"id": invitation.id, "nonce": nonce})
    link = external_url("auth.accept_invitation", token=token)
    mail.queue_email(
        email,
        str(_l("You are invited to CERIS Exchange")),
        "invitation",
        "invitation",
        invitation=invitation,
        link=link,
    )
    # Not stored: only the inviter's own response may show it, and only when
    # no e-mail can carry it (see invitation_link_to_hand_over).
    invitation.link = link
    return invitation


def open_invitation_to(email):
    """The invitation to `email` that can still be accepted (not accepted, withdrawn or expired), if any."""
    return db.session.scalar(
        sa.select(Invitation)
        .where(
            Invitation.email == normalise_email(email),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .limit(1)
    )


def invitation_link_to_hand_over(invitation):
    """The link the inviter must pass on themselves, when this installation sends no e-mail.

    The outbox masks secret links from admins, so without MAIL_SERVER the
    inviter's confirmation is the one place the link is shown, once.
    """
    if mail.mail_configured():
        return None
    return getattr(invitation, "link", None)


def invitation_from_token(token):
    """The open invitation a link points to; raises AccountError saying why it cannot be used."""
    max_age = current_app.config["INVITATION_MAX_AGE"]
    try:
        payload = signed_serializer("invitation").loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError(_l("This invitation has expired. Ask for a new one.")) from None
    except BadSignature:
        raise AccountError(_l("This invitation link is not valid.")) from None
    invitation = db.session.get(Invitation, payload.get("id"))
    if invitation is None or invitation.nonce_hash != hash_token(str(payload.get("nonce"))):
        raise AccountError(_l("This invitation link is not valid."))
    # An account for the address (from this or another invitation to it) means the link is spent.
    if invitation.accepted_at or find_user_by_email(invitation.email) is not None:
        raise AccountConflict(_l("This invitation has already been used. Sign in instead."))
    if invitation.revoked_at:
        raise AccountError(_l("This invitation has been withdrawn."))
    if as_utc(invitation.expires_at) < utcnow():
        raise AccountError(_l("This invitation has expired. Ask for a new one."))
    return invitation


def accept_invitation(token, name, organisation, password):
    """Create the invited account; the link works once, even when two requests race for it."""
    try:
        with unit_of_work():
            return _accept_invitation(token, name, organisation, password)
    except sa.exc.IntegrityError:
        # The address got an account meanwhile (the unit has rolled back).
        raise AccountConflict(_l("This invitation has already been used. Sign in instead.")) from None


def _accept_invitation(token, name, organisation, password):
    invitation = invitation_from_token(token)
    check_password_policy(password)
    now = utcnow()
    # Claim the invitation in this transaction: a concurrent acceptance waits
    # on the row and then finds it taken.
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AccountConflict(_l("This invitation has already been used. Sign in instead."))
    user = create_user(
        invitation.email,
        password,
        invitation.roles,
        name=name,
        organisation=organisation,
        area_codes=invitation.area_codes,
    )
    if invitation.network is not None:
        user.networks = [invitation.network]
    db.session.flush()
    invitation.accepted_at = now
    invitation.accepted_user_id = user.id
    return user


def _invitation_scope(user):
    """Admins see every invitation; editors only those they sent themselves."""
    if can_administer(user):
        return sa.true()
    if can_invite(user):
        return Invitation.invited_by_id == user.id
    return sa.false()


def invitations_visible_to(user, limit=200):
    """The newest invitations `user` may see on the invitations page."""
    return db.session.scalars(
        sa.select(Invitation)
        .where(_invitation_scope(user))
        .options(selectinload(Invitation.invited_by))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(limit)
    ).all()


def invitation_for(user, invitation_id):
    """The invitation if `user` may see it; None otherwise (the page answers 404)."""
    return db.session.scalar(sa.select(Invitation).where(Invitation.id == invitation_id, _invitation_scope(user)))


@transactional
def revoke_invitation(invitation, acting_user):
    if not can_revoke_invitation(acting_user, invitation):
        raise AccountForbidden(_l("You may withdraw only the invitations you sent."))
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
