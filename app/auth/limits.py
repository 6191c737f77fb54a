"""Sign-in throttling, shared by the login form and the token API.

Failed attempts are limited per address and per account from one address
(429 after LOGIN_FAILURES_PER_MINUTE a minute). An account on its own is never
locked: anyone knowing an address could otherwise keep its owner out. Failures
on an account from anywhere slow every further attempt on it instead, by a
delay that grows with each failure up to LOGIN_ACCOUNT_MAX_DELAY seconds.
"""

import functools
import logging
import time

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItemPerMinute
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import BadInput
from app.extensions import limiter

log = logging.getLogger(__name__)

# Failures on one account are remembered this long (minutes) for the delay.
ACCOUNT_WINDOW_MINUTES = 15
_ACCOUNT_FAILURES = RateLimitItemPerMinute(10**9, ACCOUNT_WINDOW_MINUTES, namespace="sign-in-account-failures")
# The first delay once an account has LOGIN_FAILURES_PER_MINUTE failures; it doubles with each further one.
FIRST_DELAY_SECONDS = 0.25


def _failures_per_minute():
    return f"{current_app.config['LOGIN_FAILURES_PER_MINUTE']} per minute"


def _submitted_email():
    if request.is_json:
        # Inside: app.api's modules import this one (a cycle through the app.api package).
        from app.api.body import json_object

        try:
            body = json_object() or {}
        except (RequestEntityTooLarge, BadInput):
            body = {}  # the view answers 413 or 422
        email = body.get("email") if isinstance(body, dict) else None
    else:
        email = request.form.get("email", "")
    return (email if isinstance(email, str) else "").strip().lower()


def _account_at_address():
    return f"account:{_submitted_email()}|address:{get_remote_address()}"


def _failed(_response):
    # Only failed attempts count; a correct password never counts against anyone.
    return bool(g.get("sign_in_failed"))


def mark_sign_in_failed():
    g.sign_in_failed = True


def account_delay(failures, free, maximum):
    """Seconds to wait before checking a password on an account with `failures` recent failures.

    None for the first `free` failures, then FIRST_DELAY_SECONDS doubling with
    each failure, never more than `maximum`.
    """
    if failures < free or maximum <= 0:
        return 0.0
    doublings = min(failures - free, 32)  # 2**32 * 0.25 s is far past any cap
    return min(float(maximum), FIRST_DELAY_SECONDS * 2**doublings)


def account_failures(email):
    """Failed sign-ins on this account (from any address) in the last ACCOUNT_WINDOW_MINUTES."""
    if not email:
        return 0
    try:
        stats = limiter.limiter.get_window_stats(_ACCOUNT_FAILURES, email)
    except Exception:  # counter storage down: no delay rather than no sign-in
        log.warning("sign-in failure counter unavailable", exc_info=True)
        return 0
    return _ACCOUNT_FAILURES.amount - stats.remaining


def delay_for_account(email):
    config = current_app.config
    return account_delay(account_failures(email), config["LOGIN_FAILURES_PER_MINUTE"], config["LOGIN_ACCOUNT_MAX_DELAY"])


def _count_account_failure(email):
    if not email:
        return
    try:
        limiter.limiter.hit(_ACCOUNT_FAILURES, email)
    except Exception:
        log.warning("sign-in failure counter unavailable", exc_info=True)


def _slowed_by_account_failures(view):
    @functools.wraps(view)
    def slowed(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        email = _submitted_email()
        delay = delay_for_account(email)
        if delay:
            time.sleep(delay)
        response = view(*args, **kwargs)
        if g.get("sign_in_failed"):
            _count_account_failure(email)
        return response

    return slowed


def throttle_sign_in(view):
    """429 after LOGIN_FAILURES_PER_MINUTE failures from one address, or on one account from one address;
    failures on an account from anywhere slow its sign-ins down (account_delay)."""
    view = _slowed_by_account_failures(view)
    view = limiter.shared_limit(_failures_per_minute, scope="sign-in-address", deduct_when=_failed, methods=["POST"])(view)
    view = limiter.shared_limit(
        _failures_per_minute, scope="sign-in-account-address", key_func=_account_at_address, deduct_when=_failed, methods=["POST"]
    )(view)
    return view
