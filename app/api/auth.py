"""Bearer-token authentication for the API."""

import functools

from flask import abort, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from app.api.blueprint import bp
from app.auth import services as auth_services
from app.i18n import gettext as _


def unauthorized(message):
    """401 with the scheme to use, as RFC 6750 asks."""
    raise Unauthorized(message, www_authenticate=WWWAuthenticate("Bearer", {"realm": "CERIS Exchange API"}))


@bp.before_request
def authenticate_bearer_token():
    """Resolve the caller; a token that is present but bad is refused on every endpoint."""
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        unauthorized(_("Authorization must be 'Bearer <token>'."))
    user = auth_services.user_for_api_token(token.strip())
    if user is None:
        unauthorized(_("The token is not valid, or it was revoked."))
    g.api_user = user
    return None


def token_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("api_user") is None:
            unauthorized(_("A bearer token is required."))
        return view(*args, **kwargs)

    return wrapped


def api_roles_required(*roles):
    def decorator(view):
        @functools.wraps(view)
        @token_required
        def wrapped(*args, **kwargs):
            if not g.api_user.has_role(*roles):
                abort(403, _("Your role does not allow this."))
            return view(*args, **kwargs)

        return wrapped

    return decorator
