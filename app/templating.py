"""What every template may use: permission answers, locale formatting, the workflow diagram."""

from flask_babel import get_locale, gettext
from flask_login import current_user

from app import dates
from app.auth import services as auth_services
from app.auth.models import ROLES
from app.contributions import services as contribution_services
from app.main.forms import language_choices
from app.notifications import services as notification_services
from app.workflow.diagram import render_svg


def role_labels(roles):
    """Role codes as the translated names people read ("Contributor, Reviewer")."""
    return ", ".join(str(ROLES.get(role, role)) for role in roles)


def workflow_diagram(workflow, current_state=None):
    """The workflow as an accessible SVG, labels in the reader's language."""
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

    app.jinja_env.globals["language_choices"] = language_choices
    app.jinja_env.globals["workflow_diagram"] = workflow_diagram
    app.jinja_env.filters["role_labels"] = role_labels
    # One format everywhere (app/dates.py): "3 December 2026", "3 December 2026, 14:05", in Brussels time.
    # The old width argument (`|date('long')`, `|datetime('short')`) is accepted and no longer changes it.
    app.jinja_env.filters["date"] = lambda value, fmt=None: dates.format_day(value)
    app.jinja_env.filters["datetime"] = lambda value, fmt=None, zone=None: dates.format_moment(value, zone)
    app.jinja_env.filters["iso_date"] = lambda value, fmt=None: dates.iso_text_day(value)
    app.jinja_env.filters["number"] = dates.format_number
