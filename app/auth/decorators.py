"""Role checks for views; the rules themselves live in services."""

import functools

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles):
    """Signed in and holding one of `roles`; 403 otherwise."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
