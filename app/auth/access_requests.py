"""Requests for access: anyone may ask; an administrator approves (which sends an invitation) or rejects, once."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.accounts import find_user_by_email, normalise_email
from app.auth.errors import AccountConflict, AccountError
from app.auth.invitations import invite
from app.auth.models import REQUEST_APPROVED, REQUEST_PENDING, REQUEST_REJECTED, AccessRequest, User, UserRole
from app.community.services import get_or_create_network
from app.countries import is_country_code
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.mail import services as mail
from app.pagination import DEFAULT_PER_PAGE, paginate
from app.sanitising import remove_hidden_characters as _text
from app.timeutil import utcnow
from app.unit_of_work import transactional
from app.urls import external_url


@transactional
def request_access(email, name, organisation, country, network_name, motivation):
    email = normalise_email(email)
    country = (country or "").strip().upper()
    if country and not is_country_code(country):
        raise AccountError(_l("Choose a country from the list."), "country")
    pending = db.session.scalar(sa.select(AccessRequest).where(AccessRequest.email == email, AccessRequest.state == REQUEST_PENDING))
    if pending is not None or find_user_by_email(email) is not None:
        # Say the same thing either way: the form must not reveal who has an account.
        return None
    access_request = AccessRequest(
        email=email,
        name=_text(name).strip(),
        organisation=_text(organisation).strip(),
        country=country,
        network_name=_text(network_name).strip(),
        motivation=_text(motivation).strip(),
    )
    db.session.add(access_request)
    admins = db.session.scalars(sa.select(User).join(UserRole).where(UserRole.role == "admin", User.active.is_(True))).all()
    for admin in admins:
        mail.queue_email(
            admin.email,
            str(_l("New request for access to CERIS Exchange")),
            "access_request",
            "access_request",
            access_request=access_request,
            link=external_url("admin.access_requests"),
        )
    return access_request


# Approving with this "network" joins the one the applicant named, creating it if it is not known yet.
NAMED_NETWORK = "named"


@transactional
def approve_access_request(access_request, approver, roles=("contributor",), area_codes=(), network=NAMED_NETWORK):
    """Approve and invite; claiming the pending request first means a double click or two admins send one invitation.

    `network` is the Network the invited account joins, None for none, or
    NAMED_NETWORK for the one the applicant named (created if unknown).
    """
    _claim_access_request(access_request, approver, REQUEST_APPROVED)
    if network == NAMED_NETWORK:
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
        .where(AccessRequest.id == access_request.id, AccessRequest.state == REQUEST_PENDING)
        .values(state=state, decided_at=utcnow(), decided_by_id=approver.id, decision_note=_text(note).strip())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AccountConflict(_l("This request has already been decided."))
    db.session.refresh(access_request)


@transactional
def reject_access_request(access_request, approver, note=""):
    _claim_access_request(access_request, approver, REQUEST_REJECTED, note)


def get_access_request(request_id):
    return db.session.get(AccessRequest, request_id)


def access_requests_page(page=1, per_page=None):
    """Pending requests first, oldest first (a queue); then decided ones, latest decision first."""
    is_pending = AccessRequest.state == REQUEST_PENDING
    statement = (
        sa.select(AccessRequest)
        .options(selectinload(AccessRequest.decided_by))
        .order_by(
            sa.case((is_pending, 0), else_=1),
            sa.case((is_pending, AccessRequest.created_at)),
            AccessRequest.decided_at.desc(),
            AccessRequest.id.desc(),
        )
    )
    return paginate(statement, page, per_page or DEFAULT_PER_PAGE)


def count_pending_access_requests():
    return db.session.scalar(sa.select(sa.func.count(AccessRequest.id)).where(AccessRequest.state == REQUEST_PENDING)) or 0
