"""What every template may use: permission answers, locale formatting, absolute links."""
from flask import current_app, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from app.auth import services as auth_services
from app.contributions import services as contribution_services
from app.notifications import services as notification_services


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


def role_labels(roles):
    """Role codes as the translated names people read ("Contributor, Reviewer")."""
    from app.auth.models import ROLES

    return ", ".join(str(ROLES.get(role, role)) for role in roles)


def workflow_diagram(workflow, current_state=None):
    """The workflow as an accessible SVG, labels in the reader's language."""
    from flask_babel import gettext

    from app.workflow.diagram import render_svg

    return render_svg(workflow, current_state, translate=gettext)


def register(app):
    @app.context_processor
    def permissions():
        # Outside a request (e-mails rendered by the CLI or a job) there is no user.
        signed_in = bool(current_user and current_user.is_authenticated)
        return {
            "can": {
                "administer": auth_services.can_administer(current_user),
                "invite": auth_services.can_invite(current_user),
                "contribute": contribution_services.may_create(current_user),
                "browse_contributions": contribution_services.may_browse(current_user),
                "review": bool(signed_in and current_user.has_role("reviewer")),
                "desk": bool(signed_in and current_user.has_role("editor", "admin")),
            },
            "current_locale": str(get_locale() or "en"),
            # One COUNT on an index, only for signed-in users.
            "notifications_unread": notification_services.unread_count(current_user) if signed_in else 0,
        }

    from app.main.forms import language_choices

    app.jinja_env.globals["language_choices"] = language_choices
    app.jinja_env.globals["workflow_diagram"] = workflow_diagram
    app.jinja_env.filters["role_labels"] = role_labels
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["number"] = lambda value: format_decimal(value) if value is not None else ""
