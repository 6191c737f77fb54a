"""What the contribution workflow (workflows/contribution.toml) refers to: actor rules, guards, effects.

The only place in Python where the workflow's steps and states are named:
the engine (app/workflow/) knows no contribution, and the rest of the
feature asks the definition for flags and allowed transitions. Revisions,
notifications and their e-mails are this feature's effects; e-mails and
jobs leave only after the transition's unit of work commits.
"""

from flask import current_app

from app.contributions import services
from app.contributions.models import STATES, Contribution
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.i18n import ngettext
from app.notifications.services import notify
from app.reports.services import contribution_accepted, contribution_left_accepted
from app.reviews import asking
from app.reviews import services as reviews
from app.urls import external_url
from app.workflow import GuardFailed, Hooks

# The flags a state of workflows/contribution.toml may carry; code asks the
# definition (`states_flagged("editable")`) instead of naming states.
FLAGS = {
    "private": "only the author sees it",
    "editable": "the author may edit it",
    "assignable": "reviewers may be assigned to it",
    "desk": "editors' desks list it",
    "screening": "it waits for an editor to screen it",
    "reviewable": "assigned reviewers may write or change their reviews",
    "workload": "open reviews of it count as the reviewer's workload",
    "feeds_reports": "it may feed CERIS report sections",
}

# STATES is what the CHECK on contributions.state allows; the app refuses to
# start when the workflow's states differ.
hooks = Hooks(
    "contribution",
    flags=FLAGS,
    states=STATES,
    state_column="contributions.state",
    # The model's default for a new row must be the workflow's initial state (checked at start-up).
    default_state=Contribution.__table__.c.state.default.arg,
)


# --- who ------------------------------------------------------------------------


@hooks.actor("author")
def is_author(contribution, user):
    return contribution.author_id == user.id


@hooks.actor("editor")
def is_area_editor(contribution, user):
    """An editor of one of the contribution's thematic areas (the rule is written once, in services)."""
    return services.is_area_editor(user, contribution)


@hooks.actor("admin")
def is_admin(contribution, user):
    return user.has_role("admin")


# --- guards -----------------------------------------------------------------------


@hooks.guard("complete")
def complete(context):
    missing = services.completeness(context.subject)
    if missing:
        raise GuardFailed(str(_l("Some required answers are missing.")), missing)
    return None


@hooks.guard("enough_reviews")
def enough_reviews(context):
    needed = current_app.config["MIN_REVIEWS"]
    done = len(reviews.completed_reviews(context.subject))
    if done < needed:
        return _l("At least %(needed)d completed reviews are needed to accept; there are %(done)d.", needed=needed, done=done)
    return None


@hooks.guard("has_review")
def has_review(context):
    if not reviews.completed_reviews(context.subject):
        return _l("At least one completed review is needed to reject after review.")
    return None


@hooks.guard("enough_eligible_reviewers")
def enough_eligible_reviewers(context):
    """Sending to review assigns reviewers (effect `assign_reviewers`): enough must be eligible."""
    needed, eligible = reviews.reviewers_to_add(context.subject)
    if len(eligible) < needed:
        return ngettext(
            "Not enough eligible reviewers to send this contribution to review: it needs %(needed)d more, "
            "and only %(num)d is available without a conflict of interest in its areas.",
            "Not enough eligible reviewers to send this contribution to review: it needs %(needed)d more, "
            "and only %(num)d are available without a conflict of interest in its areas.",
            len(eligible),
            needed=needed,
        )
    return None


# --- effects ----------------------------------------------------------------------


@hooks.effect("mark_submitted")
def mark_submitted(context):
    services.mark_submitted(context.subject, context.actor)


@hooks.effect("new_revision")
def new_revision(context):
    """Resubmitting freezes the author's changes as a new revision (if editing has not made one already)."""
    services.ensure_revision_since_last_decision(context.subject, context.actor)


@hooks.effect("assign_reviewers")
def assign_reviewers(context):
    try:
        added = reviews.top_up(context.subject, context.actor)
    except reviews.NotEnoughReviewers as error:
        # The guard `enough_eligible_reviewers` refuses first; this covers a reviewer lost in between.
        raise GuardFailed(error.message) from None
    # Those added are asked to review (their request's e-mail); the step's own notice (notify_reviewers) leaves them out.
    asking.ask(context.subject, added)
    context.options["asked_reviewer_ids"] = {assignment.reviewer_id for assignment in added}


def _link(contribution):
    return external_url("contributions.detail", contribution_id=contribution.id)


def _message(context):
    """One whole sentence: the step's and the state's labels are quoted names, never spliced into the grammar."""
    contribution = context.subject
    return str(
        _l(
            "%(actor)s took the step “%(action)s” on “%(title)s”; its state is now “%(state)s”.",
            actor=context.actor.display_name,
            action=_(context.transition.label),
            title=contribution.title,
            state=_(context.workflow.states[context.transition.target].label),
        )
    )


def _subject(context):
    """A short e-mail subject that names the event first, so an inbox shows what happened at a glance."""
    return str(_l("%(event)s: “%(title)s”", event=_(context.transition.history_label), title=context.subject.title))


def _tell(context, users, kind):
    """Notifications and e-mails in the transition's unit of work; the e-mails are queued once it commits."""
    notify(
        [user for user in users if user.id != getattr(context.actor, "id", None)],
        kind,
        _message(context),
        link=_link(context.subject),
        email_subject=_subject(context),
        comment=context.comment,
    )


# Kept importable for callers not yet converted; the rule is services.area_editors.
area_editors = services.area_editors


@hooks.effect("notify_author")
def notify_author(context):
    _tell(context, [context.subject.author], "contribution_" + context.transition.name)


@hooks.effect("notify_editors")
def notify_editors(context):
    _tell(context, services.area_editors(context.subject), "contribution_" + context.transition.name)


@hooks.effect("notify_editors_if_submitted")
def notify_editors_if_submitted(context):
    # Editors never saw it while it was private (a draft).
    if not context.workflow.state_has(context.from_state, "private"):
        notify_editors(context)


@hooks.effect("notify_reviewers")
def notify_reviewers(context):
    asked = context.options.get("asked_reviewer_ids", set())
    reviewers = [assignment.reviewer for assignment in reviews.assignments(context.subject) if assignment.reviewer_id not in asked]
    _tell(context, reviewers, "contribution_" + context.transition.name)


# --- reports (app/reports/services.py) --------------------------------------------------


@hooks.effect("leave_reports")
def leave_reports(context):
    """Re-opened out of a state that feeds reports: report sections holding or suggesting it keep a note for the editor."""
    if context.workflow.state_has(context.from_state, "feeds_reports"):
        contribution_left_accepted(context.subject, context.actor, context.comment)


@hooks.effect("return_to_reports")
def return_to_reports(context):
    """Accepted (again): it comes back to report sections as a suggestion (excluded ones stay excluded)."""
    contribution_accepted(context.subject)


# --- every transition ------------------------------------------------------------------


@hooks.every_transition
def record_revision(context):
    """The history entry records the revision the step acted on (after effects such as a resubmission's new revision)."""
    context.history.revision = context.subject.revision
