"""Telling the editors of a contribution's areas what needs them: a review arrived, or it is ready for a decision.

One message per event: the review that completes what the editors' decisions
need (their guards in workflows/contribution.toml) is told as "ready for a
decision", every other new review as "a review arrived". Each editor reads it
in their own language; the e-mails leave once the caller's unit of work commits.

Called by the reviews feature while it stores a review (so this module imports
no reviews code: the workflow's guards are asked through its definition).
"""

from flask import current_app
from flask_babel import force_locale

from app.contributions import services as contributions
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.notifications.services import notify
from app.reviews.models import ACCEPT, REJECT, REVISE
from app.urls import external_url
from app.workflow.engine import GuardFailed, TransitionContext

# The actor rule (workflows/contribution.toml `who`) of the steps an editor decides with.
EDITOR_ACTOR = "editor"

REVIEW_ARRIVED = "review_arrived"
READY_FOR_DECISION = "ready_for_decision"

# A reviewer's advice as editors read it (app/reviews/models.py RECOMMENDATIONS).
RECOMMENDATION_LABELS = {ACCEPT: _l("Accept"), REVISE: _l("Revise"), REJECT: _l("Reject")}


def recommendation_label(code):
    label = RECOMMENDATION_LABELS.get(code)
    return str(label) if label is not None else code


def editor_steps(contribution):
    """The workflow's steps an editor may take from the contribution's current state (the definition says which)."""
    return [step for step in contributions.workflow().transitions_from(contribution.state) if EDITOR_ACTOR in step.actors]


def guard_reasons(contribution, step, actor=None):
    """Why the step's guards refuse now, in words (empty when they all pass); nothing is changed."""
    definition = contributions.workflow()
    context = TransitionContext(definition, step, contribution, actor, "", contribution.state)
    reasons = []
    for name in step.guards:
        try:
            reason = definition.hooks.guards[name](context)
        except GuardFailed as error:
            reason = error.message
        if reason:
            reasons.append(str(reason))
    return reasons


def ready_for_decision(contribution):
    """Reviews are open and every guarded decision an editor may take now passes its guards (e.g. enough reviews to accept)."""
    if not contributions.in_state(contribution, "reviewable"):
        return False
    guarded = [step for step in editor_steps(contribution) if step.guards]
    return bool(guarded) and all(not guard_reasons(contribution, step) for step in guarded)


def _language(person):
    languages = current_app.config["LANGUAGES"]
    return person.locale if person.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def review_arrived(contribution, review, was_ready):
    """A new review is stored (in the caller's unit of work): tell each area editor once, in their language.

    `was_ready`: whether the contribution was ready for a decision before this review.
    """
    ready = not was_ready and ready_for_decision(contribution)
    kind = READY_FOR_DECISION if ready else REVIEW_ARRIVED
    link = external_url("reviews.decision", contribution_id=contribution.id)
    for editor in contributions.area_editors(contribution):
        with force_locale(_language(editor)):
            if ready:
                message = _(
                    "All the reviews needed are in for “%(title)s”: it is ready for your decision.",
                    title=contribution.title,
                )
                subject = _("Ready for a decision: “%(title)s”", title=contribution.title)
            else:
                message = _(
                    "%(name)s reviewed “%(title)s” (revision %(revision)d) and recommends: %(recommendation)s.",
                    name=review.reviewer.display_name,
                    title=contribution.title,
                    revision=review.revision,
                    recommendation=recommendation_label(review.recommendation),
                )
                subject = _("Review received: “%(title)s”", title=contribution.title)
            notify(
                [editor],
                kind,
                message,
                link=link,
                email_subject=subject,
                email_template="editor_review",
                contribution=contribution,
                review=review,
                ready=ready,
                recommendation=recommendation_label(review.recommendation),
            )
