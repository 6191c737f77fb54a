"""Translation markers and locale selection (Flask-Babel)."""

from flask import current_app, has_request_context, request, session
from flask_babel import gettext, lazy_gettext, ngettext  # noqa: F401  re-exported
from flask_login import current_user


def select_locale():
    """The visitor's choice, then the profile's, then the browser's; English outside requests."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or default
