"""The editor's desk and the decision page: what editors see, may do and decide (rules for app/reviews/views.py).

The desk lists, per thematic area, what waits for editors (screening, reviews
outstanding or overdue, ready for a decision) with each item's type, source
network, submission date, age and priority, sortable, in a fixed number of
queries. The decision page gathers the contribution, the reviews of every
round and one decision form over the steps the workflow lets the editor take
now; steps whose guards refuse are shown with the reason in words. Bulk
actions take one unit of work each, skipping what cannot move.
"""

import csv
import io

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from app.contributions import services as contributions
from app.contributions.models import Contribution, contribution_areas
from app.contributions.types import PRIORITIES
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.notifications import editor_events
from app.notifications.services import notify
from app.reviews import services
from app.reviews.models import Review, ReviewerAssignment
from app.service_errors import Invalid, NotFound
from app.timeutil import as_utc, utcnow
from app.unit_of_work import unit_of_work
from app.urls import external_url
from app.workflow import TransitionError

SCOPES = ("mine", "all")
SORTS = {
    "date": _l("Submitted"),
    "age": _l("Age"),
    "priority": _l("Priority"),
    "type": _l("Type"),
    "network": _l("Network"),
    "title": _l("Title"),
}
_PRIORITY_RANK = {code: rank for rank, (code, _label) in enumerate(PRIORITIES)}
_PRIORITY_LABEL = dict(PRIORITIES)


# --- the desk --------------------------------------------------------------------------


def home_is_desk(user):
    """An editor's home after signing in is their desk."""
    return bool(user and user.is_authenticated and user.has_role("editor"))


def scope_areas(user, scope):
    """The areas a desk scope covers: "mine" the areas the user is attached to (of those they may decide on), "all" every one."""
    areas = services.desk_areas(user)
    if scope == "mine":
        own = {area.id for area in user.areas}
        return [area for area in areas if area.id in own]
    return areas


def _count(area_ids):
    if not area_ids:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Contribution.id)))
        .join(contribution_areas, contribution_areas.c.contribution_id == Contribution.id)
        .where(contribution_areas.c.area_id.in_(area_ids), Contribution.state.in_(services._states("desk")))
    )


def _row(contribution, now, waiting=(), late=()):
    submitted = as_utc(contribution.submitted_at) if contribution.submitted_at else None
    priority = (contribution.fields or {}).get("priority")
    return {
        "contribution": contribution,
        "type": contribution.type_spec.name,
        "network": contribution.network.name if contribution.network else "",
        "submitted_at": submitted,
        "age_days": (now - submitted).days if submitted else None,
        "priority": str(_PRIORITY_LABEL[priority]) if priority in _PRIORITY_LABEL else "",
        "priority_rank": _PRIORITY_RANK.get(priority, len(_PRIORITY_RANK)),
        "waiting": list(waiting),
        "late": list(late),
    }


def _sort_key(sort):
    far = as_utc(utcnow().replace(year=9999))
    keys = {
        "date": lambda row: (row["submitted_at"] or far, row["contribution"].id),
        "age": lambda row: (-(row["age_days"] or 0), row["contribution"].id),
        "priority": lambda row: (row["priority_rank"], row["submitted_at"] or far, row["contribution"].id),
        "type": lambda row: (str(row["type"]).casefold(), row["contribution"].id),
        "network": lambda row: (row["network"].casefold() or "\uffff", row["contribution"].id),
        "title": lambda row: (row["contribution"].title.casefold(), row["contribution"].id),
    }
    return keys.get(sort, keys["date"])


def desk_page(user, scope=None, sort="date", now=None):
    """What the desk shows: scope counts and, per area of the scope, its four lists of rows (sorted by `sort`).

    A fixed number of queries whatever the data.
    """
    now = now or utcnow()
    if scope not in SCOPES:
        # By default the areas one is attached to; an admin attached to none sees every area.
        scope = "mine" if scope_areas(user, "mine") else "all"
    sort = sort if sort in SORTS else "date"
    counts = {name: _count([area.id for area in scope_areas(user, name)]) for name in SCOPES}
    areas = scope_areas(user, scope)
    area_ids = [area.id for area in areas]
    rows = (
        db.session.execute(
            sa.select(Contribution, contribution_areas.c.area_id)
            .join(contribution_areas, contribution_areas.c.contribution_id == Contribution.id)
            .options(joinedload(Contribution.network))
            .where(contribution_areas.c.area_id.in_(area_ids), Contribution.state.in_(services._states("desk")))
        ).all()
        if area_ids
        else []
    )
    ids = {contribution.id for contribution, _area in rows}
    open_assignments = (
        db.session.scalars(
            sa.select(ReviewerAssignment).where(ReviewerAssignment.contribution_id.in_(ids), ReviewerAssignment.declined_at.is_(None))
        ).all()
        if ids
        else []
    )
    reviewed = (
        {
            tuple(row)
            for row in db.session.execute(
                sa.select(Review.contribution_id, Review.reviewer_id, Review.revision).where(Review.contribution_id.in_(ids))
            )
        }
        if ids
        else set()
    )
    by_contribution = {}
    for assignment in open_assignments:
        by_contribution.setdefault(assignment.contribution_id, []).append(assignment)
    needed = current_app.config["MIN_REVIEWS"]
    screening = set(services._states("screening"))
    sections = {area.id: {"area": area, "screening": [], "ready": [], "outstanding": [], "overdue": []} for area in areas}
    for contribution, area_id in rows:
        section = sections[area_id]
        if contribution.state in screening:
            section["screening"].append(_row(contribution, now))
            continue
        mine = by_contribution.get(contribution.id, [])
        done = [a for a in mine if (contribution.id, a.reviewer_id, contribution.revision) in reviewed]
        waiting = [a for a in mine if a not in done]
        late = [a for a in waiting if as_utc(a.due_at) < now]
        if len(done) >= needed:
            section["ready"].append(_row(contribution, now))
        if waiting:
            section["outstanding"].append(_row(contribution, now, waiting))
        if late:
            section["overdue"].append(_row(contribution, now, waiting, late))
    key = _sort_key(sort)
    for section in sections.values():
        for name in ("screening", "ready", "outstanding", "overdue"):
            section[name].sort(key=key)
        section["total"] = len({row["contribution"].id for name in ("screening", "ready", "outstanding") for row in section[name]})
    return {"scope": scope, "sort": sort, "counts": counts, "sections": list(sections.values())}


def desk_counts(user):
    """For an editor's home: how many items wait in their areas, by list."""
    page = desk_page(user, scope="mine")
    totals = dict.fromkeys(("screening", "ready", "outstanding", "overdue"), 0)
    for section in page["sections"]:
        for name in totals:
            totals[name] += len(section[name])
    return totals


# --- the decision page --------------------------------------------------------------------


def review_rounds(contribution):
    """The reviews by revision, the current round first: [(revision, [reviews], averages)]."""
    rounds = {}
    for review in services.reviews_of(contribution):
        rounds.setdefault(review.revision, []).append(review)
    result = []
    for revision in sorted(rounds, reverse=True):
        reviews = rounds[revision]
        averages = {
            score: round(sum(getattr(r, score) for r in reviews) / len(reviews), 2) for score in ("relevance", "evidence", "urgency")
        }
        result.append({"revision": revision, "reviews": reviews, "averages": averages, "current": revision == contribution.revision})
    return result


def decision_options(user, contribution):
    """The steps `user` may take now: (open, [blocked with the reasons in words])."""
    open_steps, blocked = [], []
    for step in contributions.allowed_steps(user, contribution):
        if step.form_label:  # the author's edit-form steps are not decisions
            continue
        reasons = editor_events.guard_reasons(contribution, step, user)
        if reasons:
            blocked.append((step, reasons))
        else:
            open_steps.append(step)
    return open_steps, blocked


def decide(user, contribution, step_name, letter, expected_version, confirmed):
    """Take one decision from the decision page; refusals are service errors whose fields name the page's inputs."""
    open_steps, blocked = decision_options(user, contribution)
    names = {step.name for step in open_steps} | {step.name for step, _reasons in blocked}
    if step_name not in names:
        raise Invalid(_l("Choose a decision."), {"decision": _l("Choose one of the decisions offered.")})
    if not confirmed:
        raise Invalid(_l("Confirm the decision."), {"confirm": _l("Tick the box to confirm.")})
    try:
        return contributions.transition(contribution, step_name, user, comment=letter, expected_version=expected_version)
    except TransitionError as error:
        error.fields = {("letter" if key == "comment" else key): message for key, message in error.fields.items()}
        raise


# --- reviewers: unassigning and replacing ---------------------------------------------


def _has_reviewed(assignment):
    contribution = assignment.contribution
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Review)
            .where(
                Review.contribution_id == contribution.id,
                Review.reviewer_id == assignment.reviewer_id,
                Review.revision == contribution.revision,
            )
        )
        > 0
    )


def can_unassign(user, contribution, assignment, reviewed_ids=None):
    """An open assignment without a review of the current revision, while reviewers may be assigned, by its area editors or admins."""
    if assignment.declined_at is not None or assignment.contribution_id != contribution.id:
        return False
    if not (services.can_manage_reviewers(user, contribution) and services.reviewers_assignable(contribution)):
        return False
    if reviewed_ids is not None:
        return assignment.reviewer_id not in reviewed_ids
    return not _has_reviewed(assignment)


def reviewer_actions(user, contribution, assignments, eligible, rounds):
    """Per assignment id: what the page may offer ({"unassign": bool, "replace": bool}); `rounds` from review_rounds."""
    current = next((round_["reviews"] for round_ in rounds if round_["current"]), [])
    reviewed_ids = {review.reviewer_id for review in current}
    actions = {}
    for assignment in assignments:
        removable = can_unassign(user, contribution, assignment, reviewed_ids)
        actions[assignment.id] = {"unassign": removable, "replace": removable and bool(eligible)}
    return actions


def can_assign_automatically(contribution, assignments, eligible):
    """Whether "Assign automatically" would add someone: fewer than REVIEWERS_PER_CONTRIBUTION are assigned and someone is eligible."""
    assigned = sum(1 for assignment in assignments if assignment.declined_at is None)
    missing = current_app.config["REVIEWERS_PER_CONTRIBUTION"] - assigned
    return services.reviewers_assignable(contribution) and missing > 0 and bool(eligible)


def assignment_of(contribution, assignment_id):
    assignment = db.session.get(ReviewerAssignment, assignment_id) if assignment_id else None
    if assignment is None or assignment.contribution_id != contribution.id:
        raise NotFound(_l("This reviewer is not assigned to this contribution."))
    return assignment


def _tell_unassigned(contribution, reviewer):
    notify(
        [reviewer],
        "review_unassigned",
        str(_l("You no longer need to review “%(title)s”: the editors assigned it to someone else.", title=contribution.title)),
        link=external_url("reviews.index"),
    )


def unassign(user, contribution, assignment, replace=False):
    """Remove a reviewer who has not reviewed (and, with `replace`, assign the least loaded eligible one), in one unit of work."""
    if not can_unassign(user, contribution, assignment):
        raise services.ReviewConflict(_l("This reviewer cannot be unassigned: they have reviewed, declined, or the review is over."))
    reviewer = assignment.reviewer
    with unit_of_work():
        replacement = None
        if replace:
            eligible = services.eligible_reviewers(contribution)
            if not eligible:
                raise services.NotEnoughReviewers(_l("No other eligible reviewer is available in the contribution's areas."))
            replacement = eligible[0]
        db.session.delete(assignment)
        db.session.flush()
        _tell_unassigned(contribution, reviewer)
        if replacement is not None:
            services.assign_reviewers(contribution, user, reviewer=replacement)
    return replacement


# --- bulk actions ---------------------------------------------------------------------------


def _chosen(user, ids):
    """The chosen contributions the user manages, in the order chosen (others read as absent and are skipped)."""
    if not ids:
        return []
    found = db.session.scalars(
        sa.select(Contribution).options(joinedload(Contribution.network), selectinload(Contribution.areas)).where(Contribution.id.in_(ids))
    ).all()
    order = {value: index for index, value in enumerate(ids)}
    return sorted((c for c in found if services.can_manage_reviewers(user, c)), key=lambda c: order[c.id])


def _send_to_review_step():
    """The step from screening into review (from a `screening` state into a `reviewable` one), by the workflow's flags."""
    definition = contributions.workflow()
    for transition in definition.transitions_into("reviewable"):
        if any(definition.state_has(source, "screening") for source in transition.sources):
            return transition
    raise LookupError("the contribution workflow has no step from screening into review")


def _valid_ids(ids):
    return list(dict.fromkeys(value for value in ids if isinstance(value, int)))[:500]


def bulk_send_to_review(user, ids):
    """Send every chosen contribution that can go to review, in one unit of work; returns (moved, skipped).

    Each goes through the workflow engine (roles, state, guards, reviewer top-up, notifications); one refused changes nothing.
    """
    ids = _valid_ids(ids)
    step = _send_to_review_step()
    moved = 0
    with unit_of_work():
        chosen = _chosen(user, ids)
        for contribution in chosen:
            try:
                contributions.transition(contribution, step.name, user)
            except TransitionError:
                continue
            moved += 1
    return moved, len(ids) - moved


def bulk_assign(user, ids):
    """Top up reviewers automatically (least loaded eligible, never the author or a conflict) on each chosen contribution.

    One unit of work; returns (reviewers added, contributions skipped).
    """
    ids = _valid_ids(ids)
    added = touched = 0
    with unit_of_work():
        for contribution in _chosen(user, ids):
            if not services.reviewers_assignable(contribution):
                continue
            try:
                created = services.assign_reviewers(contribution, user, automatic=True)
            except services.ReviewError:
                continue
            if created:
                touched += 1
                added += len(created)
    return added, len(ids) - touched


# A spreadsheet reads a cell starting with one of these as a formula (CSV injection): such cells get a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_csv(user, ids, now=None):
    """The chosen contributions as CSV text with a byte order mark; formula-like cells defused."""
    now = now or utcnow()
    definition = contributions.workflow()
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(
        [
            str(_l("Id")),
            str(_l("Title")),
            str(_l("Type")),
            str(_l("State")),
            str(_l("Areas")),
            str(_l("Network")),
            str(_l("Author")),
            str(_l("Submitted")),
            str(_l("Age (days)")),
            str(_l("Priority")),
        ]
    )
    for contribution in _chosen(user, _valid_ids(ids)):
        row = _row(contribution, now)
        writer.writerow(
            [
                contribution.id,
                _cell(contribution.title),
                _cell(row["type"]),
                _cell(str(_l(definition.states[contribution.state].label))),
                _cell(", ".join(area.code for area in contribution.areas)),
                _cell(row["network"]),
                _cell(contribution.author.display_name),
                _cell(row["submitted_at"].date().isoformat() if row["submitted_at"] else ""),
                _cell(row["age_days"] if row["age_days"] is not None else ""),
                _cell(row["priority"]),
            ]
        )
    return "\ufeff" + output.getvalue()
