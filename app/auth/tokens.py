"""API tokens: issued once in clear, stored as a digest, revoked one by one or all at once."""

import secrets
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import ApiToken, hash_token
from app.extensions import db
from app.sanitising import remove_hidden_characters as _text
from app.timeutil import as_utc, utcnow
from app.unit_of_work import transactional

TOKEN_PREFIX = "ceris_"  # noqa: S105 - the visible start of every API token, not a secret


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
    return db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())).all()


@transactional
def revoke_api_token(user, token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def revoke_all_api_tokens(user):
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
