"""Applying a transition: one unit of work, checked in a fixed order.

1. the actor may take this transition (actor rules)          -> 403
2. the subject is in one of its source states                -> 409
3. the caller saw the current version (if it says which)     -> 409
4. a required comment is given                               -> 422
5. every guard passes                                        -> 409 with the guard's reason
Then the new state, an immutable history entry and the effects are written in
the caller's unit of work (or one of its own). The subject's `version` column
(SQLAlchemy's version_id_col) makes a concurrent second decision fail when it
is written (409), so two people deciding at once give one winner.

The engine knows no feature: a subject is any row with `id`, `state` and
`version`; what a transition does beyond its state and history (revisions,
notifications, e-mails, jobs) is the effects' business, registered by the
subject's feature in its hooks module. Effects that must wait for the commit
(queueing e-mails or jobs) register them with app.unit_of_work.after_commit.
"""

from dataclasses import dataclass, field

from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.i18n import gettext as _
from app.sanitising import has_visible_text, remove_hidden_characters
from app.service_errors import Conflict, Forbidden, Invalid, ServiceError
from app.unit_of_work import unit_of_work
from app.workflow.models import WorkflowHistory


class TransitionError(ServiceError):
    """A transition the rules refuse (409 unless a subclass says otherwise)."""

    status = 409


class TransitionForbidden(TransitionError, Forbidden):
    status = 403


class TransitionNotAllowed(TransitionError, Conflict):
    status = 409


class StaleVersion(TransitionError, Conflict):
    status = 409


class GuardFailed(TransitionError, Conflict):
    status = 409


class CommentRequired(TransitionError, Invalid):
    status = 422


class UnknownTransition(TransitionError, Invalid):
    status = 422


@dataclass
class TransitionContext:
    """What guards and effects are told: the definition, the transition, the subject, who, why, and from where."""

    workflow: object
    transition: object
    subject: object
    actor: object
    comment: str
    from_state: str
    options: dict = field(default_factory=dict)
    history: object = None


def actor_may(workflow, transition, subject, user):
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", True):
        return False
    return any(workflow.hooks.actors[name](subject, user) for name in transition.actors)


def allowed_transitions(workflow, subject, user):
    """Names of the transitions `user` may take from the subject's current state (guards not evaluated)."""
    return [transition.name for transition in workflow.transitions_from(subject.state) if actor_may(workflow, transition, subject, user)]


def apply_transition(workflow, subject, name, actor, comment=None, expected_version=None, **options):
    """Apply transition `name` to `subject` as `actor`; returns the history entry or raises a TransitionError."""
    transition = workflow.transitions.get(name)
    if transition is None:
        raise UnknownTransition(
            _("There is no step called “%(name)s”.", name=name),
            {"transition": _("Choose one of: %(names)s.", names=", ".join(workflow.transitions))},
        )
    action = _(transition.label)
    if not actor_may(workflow, transition, subject, actor):
        raise TransitionForbidden(_("You are not allowed to take the step “%(action)s” here.", action=action))
    if subject.state not in transition.sources:
        raise TransitionNotAllowed(
            _(
                "The step “%(action)s” is not possible in the state “%(state)s”.",
                action=action,
                state=_(workflow.states[subject.state].label),
            )
        )
    if expected_version is not None and expected_version != subject.version:
        raise StaleVersion(
            _(
                "Someone changed this in the meantime (version %(current)d, you had %(yours)d). Reload and try again.",
                current=subject.version,
                yours=expected_version,
            )
        )
    comment = remove_hidden_characters(comment).strip()  # no hidden direction or control characters
    if transition.comment_required and not has_visible_text(comment):
        raise CommentRequired(_("The step “%(action)s” needs a comment saying why.", action=action), {"comment": _("Required.")})
    if transition.comment == "none":
        comment = ""

    context = TransitionContext(workflow, transition, subject, actor, comment, subject.state, dict(options))
    try:
        with unit_of_work():
            for guard_name in transition.guards:
                reason = workflow.hooks.guards[guard_name](context)
                if reason:
                    raise GuardFailed(reason)
            subject.state = transition.target
            context.history = WorkflowHistory(
                workflow=workflow.name,
                subject_id=subject.id,
                transition=transition.name,
                from_state=context.from_state,
                to_state=transition.target,
                actor_id=getattr(actor, "id", None),
                comment=comment,
            )
            db.session.add(context.history)
            for effect_name in transition.effects:
                workflow.hooks.effects[effect_name](context)
            for hook in workflow.hooks.every_transition_hooks:
                hook(context)
            # Written now, so a concurrent decision is refused here even when the caller's unit goes on.
            db.session.flush()
    except StaleDataError:
        raise StaleVersion(_("Someone else decided this at the same moment. Reload to see the current state.")) from None
    return context.history


def history_of(workflow, subject):
    """The subject's history entries (keyed by the workflow's name and the subject's id), oldest first."""
    return db.session.scalars(
        db.select(WorkflowHistory)
        .where(WorkflowHistory.workflow == workflow.name, WorkflowHistory.subject_id == subject.id)
        .order_by(WorkflowHistory.id)
    ).all()
