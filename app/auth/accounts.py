"""User accounts: finding, creating, signing in, profile, access and (de)activation."""

import sqlalchemy as sa

from app.auth.errors import AccountConflict, AccountError, AccountForbidden
from app.auth.models import ROLES, AccountEvent, User, UserRole
from app.auth.passwords import check_password_policy
from app.auth.permissions import can_administer, can_remove_admin_role
from app.auth.tokens import revoke_all_api_tokens
from app.community.services import areas_by_ids, areas_for_codes, get_or_create_network, networks_by_ids
from app.countries import is_country_code
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.pagination import DEFAULT_PER_PAGE, paginate
from app.sanitising import remove_hidden_characters as _text
from app.timeutil import utcnow
from app.unit_of_work import transactional


def normalise_email(email):
    return (email or "").strip().lower()


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
    country = (country or "").strip().upper()
    if country and country != user.country and not is_country_code(country):
        raise AccountError(_l("Choose a country from the list."), "country")
    user.country = country
    user.locale = locale or ""


@transactional
def sign_out_everywhere(user):
    """End every session and remember-me cookie of `user` (see `User.session_version`)."""
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )


@transactional
def set_active(user, active):
    """Deactivating ends the user's sessions and revokes their API tokens (reactivating does not revive them)."""
    user.active = active
    if not active:
        user.auth_version += 1
        revoke_all_api_tokens(user)


@transactional
def update_user_access(user, roles, area_ids, network_ids, acting_user):
    if not can_administer(acting_user):
        raise AccountForbidden(_l("Only administrators can change a user's access."))
    if "admin" in user.roles and "admin" not in roles and not can_remove_admin_role(acting_user, user):
        raise AccountForbidden(_l("You cannot remove your own administrator role."), "roles")
    before = _access_of(user)
    user.set_roles(roles)
    user.areas = areas_by_ids(area_ids)
    user.networks = networks_by_ids(network_ids)
    after = _access_of(user)
    if after != before:
        db.session.add(AccountEvent(kind="access_changed", user_id=user.id, actor_id=acting_user.id, detail=after))


def _access_of(user):
    """A user's access as the audit log records it."""
    return {
        "roles": sorted(user.roles),
        "areas": sorted(area.code for area in user.areas),
        "networks": sorted(network.name for network in user.networks),
    }


USER_STATUSES = ("active", "deactivated")


def get_user(user_id):
    return db.session.get(User, user_id)


def search_users(query="", role="", status="", page=1, per_page=None):
    """A page of users, by name. Every word of `query` must appear in the name, e-mail or organisation.

    Roles, areas and networks are selectin-loaded: a page costs a fixed number of queries.
    """
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
    row = db.session.execute(sa.select(sa.func.count(User.id), sa.func.count(User.id).filter(User.active.is_(True)))).one()
    return row[0], row[1]


@transactional
def change_user_active(user, active, acting_user):
    """Deactivate or reactivate `user` on behalf of `acting_user` (see `set_active`)."""
    if not active and user.id == acting_user.id:
        raise AccountForbidden(_l("You cannot deactivate your own account."), "active")
    if not can_administer(acting_user):
        raise AccountForbidden(_l("Only administrators can deactivate or reactivate accounts."), "active")
    if user.active != active:
        set_active(user, active)
        db.session.add(AccountEvent(kind="reactivated" if active else "deactivated", user_id=user.id, actor_id=acting_user.id))
    return user
