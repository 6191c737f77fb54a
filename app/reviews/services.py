"""Reviewer assignment and reviews: the rules, shared by pages, API and CLI."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from app import dates
from app.auth.models import User, UserRole, user_areas
from app.community.services import thematic_areas
from app.contributions import services as contributions
from app.contributions.models import Contribution, contribution_areas
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.notifications import editor_events
from app.notifications.services import notify
from app.reviews import asking
from app.reviews.models import RECOMMENDATIONS, REJECT, REVISE, SCORES, Review, ReviewerAssignment
from app.sanitising import clean_plain_text
from app.service_errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from app.timeutil import as_utc, utcnow
from app.unit_of_work import transactional, unit_of_work
from app.urls import external_url


def _states(flag):
    """The contribution states carrying `flag` in workflows/contribution.toml (e.g. "assignable")."""
    return contributions.workflow().states_flagged(flag)


def _in_state(contribution, flag):
    return contributions.in_state(contribution, flag)


def reviewers_assignable(contribution):
    """Whether reviewers may be assigned to the contribution in its current state."""
    return _in_state(contribution, "assignable")


def reviews_open(contribution):
    """Whether assigned reviewers may write or change their reviews in the contribution's current state."""
    return _in_state(contribution, "reviewable")


class ReviewError(ServiceError):
    """A refusal about reviewers or reviews (409 unless a subclass says otherwise)."""

    status = 409


class ReviewConflict(ReviewError, Conflict):
    """The contribution's state, or an existing assignment, forbids it (409)."""

    status = 409


class ConflictOfInterest(ReviewConflict):
    status = 409


class NotEnoughReviewers(ReviewConflict):
    status = 409


class ReviewForbidden(ReviewError, Forbidden):
    status = 403


class ReviewInputError(ReviewError, Invalid):
    status = 422


def conflict_of_interest(contribution, reviewer):
    """Why `reviewer` may not review `contribution`, or None."""
    author = contribution.author
    if reviewer.id == author.id:
        return _l("%(name)s wrote this contribution.", name=reviewer.display_name)
    if reviewer.organisation and author.organisation and reviewer.organisation.strip().casefold() == author.organisation.strip().casefold():
        return _l(
            "%(name)s works for the author's organisation (%(organisation)s).", name=reviewer.display_name, organisation=author.organisation
        )
    shared = {network.id for network in reviewer.networks} & (
        {network.id for network in author.networks} | ({contribution.network_id} if contribution.network_id else set())
    )
    if shared:
        return _l("%(name)s belongs to the author's network.", name=reviewer.display_name)
    return None


def assignments(contribution, include_declined=False):
    query = sa.select(ReviewerAssignment).where(ReviewerAssignment.contribution_id == contribution.id)
    if not include_declined:
        query = query.where(ReviewerAssignment.declined_at.is_(None))
    return db.session.scalars(query.order_by(ReviewerAssignment.assigned_at, ReviewerAssignment.id)).all()


def open_assignment(contribution, reviewer):
    return db.session.scalar(
        sa.select(ReviewerAssignment).where(
            ReviewerAssignment.contribution_id == contribution.id,
            ReviewerAssignment.reviewer_id == reviewer.id,
            ReviewerAssignment.declined_at.is_(None),
        )
    )


def open_review_counts():
    """reviewer id -> open assignments on contributions still under way (the workload)."""
    rows = db.session.execute(
        sa.select(ReviewerAssignment.reviewer_id, sa.func.count())
        .join(Contribution, Contribution.id == ReviewerAssignment.contribution_id)
        .where(ReviewerAssignment.declined_at.is_(None), Contribution.state.in_(_states("workload")))
        .group_by(ReviewerAssignment.reviewer_id)
    ).all()
    return dict(rows)


def eligible_reviewers(contribution):
    """Reviewers of the contribution's areas, not yet asked, without a conflict, fewest open reviews first."""
    area_ids = sa.select(contribution_areas.c.area_id).where(contribution_areas.c.contribution_id == contribution.id)
    already = sa.select(ReviewerAssignment.reviewer_id).where(ReviewerAssignment.contribution_id == contribution.id)
    candidates = db.session.scalars(
        sa.select(User)
        .join(UserRole, sa.and_(UserRole.user_id == User.id, UserRole.role == "reviewer"))
        .where(User.active.is_(True))
        .where(sa.exists().where(user_areas.c.user_id == User.id, user_areas.c.area_id.in_(area_ids)))
        .where(User.id.not_in(already))
    ).all()
    workload = open_review_counts()
    eligible = [user for user in candidates if conflict_of_interest(contribution, user) is None]
    return sorted(eligible, key=lambda user: (workload.get(user.id, 0), user.id))


def assign(contribution, reviewer, assigned_by, automatic=False):
    """Assign one reviewer (does not commit); refuses conflicts of interest with the reason."""
    if not reviewers_assignable(contribution):
        raise ReviewConflict(_l("Reviewers can be assigned only while the contribution is submitted or in review."))
    if reviewer is None or not reviewer.active or not reviewer.has_role("reviewer"):
        raise ReviewInputError(_l("This user is not an active reviewer."), {"user_id": _l("Not a reviewer.")})
    reason = conflict_of_interest(contribution, reviewer)
    if reason:
        raise ConflictOfInterest(_l("Conflict of interest: %(reason)s", reason=reason))
    existing = db.session.scalar(
        sa.select(ReviewerAssignment).where(
            ReviewerAssignment.contribution_id == contribution.id, ReviewerAssignment.reviewer_id == reviewer.id
        )
    )
    if existing is not None:
        if existing.declined_at is None:
            raise ReviewConflict(_l("%(name)s is already assigned.", name=reviewer.display_name))
        raise ReviewConflict(_l("%(name)s declined this review.", name=reviewer.display_name))
    assignment = ReviewerAssignment(
        contribution_id=contribution.id,
        reviewer_id=reviewer.id,
        assigned_by_id=assigned_by.id if assigned_by else None,
        due_at=utcnow() + timedelta(days=current_app.config["REVIEW_DUE_DAYS"]),
        automatic=automatic,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def reviewers_to_add(contribution):
    """How many more reviewers reach REVIEWERS_PER_CONTRIBUTION, and the eligible ones (fewest open reviews first)."""
    missing = current_app.config["REVIEWERS_PER_CONTRIBUTION"] - len(assignments(contribution))
    if missing <= 0:
        return 0, []
    return missing, eligible_reviewers(contribution)


def top_up(contribution, assigned_by):
    """Assign automatically until REVIEWERS_PER_CONTRIBUTION reviewers are assigned; refuses if too few are eligible."""
    missing, candidates = reviewers_to_add(contribution)
    if missing <= 0:
        return []
    if len(candidates) < missing:
        raise NotEnoughReviewers(
            _l(
                "Not enough eligible reviewers: %(wanted)d needed, %(found)d available without a conflict of interest in the contribution's areas.",
                wanted=missing,
                found=len(candidates),
            )
        )
    return [assign(contribution, reviewer, assigned_by, automatic=True) for reviewer in candidates[:missing]]


def reviews_of(contribution, revision=None):
    query = sa.select(Review).where(Review.contribution_id == contribution.id)
    if revision is not None:
        query = query.where(Review.revision == revision)
    return db.session.scalars(query.order_by(Review.revision, Review.created_at)).all()


def completed_reviews(contribution):
    """Reviews of the current revision by reviewers still assigned."""
    assigned = {assignment.reviewer_id for assignment in assignments(contribution)}
    return [review for review in reviews_of(contribution, contribution.revision) if review.reviewer_id in assigned]


def validate_review(payload):
    errors, cleaned = {}, {}
    recommendation = payload.get("recommendation")
    if recommendation not in RECOMMENDATIONS:
        errors["recommendation"] = _l("Choose one of: %(choices)s.", choices=", ".join(RECOMMENDATIONS))
    else:
        cleaned["recommendation"] = recommendation
    scores = payload.get("scores") or {}
    if not isinstance(scores, dict):
        errors["scores"] = _l("Give relevance, evidence and urgency from 1 to 5.")
        scores = {}
    for score in SCORES:
        value = scores.get(score)
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 4:
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            errors[f"scores.{score}"] = _l("A score from 1 to 5 is required.")
        else:
            cleaned[score] = value
    for text_field in ("comment_to_author", "confidential_comment"):
        value = payload.get(text_field) or ""
        if not isinstance(value, str) or len(value) > 20000:
            errors[text_field] = _l("Text of at most 20,000 characters.")
        else:
            cleaned[text_field] = clean_plain_text(value)
    if cleaned.get("recommendation") in (REVISE, REJECT) and not cleaned.get("comment_to_author"):
        errors["comment_to_author"] = _l("Tell the author why.")
    if errors:
        raise ReviewInputError(_l("Some answers are not valid."), errors)
    return cleaned


def _accept_by_reviewing(contribution, reviewer):
    """Writing a review accepts the request to review (also through the API, which has no separate acceptance)."""
    assignment = open_assignment(contribution, reviewer)
    if assignment is not None and assignment.accepted_at is None:
        assignment.accepted_at = utcnow()


def submit_review(contribution, reviewer, payload):
    """Create or update the reviewer's review of the current revision (until the decision)."""
    if open_assignment(contribution, reviewer) is None:
        raise ReviewForbidden(_l("You are not assigned to review this contribution."))
    if not reviews_open(contribution):
        raise ReviewConflict(_l("Reviews can be written or changed only while the contribution is in review."))
    cleaned = validate_review(payload)
    review = db.session.scalar(
        sa.select(Review).where(
            Review.contribution_id == contribution.id, Review.reviewer_id == reviewer.id, Review.revision == contribution.revision
        )
    )
    created = review is None
    was_ready = created and editor_events.ready_for_decision(contribution)
    try:
        with unit_of_work():
            if created:
                review = Review(contribution_id=contribution.id, reviewer_id=reviewer.id, revision=contribution.revision)
                db.session.add(review)
            for key, value in cleaned.items():
                setattr(review, key, value)
            _accept_by_reviewing(contribution, reviewer)
            db.session.flush()
            if created:
                # The area editors are told once (after the commit): a review arrived, or it is ready for a decision.
                editor_events.review_arrived(contribution, review, was_ready)
    except sa.exc.IntegrityError:
        # The same review sent twice at once: the unit rolled back, and the other copy, stored first, is updated.
        with unit_of_work():
            review = own_review(contribution, reviewer)
            if review is None:
                raise
            for key, value in cleaned.items():
                setattr(review, key, value)
        created = False
    return review, created


def can_see_reviewer_names(user, contribution):
    """Editors of the contribution's areas and admins see who reviewed; authors never do."""
    return bool(user and user.is_authenticated and (user.has_role("admin") or contributions.is_area_editor(user, contribution)))


def reviews_visible_to(user, contribution):
    """The reviews `user` may read on this contribution, as dicts shaped for pages and the API.

    Editors and admins: every review with names and confidential comments.
    The author: reviews without reviewer names or confidential comments.
    An assigned reviewer: their own reviews. Anyone else: none.
    """
    if user is None or not user.is_authenticated:
        return []
    full = can_see_reviewer_names(user, contribution)
    is_author = contribution.author_id == user.id
    shown = []
    for number, review in enumerate(reviews_of(contribution), start=1):
        own = review.reviewer_id == user.id
        if not (full or is_author or own):
            continue
        entry = {
            "id": review.id,
            "label": f"#{number}",
            "revision": review.revision,
            "recommendation": review.recommendation,
            "scores": {score: getattr(review, score) for score in SCORES},
            "average": review.average,
            "comment_to_author": review.comment_to_author,
            "updated_at": review.updated_at,
        }
        if full or own:
            entry["reviewer_id"] = review.reviewer_id
            entry["reviewer_name"] = review.reviewer.display_name
            entry["confidential_comment"] = review.confidential_comment
        shown.append(entry)
    return shown


# --- assignment with notification, for pages and the API -------------------------


def can_manage_reviewers(user, contribution):
    """Editors of one of the contribution's areas and admins assign reviewers."""
    return can_see_reviewer_names(user, contribution)


def _tell_assigned(contribution, new_assignments):
    """Each new reviewer is asked to review (app/reviews/asking.py): the request's e-mail, in their language."""
    asking.ask(contribution, new_assignments)


def assign_reviewers(contribution, acting_user, reviewer=None, automatic=False):
    """Assign one named reviewer or top up automatically, and tell them, in one unit of work. Returns the new assignments."""
    if not can_manage_reviewers(acting_user, contribution):
        raise ReviewForbidden(_l("Only editors of the contribution's areas assign reviewers."))
    try:
        with unit_of_work():
            if automatic:
                if not reviewers_assignable(contribution):
                    raise ReviewConflict(_l("Reviewers can be assigned only while the contribution is submitted or in review."))
                created = top_up(contribution, acting_user)
            else:
                created = [assign(contribution, reviewer, acting_user)]
            _tell_assigned(contribution, created)
    except sa.exc.IntegrityError:
        # The same reviewer assigned twice at once: the pair is unique, and the other request won.
        raise ReviewConflict(_l("This reviewer was assigned by someone else at the same moment.")) from None
    return created


def assignments_of(reviewer):
    """The reviewer's assignments with their contributions (one query), newest first."""
    return db.session.scalars(
        sa.select(ReviewerAssignment)
        .options(joinedload(ReviewerAssignment.contribution))
        .where(ReviewerAssignment.reviewer_id == reviewer.id)
        .order_by(ReviewerAssignment.assigned_at.desc())
    ).all()


def own_review(contribution, reviewer):
    return db.session.scalar(
        sa.select(Review).where(
            Review.contribution_id == contribution.id, Review.reviewer_id == reviewer.id, Review.revision == contribution.revision
        )
    )


def overdue_assignments(now=None):
    """Open assignments past their due date on contributions in review, not yet reviewed at the current revision."""
    now = now or utcnow()
    reviewed = sa.exists().where(
        Review.contribution_id == ReviewerAssignment.contribution_id,
        Review.reviewer_id == ReviewerAssignment.reviewer_id,
        Review.revision == Contribution.revision,
    )
    return db.session.scalars(
        sa.select(ReviewerAssignment)
        .join(Contribution, Contribution.id == ReviewerAssignment.contribution_id)
        .where(
            ReviewerAssignment.declined_at.is_(None),
            ReviewerAssignment.due_at < now,
            Contribution.state.in_(_states("reviewable")),
            ~reviewed,
        )
        .order_by(ReviewerAssignment.id)
    ).all()


def remind_overdue(now=None):
    """E-mail each overdue reviewer at most once a day; safe to run as often as cron likes. Returns how many were sent."""
    now = now or utcnow()
    sent = 0
    for assignment in overdue_assignments(now):
        last = assignment.last_reminded_at
        if last is not None and as_utc(last) > now - timedelta(days=1):
            continue
        if _remind(assignment, now):
            sent += 1
    return sent


@transactional
def _remind(assignment, now):
    """One reminder in its own unit of work: claimed first, so two runs at once send one e-mail."""
    claimed = db.session.execute(
        sa.update(ReviewerAssignment)
        .where(ReviewerAssignment.id == assignment.id)
        .where(sa.or_(ReviewerAssignment.last_reminded_at.is_(None), ReviewerAssignment.last_reminded_at <= now - timedelta(days=1)))
        .values(last_reminded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    contribution = assignment.contribution
    notify(
        [assignment.reviewer],
        "review_overdue",
        str(_l("Your review of “%(title)s” was due on %(date)s.", title=contribution.title, date=dates.format_day(assignment.due_at))),
        link=external_url("reviews.review", assignment_id=assignment.id),
    )
    return True


# --- the editor's desk ---------------------------------------------------------------


def desk_areas(user):
    """The areas whose desk `user` sees: an editor's own areas; every area for admins."""
    if user.has_role("admin"):
        return thematic_areas()
    if user.has_role("editor"):
        return list(user.areas)
    return []


def desk(user, now=None):
    """Per area: awaiting screening, reviews outstanding, reviews overdue, ready for a decision. A few grouped queries."""
    now = now or utcnow()
    areas = desk_areas(user)
    if not areas:
        return []
    area_ids = [area.id for area in areas]
    rows = db.session.execute(
        sa.select(Contribution, contribution_areas.c.area_id)
        .join(contribution_areas, contribution_areas.c.contribution_id == Contribution.id)
        .where(contribution_areas.c.area_id.in_(area_ids), Contribution.state.in_(_states("desk")))
        .order_by(Contribution.submitted_at, Contribution.id)
    ).all()
    contribution_ids = {contribution.id for contribution, _area in rows}
    open_assignments = (
        db.session.scalars(
            sa.select(ReviewerAssignment).where(
                ReviewerAssignment.contribution_id.in_(contribution_ids), ReviewerAssignment.declined_at.is_(None)
            )
        ).all()
        if contribution_ids
        else []
    )
    reviews = (
        db.session.execute(
            sa.select(Review.contribution_id, Review.reviewer_id, Review.revision).where(Review.contribution_id.in_(contribution_ids))
        ).all()
        if contribution_ids
        else []
    )
    reviewed = {(row.contribution_id, row.reviewer_id, row.revision) for row in reviews}
    needed = current_app.config["MIN_REVIEWS"]
    by_area = {area.id: {"area": area, "screening": [], "outstanding": [], "overdue": [], "ready": []} for area in areas}
    screening = set(_states("screening"))
    for contribution, area_id in rows:
        section = by_area[area_id]
        if contribution.state in screening:
            section["screening"].append(contribution)
            continue
        mine = [a for a in open_assignments if a.contribution_id == contribution.id]
        done = [a for a in mine if (contribution.id, a.reviewer_id, contribution.revision) in reviewed]
        waiting = [a for a in mine if a not in done]
        if len(done) >= needed:
            section["ready"].append(contribution)
        if waiting:
            section["outstanding"].append((contribution, waiting))
        late = [a for a in waiting if as_utc(a.due_at) < now]
        if late:
            section["overdue"].append((contribution, late))
    return list(by_area.values())


def decision_summary(contribution):
    """Reviews of the current revision side by side, with the average of each score."""
    current = list(reviews_of(contribution, contribution.revision))
    averages = {score: round(sum(getattr(review, score) for review in current) / len(current), 2) if current else None for score in SCORES}
    return {"reviews": current, "averages": averages}


# --- who may do what, and finding what a page is about (views run no queries) ---------


def can_review(user):
    """Reviewers have a list of their assignments."""
    return bool(user and user.is_authenticated and user.has_role("reviewer"))


def can_use_desk(user):
    """Editors and admins have the editor's desk."""
    return bool(user and user.is_authenticated and user.has_role("editor", "admin"))


def can_write_review(user, assignment):
    """The assigned reviewer writes or changes their review while the assignment is open and reviews are open."""
    return bool(
        user
        and user.is_authenticated
        and assignment.reviewer_id == user.id
        and assignment.declined_at is None
        and reviews_open(assignment.contribution)
    )


def own_assignment(user, assignment_id):
    """The assignment if it is `user`'s; NotFound otherwise (someone else's reads as absent)."""
    assignment = db.session.get(ReviewerAssignment, assignment_id)
    if assignment is None or user is None or assignment.reviewer_id != getattr(user, "id", None):
        raise NotFound(_l("This review assignment does not exist, or it is not yours."))
    return assignment


def decidable(user, contribution_id):
    """The contribution for its decision page: NotFound unless `user` may open it, Forbidden unless they manage its reviewers."""
    contribution = contributions.contribution_for(user, contribution_id)
    if not can_manage_reviewers(user, contribution):
        raise ReviewForbidden(_l("Only editors of the contribution's areas and admins decide on it."))
    return contribution


def reviewer_by_id(user_id):
    """The user chosen as a reviewer; Invalid when there is no such user."""
    reviewer = db.session.get(User, user_id) if user_id else None
    if reviewer is None:
        raise ReviewInputError(_l("Choose a reviewer."), {"reviewer_id": _l("Choose a reviewer.")})
    return reviewer
