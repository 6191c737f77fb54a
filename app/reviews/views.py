"""Reviewer pages: assignments, the review form, declining. Thin views over app/reviews/services.py."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.contributions import services as contribution_services
from app.extensions import db
from app.i18n import gettext as _
from app.reviews import services
from app.reviews.forms import DeclineForm, ReviewForm
from app.reviews.models import ReviewerAssignment

bp = Blueprint("reviews", __name__, cli_group="reviews")


@bp.cli.command("remind")
def remind_command():
    """E-mail reviewers whose reviews are overdue (at most once a day each); for cron."""
    import click

    from app.reviews.jobs import send_review_reminders

    click.echo(f"Reminders sent: {send_review_reminders()}.")


def _own_assignment_or_404(assignment_id):
    assignment = db.session.get(ReviewerAssignment, assignment_id)
    if assignment is None or assignment.reviewer_id != current_user.id:
        abort(404)
    return assignment


@bp.get("/reviews")
@login_required
def index():
    if not current_user.has_role("reviewer"):
        abort(403)
    return render_template("reviews/index.html", assignments=services.assignments_of(current_user), workflow=contribution_services.workflow())


@bp.route("/reviews/<id:assignment_id>", methods=["GET", "POST"])
@login_required
def review(assignment_id):
    assignment = _own_assignment_or_404(assignment_id)
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
            db.session.rollback()
            for key, message in error.fields.items():
                field = getattr(form, key.split(".")[-1], None)
                if field is not None:
                    field.errors = list(field.errors) + [message]
            form.form_errors.append(error.message)
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
        editable=assignment.declined_at is None and services.reviews_open(contribution),
    ), status


@bp.post("/reviews/<id:assignment_id>/decline")
@login_required
def decline(assignment_id):
    assignment = _own_assignment_or_404(assignment_id)
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
    if not current_user.has_role("editor", "admin"):
        abort(403)
    from app.community.models import utcnow

    return render_template("reviews/desk.html", sections=services.desk(current_user), now=utcnow())


def _decidable_or_error(contribution_id):
    contribution = contribution_services.get_visible(current_user, contribution_id)
    if contribution is None:
        abort(404)
    if not services.can_manage_reviewers(current_user, contribution):
        abort(403)
    return contribution


@bp.get("/desk/contributions/<id:contribution_id>")
@login_required
def decision(contribution_id):
    from app.contributions.forms import TransitionForm
    from app.reviews.forms import AssignForm

    contribution = _decidable_or_error(contribution_id)
    workflow = contribution_services.workflow()
    form = AssignForm()
    form.reviewer_id.choices = [(user.id, f"{user.display_name} ({user.organisation})") for user in services.eligible_reviewers(contribution)]
    return render_template(
        "reviews/decision.html",
        contribution=contribution,
        assignments=services.assignments(contribution, include_declined=True),
        summary=services.decision_summary(contribution),
        assign_form=form,
        transition_form=TransitionForm(),
        allowed=[workflow.transitions[name] for name in contribution_services.allowed_transitions(current_user, contribution)],
        workflow=workflow,
        can_assign=services.reviewers_assignable(contribution),
    )


@bp.post("/desk/contributions/<id:contribution_id>/reviewers")
@login_required
def assign(contribution_id):
    from app.auth.models import User
    from app.reviews.forms import AssignForm

    contribution = _decidable_or_error(contribution_id)
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    automatic = request.form.get("action") == "auto"
    reviewer = None if automatic else db.session.get(User, form.reviewer_id.data or 0)
    if not automatic and reviewer is None:
        flash(_("Choose a reviewer."), "error")
        return redirect(url_for("reviews.decision", contribution_id=contribution.id)), 303
    try:
        created = services.assign_reviewers(contribution, current_user, reviewer=reviewer, automatic=automatic)
    except services.ReviewError as error:
        flash(error.message, "error")
        return redirect(url_for("reviews.decision", contribution_id=contribution.id)), 303
    flash(_("Assigned: %(names)s", names=", ".join(a.reviewer.display_name for a in created) or _("nobody new")), "success")
    return redirect(url_for("reviews.decision", contribution_id=contribution.id))
