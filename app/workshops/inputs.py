"""The contributions collected for a workshop: listed for its managers, and sent to review in bulk.

Apart from app/workshops/services.py because it uses the contribution services,
which themselves ask the workshop services about calls (no import cycle).
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.contributions import services as contributions
from app.contributions.models import Contribution
from app.contributions.types import TYPES
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.service_errors import Invalid
from app.unit_of_work import unit_of_work
from app.workflow import TransitionError
from app.workshops.services import check_manage


@dataclass
class InputGroup:
    """The inputs of one type in one state, for the workshop page."""

    type_code: str
    type_label: object
    state: str
    state_label: str
    items: list = field(default_factory=list)
    # Whether the group's inputs wait for screening (they can be sent to review).
    screening: bool = False


def collected(workshop):
    """The submitted contributions made for `workshop` (never drafts), oldest first, areas loaded with them."""
    definition = contributions.workflow()
    return db.session.scalars(
        sa.select(Contribution)
        .where(
            Contribution.workshop_id == workshop.id,
            Contribution.submitted_at.is_not(None),
            Contribution.state.not_in(definition.states_flagged("private")),
        )
        .order_by(Contribution.submitted_at, Contribution.id)
    ).all()


def accepted_inputs(workshop):
    """The contributions made for `workshop` that were accepted (the workflow's `feeds_reports` states), by type then title.

    Public as a list (the outcome links to them); each link's page applies its own reading rules.
    """
    definition = contributions.workflow()
    found = db.session.scalars(
        sa.select(Contribution)
        .where(
            Contribution.workshop_id == workshop.id,
            Contribution.submitted_at.is_not(None),
            Contribution.state.in_(definition.states_flagged("feeds_reports")),
        )
        .order_by(Contribution.title, Contribution.id)
    ).all()
    type_order = {code: position for position, code in enumerate(TYPES)}
    return sorted(found, key=lambda contribution: type_order.get(contribution.type, 99))


def grouped_inputs(user, workshop):
    """The collected inputs in groups by type (the types' order) and state (the workflow's order); managers only."""
    check_manage(user, workshop)
    definition = contributions.workflow()
    groups = {}
    for contribution in collected(workshop):
        key = (contribution.type, contribution.state)
        if key not in groups:
            groups[key] = InputGroup(
                type_code=contribution.type,
                type_label=TYPES[contribution.type].name,
                state=contribution.state,
                state_label=definition.states[contribution.state].label,
                screening=definition.state_has(contribution.state, "screening"),
            )
        groups[key].items.append(contribution)
    type_order = {code: position for position, code in enumerate(TYPES)}
    state_order = {name: position for position, name in enumerate(definition.state_order)}
    return sorted(groups.values(), key=lambda group: (type_order.get(group.type_code, 99), state_order.get(group.state, 99)))


def _send_to_review_step():
    """The step from screening into review (a transition from a `screening` state into a `reviewable` one), by the workflow's flags."""
    definition = contributions.workflow()
    for transition in definition.transitions_into("reviewable"):
        if any(definition.state_has(source, "screening") for source in transition.sources):
            return transition
    raise LookupError("the contribution workflow has no step from screening into review")


@dataclass
class BulkResult:
    sent: int = 0
    skipped: int = 0
    reasons: list = field(default_factory=list)


def send_to_review(user, workshop, contribution_ids):
    """Send the chosen inputs of `workshop` to review, in one unit of work; those that cannot move are skipped (with why).

    Each goes through the workflow engine as if sent one by one (roles, state, guards, effects such as
    reviewer assignment and notifications); a refused one changes nothing and is counted as skipped.
    """
    check_manage(user, workshop)
    ids = sorted({item for item in contribution_ids or [] if isinstance(item, int)})
    if not ids:
        message = _l("Choose at least one input to send to review.")
        raise Invalid(message, {"contribution_ids": message})
    step = _send_to_review_step()
    result = BulkResult()
    with unit_of_work():
        chosen = db.session.scalars(
            sa.select(Contribution).where(Contribution.id.in_(ids), Contribution.workshop_id == workshop.id).order_by(Contribution.id)
        ).all()
        result.skipped += len(ids) - len(chosen)  # not inputs of this workshop
        for contribution in chosen:
            try:
                contributions.transition(contribution, step.name, user)
            except TransitionError as refusal:
                result.skipped += 1
                result.reasons.append((contribution, refusal.message))
            else:
                result.sent += 1
    return result
