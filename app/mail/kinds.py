"""What an outbox e-mail is about, in words: the `kind` each sender gives `queue_email`, for the admin pages."""

from flask import current_app

from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.workflow.definition import default_transition_label

MAIL_KIND_LABELS = {
    "invitation": _l("Invitation"),
    "access_request": _l("Request for access"),
    "password_reset": _l("Password reset"),
    "subscription_confirm": _l("Subscription confirmation"),
    "report_published": _l("Report published (subscribers)"),
    "workshop_call_opened": _l("Workshop call opened (subscribers)"),
    "workshop_place": _l("Workshop place"),
    "review_request": _l("Request to review"),
    "review_declined": _l("Review request declined"),
    "review_unassigned": _l("Reviewer unassigned"),
    "review_overdue": _l("Review overdue"),
    "review_arrived": _l("Review received"),
    "ready_for_decision": _l("Ready for a decision"),
}

# Workflow steps tell people by e-mail with the kind "contribution_<transition name>".
CONTRIBUTION_STEP_PREFIX = "contribution_"


def _transition_label(name):
    """The label the workflows give the transition `name` (the first that defines it), in the reader's language."""
    for definition in current_app.extensions.get("workflows", {}).values():
        transition = definition.transitions.get(name)
        if transition is not None:
            return _(transition.label)
    return _(default_transition_label(name))


def mail_kind_label(kind):
    """The kind of an outbox e-mail in words; a kind nobody named yet reads as its code in words, never blank."""
    if not kind:
        return _("Other")
    if kind in MAIL_KIND_LABELS:
        return str(MAIL_KIND_LABELS[kind])
    if kind.startswith(CONTRIBUTION_STEP_PREFIX):
        return _("Contribution: %(step)s", step=_transition_label(kind.removeprefix(CONTRIBUTION_STEP_PREFIX)))
    return _(default_transition_label(kind))
