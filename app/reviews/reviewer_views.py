"""Reviewer pages: "My reviews", the review page (the request, the whole contribution, the form), accepting and
declining a request. Thin views over app/reviews/requests.py and services.py; they join the reviews blueprint."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.contributions import services as contribution_services
from app.forms import show_service_error
from app.i18n import gettext as _
from app.reviews import requests, services
from app.reviews.blueprint import bp
from app.reviews.forms import AcceptForm, DeclineForm, ReviewForm


@bp.app_template_global("review_request_label")
def review_request_label(assignment):
    """The reviewer's answer to a request, as a word, for editors' pages (requests.request_label)."""
    return requests.request_label(assignment)


@bp.get("/reviews")
@login_required
def index():
    if not services.can_review(current_user):
        abort(403)
    mine = requests.my_reviews(current_user)
    return render_template(
        "reviews/index.html",
        groups=[(key, requests.GROUP_LABELS[key], mine.groups[key]) for key in (requests.TODO, requests.DONE, requests.DECLINED_GROUP)],
        workflow=contribution_services.workflow(),
    )


def _fill_from(form, review):
    form.recommendation.data = review.recommendation
    for score in ("relevance", "evidence", "urgency"):
        getattr(form, score).data = str(getattr(review, score))
    form.comment_to_author.data = review.comment_to_author
    form.confidential_comment.data = review.confidential_comment


def _render(assignment, form=None, decline_form=None, status=200):
    page = requests.review_page(current_user, assignment)
    if form is None:
        form = ReviewForm(formdata=None)
        if page.current_review is not None:
            _fill_from(form, page.current_review)
    contribution = page.contribution
    # Beside the diff: what the author told the reviewers with the revisions since the one this reviewer reviewed.
    responses = (
        contribution_services.responses_to_reviewers(contribution, after=page.reviewed_revision, up_to=contribution.revision)
        if page.shows_contribution and page.reviewed_revision
        else []
    )
    return render_template(
        "reviews/review.html",
        page=page,
        assignment=assignment,
        contribution=contribution,
        spec=contribution.type_spec,
        form=form,
        accept_form=AcceptForm(formdata=None),
        decline_form=decline_form or DeclineForm(formdata=None),
        workflow=contribution_services.workflow(),
        recommendation_labels=requests.RECOMMENDATION_LABELS,
        responses=responses,
    ), status


@bp.get("/reviews/<id:assignment_id>")
@login_required
def review(assignment_id):
    return _render(services.own_assignment(current_user, assignment_id))


@bp.post("/reviews/<id:assignment_id>")
@login_required
def save_review(assignment_id):
    assignment = services.own_assignment(current_user, assignment_id)
    form = ReviewForm()
    if not requests.can_write_review(current_user, assignment):
        if requests.can_accept(current_user, assignment):
            flash(_("Accept the request before you write your review."), "error")
        else:
            flash(_("This review can no longer be changed."), "error")
        return _render(assignment, status=409)
    if not form.validate_on_submit():
        return _render(assignment, form=form, status=422)
    payload = {
        "recommendation": form.recommendation.data,
        "scores": {score: int(getattr(form, score).data) for score in ("relevance", "evidence", "urgency")},
        "comment_to_author": form.comment_to_author.data or "",
        "confidential_comment": form.confidential_comment.data or "",
    }
    try:
        services.submit_review(assignment.contribution, current_user, payload)
    except services.ReviewError as error:
        # Score keys arrive as "scores.relevance"; the form's fields are named by the score alone.
        error.fields = {key.split(".")[-1]: message for key, message in error.fields.items()}
        show_service_error(form, error)
        return _render(assignment, form=form, status=error.status)
    flash(_("Your review is saved. You can change it until the editors decide."), "success")
    return redirect(url_for("reviews.review", assignment_id=assignment.id))


@bp.post("/reviews/<id:assignment_id>/accept")
@login_required
def accept(assignment_id):
    assignment = services.own_assignment(current_user, assignment_id)
    if not AcceptForm().validate_on_submit():
        abort(400)
    try:
        requests.accept(current_user, assignment)
    except services.ReviewError as error:
        flash(error.message, "error")
        return _render(assignment, status=error.status)
    flash(_("You accepted this review. Thank you: the review form is open below."), "success")
    return redirect(url_for("reviews.review", assignment_id=assignment.id, _anchor="form-heading"))


@bp.post("/reviews/<id:assignment_id>/decline")
@login_required
def decline(assignment_id):
    assignment = services.own_assignment(current_user, assignment_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render(assignment, decline_form=form, status=422)
    try:
        requests.decline(current_user, assignment, form.reason.data)
    except services.ReviewError as error:
        show_service_error(form, error)
        return _render(assignment, decline_form=form, status=error.status)
    flash(_("You declined this review; the editors are told."), "success")
    return redirect(url_for("reviews.index"))
