"""Forgotten passwords: a reset link by e-mail (looked up in a job, so the page answers alike for every address), used once."""

import secrets

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired

from app import jobs
from app.auth.accounts import find_user_by_email, normalise_email
from app.auth.errors import AccountConflict, AccountError
from app.auth.models import User
from app.auth.passwords import check_password_policy
from app.auth.tokens import revoke_all_api_tokens
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.mail import services as mail
from app.unit_of_work import transactional
from app.urls import external_url, signed_serializer


def request_password_reset(email):
    """Queue the reset e-mail. The lookup runs in the job, so the answer takes as long whether the account exists or not."""
    jobs.enqueue(send_password_reset_email, normalise_email(email), job_id=f"password-reset-{secrets.token_hex(8)}")


@jobs.job
def send_password_reset_email(email):
    """The job: e-mail a reset link if `email` belongs to an active account; nothing otherwise.

    Returns nothing: the result of an RQ job is kept in Redis, and the link is
    a secret. A retry after a failure before the commit sends one e-mail; a
    failure after it is the outbox's to retry.
    """
    send_password_reset(email)


@transactional
def send_password_reset(email):
    """E-mail a reset link if the address belongs to an active user; silent otherwise (the job's work)."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return None
    token = signed_serializer("password-reset").dumps({"id": user.id, "v": user.auth_version})
    mail.queue_email(
        user.email,
        str(_l("Reset your CERIS Exchange password")),
        "password_reset",
        "password_reset",
        user=user,
        link=external_url("auth.reset_password", token=token),
        valid_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    return token


def user_from_reset_token(token):
    """The user a reset link is for; raises AccountError saying why it cannot be used."""
    return _reset_link(token)[0]


def _reset_link(token):
    """(user, the auth version the link was issued for)."""
    try:
        payload = signed_serializer("password-reset").loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
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
    revoke_all_api_tokens(user)
    return user
