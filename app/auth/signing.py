"""Signed links (invitations, password resets): one serializer per purpose, and the absolute URL they are sent as."""
from flask import current_app
from itsdangerous import URLSafeTimedSerializer


def signed_serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"ceris.{purpose}")


def external_url(endpoint, **values):
    # Inside: app.templating imports app.auth.services (a cycle, until URL building has a neutral module).
    from app.templating import external_url

    return external_url(endpoint, **values)
