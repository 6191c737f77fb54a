"""Addresses that leave the site: absolute links for e-mails, files and the API, and the signed tokens they carry.

Knows no service or feature (only Flask and the settings), so services of
every feature, their e-mails and report builds can use it without an import cycle.
"""

from flask import current_app, url_for
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer


def external_url(endpoint, **values):
    """An absolute URL for e-mails, also outside a request (CLI, jobs).

    Always on PUBLIC_BASE_URL (create_app makes sure it is set), never on the
    request's Host or X-Forwarded-Host: those are the sender's to choose.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        raise RuntimeError("PUBLIC_BASE_URL is not set: links in e-mails have no address to point at.")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def signed_serializer(purpose):
    """Signs and checks time-limited tokens for one purpose (invitations, password resets, subscription confirmations)."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"ceris.{purpose}")


def lasting_serializer(purpose):
    """Signs and checks tokens that never expire, for one purpose (one-click unsubscribe links)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"ceris.{purpose}")
