"""Reviewer pages: assignments, the review form, declining; the editor's desk. Thin views over app/reviews/services.py.

Views run no queries and decide no permissions: they ask the services, whose
refusals (service errors) reach the error pages through app/errors.py unless
the view shows them on its form.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.contributions import services as contribution_services
from app.contributions.forms import TransitionForm
from app.forms import select_choices, show_service_error
from app.i18n import gettext as _
from app.reviews import services
from app.reviews.forms import AssignForm, DeclineForm, ReviewForm
from app.timeutil import utcnow

bp = Blueprint("reviews", __name__)  # its command (reviews remind) is in app/cli.py


@bp.get("/reviews")
@login_required
def index():
    if not services.can_review(current_user):
        abort(403)
    return render_template(
        "reviews/index.html", assignments=services.assignments_of(current_user), workflow=contribution_services.workflow()
    )


@bp.route("/reviews/<id:assignment_id>", methods=["GET", "POST"])
@login_required
def review(assignment_id):
    assignment = services.own_assignment(current_user, assignment_id)
    contribution = assignment.contribution
    existing = services.own_review(contribution, current_user)
    form = ReviewForm()
    if not form.is_submitted() and existing is not None:
        form.recommendation.data = existing.recommendation
        for score in ("relevance", "evidence", "urgency"):
            getattr(form, score).data = str(getattr(existing, score))
        form.comment_to_author.data = existing.comment_to_author
        form.confidential_comment.data = existing.confidential_comment
    status = 200
    if form.validate_on_submit():
        payload = {
            "recommendation": form.recommendation.data,
            "scores": {score: int(getattr(form, score).data) for score in ("relevance", "evidence", "urgency")},
            "comment_to_author": form.comment_to_author.data or "",
            "confidential_comment": form.confidential_comment.data or "",
        }
        try:
            services.submit_review(contribution, current_user, payload)
        except services.ReviewError as error:
            # Score keys arrive as "scores.relevance"; the form's fields are named by the score alone.
            error.fields = {key.split(".")[-1]: message for key, message in error.fields.items()}
            show_service_error(form, error)
            status = error.status
        else:
            flash(_("Your review is saved. You can change it until the editors decide."), "success")
            return redirect(url_for("reviews.review", assignment_id=assignment.id))
    elif form.is_submitted():
        status = 422
    return render_template(
        "reviews/review.html",
        assignment=assignment,
        contribution=contribution,
        spec=contribution.type_spec,
        form=form,
        decline_form=DeclineForm(),
        existing=existing,
        editable=services.can_write_review(current_user, assignment),
    ), status


@bp.post("/reviews/<id:assignment_id>/decline")
@login_required
def decline(assignment_id):
    assignment = services.own_assignment(current_user, assignment_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        flash(_("Say why you decline."), "error")
        return redirect(url_for("reviews.review", assignment_id=assignment.id)), 303
    try:
        services.decline_and_tell(assignment.contribution, current_user, form.reason.data)
    except services.ReviewError as error:
        flash(error.message, "error")
        return redirect(url_for("reviews.review", assignment_id=assignment.id)), 303
    flash(_("You declined this review; the editors are told."), "success")
    return redirect(url_for("reviews.index"))


# --- the editor's desk ----------------------------------------------------------------


@bp.get("/desk")
@login_required
def desk():
    if not services.can_use_desk(current_user):
        abort(403)
    return render_template("reviews/desk.html", sections=services.desk(current_user), now=utcnow())


@bp.get("/desk/contributions/<id:contribution_id>")
@login_required
def decision(contribution_id):
    contribution = services.decidable(current_user, contribution_id)
    form = AssignForm()
    form.reviewer_id.choices = select_choices(
        (user.id, f"{user.display_name} ({user.organisation})") for user in services.eligible_reviewers(contribution)
    )
    return render_template(
        "reviews/decision.html",
        contribution=contribution,
        assignments=services.assignments(contribution, include_declined=True),
        summary=services.decision_summary(contribution),
        assign_form=form,
        transition_form=TransitionForm(),
        allowed=contribution_services.allowed_steps(current_user, contribution),
        workflow=contribution_services.workflow(),
        can_assign=services.reviewers_assignable(contribution),
    )


@bp.post("/desk/contributions/<id:contribution_id>/reviewers")
@login_required
def assign(contribution_id):
    contribution = services.decidable(current_user, contribution_id)
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    automatic = request.form.get("action") == "auto"
    try:
        reviewer = None if automatic else services.reviewer_by_id(form.reviewer_id.data)
        created = services.assign_reviewers(contribution, current_user, reviewer=reviewer, automatic=automatic)
    except services.ReviewError as error:
        flash(error.message, "error")
        return redirect(url_for("reviews.decision", contribution_id=contribution.id)), 303
    flash(_("Assigned: %(names)s", names=", ".join(a.reviewer.display_name for a in created) or _("nobody new")), "success")
    return redirect(url_for("reviews.decision", contribution_id=contribution.id))
