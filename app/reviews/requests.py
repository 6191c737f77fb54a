"""Review requests, as the reviewer lives them: accept or decline being asked, "My reviews", the review page.

Being assigned is a request (app/reviews/asking.py tells the reviewer). The
reviewer accepts it, which opens the review form, or declines it with a
reason, which frees the assignment: the editors may assign someone else, and
nothing the reviewer wrote counts towards a decision's guard any more
(services.completed_reviews counts open assignments only). Writing a review
(also through the API) accepts the request.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale

from app.contributions import services as contributions
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.notifications.services import notify
from app.reviews import services
from app.reviews.asking import language_of
from app.reviews.models import ACCEPT, AGREED, ASKED, DECLINED, REJECT, REVISE, Review, ReviewerAssignment
from app.sanitising import clean_plain_text
from app.service_errors import NotFound
from app.timeutil import utcnow
from app.unit_of_work import transactional
from app.urls import external_url

REQUEST_LABELS = {
    ASKED: _l("no answer yet"),
    AGREED: _l("request accepted"),
    DECLINED: _l("request declined"),
}

RECOMMENDATION_LABELS = {ACCEPT: _l("Accept"), REVISE: _l("Ask for changes"), REJECT: _l("Reject")}

# The groups of "My reviews", in the order the page shows them.
TODO, DONE, DECLINED_GROUP = "todo", "done", "declined"
GROUP_LABELS = {TODO: _l("To do"), DONE: _l("Done"), DECLINED_GROUP: _l("Declined")}


def request_label(assignment):
    """The reviewer's answer to the request as words ("request accepted"), for editors' pages."""
    return REQUEST_LABELS[assignment.request_state]


def _under_way(contribution):
    """Whether the contribution's review is still going on (the workflow's `workload` states)."""
    return contributions.in_state(contribution, "workload")


def _own(user, assignment):
    return bool(user and user.is_authenticated and assignment.reviewer_id == user.id)


def _reviewed_current(assignment):
    contribution = assignment.contribution
    return (
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                Review.contribution_id == contribution.id,
                Review.reviewer_id == assignment.reviewer_id,
                Review.revision == contribution.revision,
            )
        )
        is not None
    )


# --- who may do what ------------------------------------------------------------------


def can_accept(user, assignment):
    """The reviewer asked accepts the request while it is unanswered and the contribution's review is going on."""
    return _own(user, assignment) and assignment.request_state == ASKED and _under_way(assignment.contribution)


def can_decline(user, assignment):
    """The reviewer declines (with a reason) while the assignment is open, the review is going on and they have not
    yet reviewed the current revision (a review given stays given: the editors see it and decide)."""
    return (
        _own(user, assignment)
        and assignment.request_state != DECLINED
        and _under_way(assignment.contribution)
        and not _reviewed_current(assignment)
    )


def can_write_review(user, assignment):
    """The review form is open to a reviewer who accepted the request, while reviews are open (services.can_write_review)."""
    return assignment.request_state == AGREED and services.can_write_review(user, assignment)


def own_request(user, contribution_id):
    """`user`'s request to review the contribution, answered or not (the API's accept and decline); NotFound when
    they were not asked."""
    assignment = db.session.scalar(
        sa.select(ReviewerAssignment).where(
            ReviewerAssignment.contribution_id == contribution_id, ReviewerAssignment.reviewer_id == getattr(user, "id", None)
        )
    )
    if assignment is None:
        raise NotFound(_l("You are not asked to review this contribution."))
    return assignment


def can_read_contribution(user, assignment):
    """The review page shows the contribution to a reviewer whose request is not declined (declining gives up reading it)."""
    return _own(user, assignment) and assignment.request_state != DECLINED


# --- answering ----------------------------------------------------------------------------


@transactional
def accept(user, assignment):
    if not can_accept(user, assignment):
        raise services.ReviewConflict(_l("This request cannot be accepted now."))
    assignment.accepted_at = utcnow()
    return assignment


@transactional
def decline(user, assignment, reason):
    """The reviewer declines, saying why; the area editors are told, each in their language, once the unit commits."""
    reason = clean_plain_text(reason or "").strip()
    if not reason:
        raise services.ReviewInputError(_l("Say why you decline."), {"reason": _l("Say why you decline.")})
    if len(reason) > 5000:
        raise services.ReviewInputError(_l("Some answers are not valid."), {"reason": _l("Text of at most 5,000 characters.")})
    if not can_decline(user, assignment):
        raise services.ReviewConflict(_l("This request cannot be declined now."))
    assignment.declined_at = utcnow()
    assignment.decline_reason = reason
    contribution = assignment.contribution
    link = external_url("contributions.detail", contribution_id=contribution.id)
    for editor in contributions.area_editors(contribution):
        with force_locale(language_of(editor)):
            notify(
                [editor],
                "review_declined",
                str(
                    _l(
                        "%(name)s declined to review “%(title)s”: %(reason)s",
                        name=user.display_name,
                        title=contribution.title,
                        reason=reason,
                    )
                ),
                link=link,
                email_subject=str(_l("Review declined: “%(title)s”", title=contribution.title)),
            )
    return assignment


# --- "My reviews" -----------------------------------------------------------------------------


@dataclass
class Entry:
    assignment: object
    contribution: object
    status: str  # what the reviewer reads in the list: what is to do, or how it ended


@dataclass
class MyReviews:
    groups: dict = field(default_factory=dict)  # TODO/DONE/DECLINED_GROUP -> [Entry]

    def counts(self):
        return {key: len(entries) for key, entries in self.groups.items()}


def _entry(assignment, reviewed_revisions):
    """Which group an assignment belongs to, and its status in words."""
    contribution = assignment.contribution
    state = assignment.request_state
    if state == DECLINED:
        return DECLINED_GROUP, _l("You declined: %(reason)s", reason=assignment.decline_reason)
    under_way = _under_way(contribution)
    if state == ASKED:
        if under_way:
            return TODO, _l("Answer the request: accept or decline")
        return DONE, _l("Closed before you answered")
    if services.reviews_open(contribution):
        if contribution.revision in reviewed_revisions:
            return DONE, _l("Review submitted; you can change it until the decision")
        if any(number < contribution.revision for number in reviewed_revisions):
            return TODO, _l("Review the new revision %(n)d", n=contribution.revision)
        return TODO, _l("Write your review")
    if under_way and not reviewed_revisions:
        return TODO, _l("Accepted; the review opens when the editors send it to review")
    if under_way:
        return DONE, _l("Reviewed; the author is revising it")
    return DONE, _l("Decided; you can read your review and the decision")


def my_reviews(reviewer):
    """The reviewer's assignments grouped into to do, done and declined (newest first), in a fixed number of queries."""
    assignments = services.assignments_of(reviewer)
    reviewed = {}
    for contribution_id, revision in db.session.execute(
        sa.select(Review.contribution_id, Review.revision).where(Review.reviewer_id == reviewer.id)
    ):
        reviewed.setdefault(contribution_id, set()).add(revision)
    result = MyReviews(groups={TODO: [], DONE: [], DECLINED_GROUP: []})
    for assignment in assignments:
        group, status = _entry(assignment, reviewed.get(assignment.contribution_id, set()))
        result.groups[group].append(Entry(assignment, assignment.contribution, str(status)))
    return result


# --- the review page ---------------------------------------------------------------------------


@dataclass
class Decision:
    """A step that ended a review round (it left a state where reviews are open), with its letter to the author."""

    revision: int
    label: str
    at: object
    letter: str


def decisions(contribution):
    """The steps that ended review rounds, oldest first (the workflow's `reviewable` flag tells which)."""
    workflow = contributions.workflow()
    ended = []
    for entry in contributions.history(contribution):
        if workflow.state_has(entry.from_state, "reviewable") and not workflow.state_has(entry.to_state, "reviewable"):
            label = workflow.transitions[entry.transition].history_label
            ended.append(Decision(entry.revision or 1, label, entry.at, entry.comment))
    return ended


def own_reviews(contribution, reviewer):
    """The reviewer's reviews of the contribution, by revision (oldest first)."""
    return db.session.scalars(
        sa.select(Review).where(Review.contribution_id == contribution.id, Review.reviewer_id == reviewer.id).order_by(Review.revision)
    ).all()


@dataclass
class ReviewPage:
    assignment: object
    contribution: object
    request_state: str
    declined: bool
    can_accept: bool
    can_decline: bool
    can_write: bool
    shows_contribution: bool
    current_review: object  # their review of the current revision, or None
    earlier_reviews: list  # their reviews of earlier revisions, newest first
    reviewed_revision: int | None  # the latest earlier revision they reviewed (the diff starts there)
    decisions: list
    gaps: list  # the capability gaps a technology addresses, those the reviewer may open
    attachments: list


def review_page(user, assignment):
    """What the review page shows `user` (whose assignment it is: services.own_assignment)."""
    contribution = assignment.contribution
    shows = can_read_contribution(user, assignment)
    reviews = own_reviews(contribution, user) if shows else []
    current = next((review for review in reviews if review.revision == contribution.revision), None)
    earlier = sorted((review for review in reviews if review.revision < contribution.revision), key=lambda r: -r.revision)
    return ReviewPage(
        assignment=assignment,
        contribution=contribution,
        request_state=assignment.request_state,
        declined=assignment.request_state == DECLINED,
        can_accept=can_accept(user, assignment),
        can_decline=can_decline(user, assignment),
        can_write=can_write_review(user, assignment),
        shows_contribution=shows,
        current_review=current,
        earlier_reviews=earlier,
        reviewed_revision=earlier[0].revision if earlier else None,
        decisions=decisions(contribution) if shows else [],
        gaps=contributions.visible_among(user, contribution.addressed_gaps) if shows else [],
        attachments=[attachment for attachment in contribution.attachments if attachment.removed_at is None] if shows else [],
    )
