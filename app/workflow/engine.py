"""Applying a transition: one transaction, checked in a fixed order.

1. the actor may take this transition (actor rules)          -> 403
2. the subject is in one of its source states                -> 409
3. the caller saw the current version (if it says which)     -> 409
4. a required comment is given                               -> 422
5. every guard passes                                        -> 409 with the guard's reason
Then the new state, an immutable history entry and the effects (rows to
deliver: notifications, outbox e-mails) are written and committed together;
the row's version column makes a concurrent second decision fail at commit
(409), so two editors deciding at once give one winner. Only after the
commit are e-mails handed to the job queue (persist first, enqueue after).
"""
from dataclasses import dataclass, field

from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.i18n import gettext as _
from app.sanitising import remove_hidden_characters
from app.service_errors import Conflict, Forbidden, Invalid, ServiceError
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
    workflow: object
    transition: object
    subject: object
    actor: object
    comment: str
    from_state: str
    options: dict = field(default_factory=dict)
    history: object = None
    # E-mails written to the outbox by effects, sent once the transaction commits.
    outbox: list = field(default_factory=list)
    after_commit: list = field(default_factory=list)


def actor_may(workflow, transition, subject, user):
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", True):
        return False
    return any(workflow.hooks.actors[name](subject, user) for name in transition.actors)


def allowed_transitions(workflow, subject, user):
    """Names of the transitions `user` may take from the subject's current state (guards not evaluated)."""
    return [
        transition.name
        for transition in workflow.transitions_from(subject.state)
        if actor_may(workflow, transition, subject, user)
    ]


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
            _("The step “%(action)s” is not possible in the state “%(state)s”.", action=action, state=_(workflow.states[subject.state].label))
        )
    if expected_version is not None and expected_version != subject.version:
        raise StaleVersion(
            _("Someone changed this in the meantime (version %(current)d, you had %(yours)d). Reload and try again.", current=subject.version, yours=expected_version)
        )
    comment = remove_hidden_characters(comment).strip()  # no hidden direction or control characters
    if transition.comment_required and not comment:
        raise CommentRequired(_("The step “%(action)s” needs a comment saying why.", action=action), {"comment": _("Required.")})
    if transition.comment == "none":
        comment = ""

    context = TransitionContext(workflow, transition, subject, actor, comment, subject.state, dict(options))
    try:
        for guard_name in transition.guards:
            reason = workflow.hooks.guards[guard_name](context)
            if reason:
                raise GuardFailed(str(reason))
        subject.state = transition.target
        context.history = WorkflowHistory(
            workflow=workflow.name,
            subject_id=subject.id,
            transition=transition.name,
            from_state=context.from_state,
            to_state=transition.target,
            actor_id=actor.id,
            comment=comment,
            revision=getattr(subject, "revision", None),
        )
        db.session.add(context.history)
        for effect_name in transition.effects:
            workflow.hooks.effects[effect_name](context)
        # The history entry records the revision the transition acted on, after effects like resubmit.
        context.history.revision = getattr(subject, "revision", None)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(_("Someone else decided this at the same moment. Reload to see the current state.")) from None
    except Exception:
        db.session.rollback()
        raise

    from app.mail.services import dispatch

    dispatch(*context.outbox)
    for callback in context.after_commit:
        callback()
    return context.history


def history_of(workflow, subject):
    return db.session.scalars(
        db.select(WorkflowHistory)
        .where(WorkflowHistory.workflow == workflow.name, WorkflowHistory.subject_id == subject.id)
        .order_by(WorkflowHistory.id)
    ).all()
