"""Sign-in throttling: failed attempts per address and per account, shared by the login form and the token API."""
from flask import current_app, g, request

from app.extensions import limiter


def _failures_per_minute():
    return f"{current_app.config['LOGIN_FAILURES_PER_MINUTE']} per minute"


def _submitted_email():
    if request.is_json:
        from werkzeug.exceptions import RequestEntityTooLarge

        from app.api.body import json_object

        try:
            body = json_object() or {}
        except RequestEntityTooLarge:
            body = {}  # the view answers 413
        email = body.get("email")
    else:
        email = request.form.get("email", "")
    return "account:" + (email if isinstance(email, str) else "").strip().lower()


def _failed(_response):
    # Only failed attempts count; a correct password never locks anyone out.
    return bool(g.get("sign_in_failed"))


def mark_sign_in_failed():
    g.sign_in_failed = True


def throttle_sign_in(view):
    """Refuse with 429 after LOGIN_FAILURES_PER_MINUTE failures from one address or on one account."""
    view = limiter.shared_limit(_failures_per_minute, scope="sign-in-address", deduct_when=_failed, methods=["POST"])(view)
    view = limiter.shared_limit(
        _failures_per_minute, scope="sign-in-account", key_func=_submitted_email, deduct_when=_failed, methods=["POST"]
    )(view)
    return view
