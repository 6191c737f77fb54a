"""Reviewer pages: assignments, the review form, declining. Thin views over app/reviews/services.py."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
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


@bp.route("/reviews/<int:assignment_id>", methods=["GET", "POST"])
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
        editable=assignment.declined_at is None and contribution.state == "in_review",
    ), status


@bp.post("/reviews/<int:assignment_id>/decline")
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
