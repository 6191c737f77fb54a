"""Asking a reviewer to review: the in-app notice and the e-mail, in the reviewer's language.

Kept apart from services.py (it needs only the models' world), so the services,
the workflow's effects and the request pages can all ask the same way.
"""

from flask import current_app
from flask_babel import force_locale

from app import dates
from app.i18n import lazy_gettext as _l
from app.notifications.services import notify
from app.urls import external_url


def language_of(person):
    """The language a person's e-mails are written in: their setting if the platform offers it, else the default."""
    languages = current_app.config["LANGUAGES"]
    return person.locale if person.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def ask(contribution, assignments):
    """Tell each newly assigned reviewer that they are asked to review, with the due date and the review page's link.

    Joins the caller's unit of work: the e-mails leave only once it commits.
    """
    for assignment in assignments:
        person = assignment.reviewer
        link = external_url("reviews.review", assignment_id=assignment.id)
        with force_locale(language_of(person)):
            due = dates.format_day(assignment.due_at)
            notify(
                [person],
                "review_request",
                str(_l("You are asked to review “%(title)s” by %(date)s.", title=contribution.title, date=due)),
                link=link,
                email_subject=str(_l("Review request: “%(title)s”", title=contribution.title)),
                email_template="review_request",
                contribution=contribution,
                type_name=str(contribution.type_spec.name),
                areas=", ".join(area.code for area in contribution.areas),
                due=due,
            )
