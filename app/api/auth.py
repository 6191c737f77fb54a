"""Bearer-token authentication for the API."""
import functools

from flask import abort, g, request

from app.api import bp
from app.auth import services as auth_services


@bp.before_request
def authenticate_bearer_token():
    """Resolve the caller; a token that is present but bad is refused on every endpoint."""
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, "Authorization must be 'Bearer <token>'")
    user = auth_services.user_for_api_token(token.strip())
    if user is None:
        abort(401, "Invalid, revoked or expired token")
    g.api_user = user
    return None


def token_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("api_user") is None:
            abort(401, "A bearer token is required")
        return view(*args, **kwargs)

    return wrapped


def api_roles_required(*roles):
    def decorator(view):
        @functools.wraps(view)
        @token_required
        def wrapped(*args, **kwargs):
            if not g.api_user.has_role(*roles):
                abort(403, "Your role does not allow this")
            return view(*args, **kwargs)

        return wrapped

    return decorator
