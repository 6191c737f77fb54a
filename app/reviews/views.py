"""The editor's desk and decision pages. Thin views over app/reviews/services.py.

The reviewer's pages (My reviews, the review page, accepting and declining a request) are in reviewer_views.py,
on the same blueprint.

Views run no queries and decide no permissions: they ask the services, whose
refusals (service errors) reach the error pages through app/errors.py unless
the view shows them on its form.
"""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.contributions import services as contribution_services
from app.converters import id_arg, optional_number
from app.forms import select_choices, show_service_error
from app.i18n import gettext as _
from app.i18n import ngettext
from app.notifications.editor_events import recommendation_label
from app.reviews import desk as desk_services
from app.reviews import (
    reviewer_views,  # noqa: F401  (the reviewer's pages join the blueprint)
    services,
)
from app.reviews.blueprint import bp
from app.reviews.desk_forms import ActionForm, DecisionForm
from app.reviews.forms import AssignForm
from app.service_errors import ServiceError
from app.timeutil import utcnow

# --- the editor's desk ----------------------------------------------------------------


@bp.get("/desk")
@login_required
def desk():
    if not services.can_use_desk(current_user):
        abort(403)
    page = desk_services.desk_page(current_user, scope=request.args.get("scope"), sort=request.args.get("sort", "date"))
    return render_template("reviews/desk.html", page=page, sorts=desk_services.SORTS, action_form=ActionForm(), now=utcnow())


@bp.post("/desk/bulk")
@login_required
def bulk():
    """Bulk actions on the chosen desk items: send to review, assign automatically, export as CSV."""
    if not services.can_use_desk(current_user):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    chosen = request.form.getlist("contribution_ids", type=id_arg)
    action = request.form.get("action")
    back = redirect(url_for("reviews.desk", scope=request.form.get("scope") or None, sort=request.form.get("sort") or None), 303)
    if not chosen:
        flash(_("Choose at least one contribution first."), "error")
        return back
    if action == "export":
        response = make_response(desk_services.export_csv(current_user, chosen))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        response.headers["Content-Disposition"] = "attachment; filename=ceris-desk.csv"
        response.headers["Cache-Control"] = "private, no-store"
        return response
    if action == "to_review":
        moved, skipped = desk_services.bulk_send_to_review(current_user, chosen)
        flash(ngettext("%(num)d contribution sent to review.", "%(num)d contributions sent to review.", moved), "success")
    elif action == "assign":
        added, skipped = desk_services.bulk_assign(current_user, chosen)
        flash(ngettext("%(num)d reviewer assigned.", "%(num)d reviewers assigned.", added), "success")
    else:
        abort(400)
    if skipped:
        flash(
            ngettext(
                "%(num)d contribution skipped: it could not take this action.",
                "%(num)d contributions skipped: they could not take this action.",
                skipped,
            ),
            "error",
        )
    return back


def _decision_page(contribution, form, status=200):
    eligible = services.eligible_reviewers(contribution)
    assign_form = AssignForm()
    assign_form.reviewer_id.choices = select_choices((user.id, f"{user.display_name} ({user.organisation})") for user in eligible)
    open_steps, blocked = desk_services.decision_options(current_user, contribution)
    form.decision.choices = select_choices((step.name, _(step.label)) for step in open_steps)
    if form.version.data in (None, ""):
        form.version.data = str(contribution.version)
    assignments = services.assignments(contribution, include_declined=True)
    rounds = desk_services.review_rounds(contribution)
    return render_template(
        "reviews/decision.html",
        contribution=contribution,
        spec=contribution.type_spec,
        assignments=assignments,
        reviewer_actions=desk_services.reviewer_actions(current_user, contribution, assignments, eligible, rounds),
        rounds=rounds,
        recommendation_label=recommendation_label,
        assign_form=assign_form,
        action_form=ActionForm(),
        form=form,
        open_steps=open_steps,
        blocked=blocked,
        letter_required_for=[_(step.label) for step in open_steps if step.comment_required],
        workflow=contribution_services.workflow(),
        can_assign=services.reviewers_assignable(contribution) and bool(eligible),
        can_assign_automatically=desk_services.can_assign_automatically(contribution, assignments, eligible),
    ), status


@bp.get("/desk/contributions/<id:contribution_id>")
@login_required
def decision(contribution_id):
    contribution = services.decidable(current_user, contribution_id)
    return _decision_page(contribution, DecisionForm(formdata=None))


@bp.post("/desk/contributions/<id:contribution_id>/decision")
@login_required
def decide(contribution_id):
    """Take the decision; a refusal stays on the decision page with the message and the letter as written."""
    contribution = services.decidable(current_user, contribution_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _decision_page(contribution, form, 422)
    try:
        desk_services.decide(
            current_user,
            contribution,
            form.decision.data,
            form.letter.data or "",
            optional_number(form.version.data),
            form.confirm.data,
        )
    except ServiceError as error:
        if error.status == 403:
            raise
        show_service_error(form, error)
        return _decision_page(contribution, form, error.status)
    flash(
        _("Decided. The state is now “%(state)s”.", state=_(contribution_services.workflow().states[contribution.state].label)), "success"
    )
    return redirect(url_for("reviews.desk"))


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


@bp.post("/desk/contributions/<id:contribution_id>/reviewers/<id:assignment_id>/remove")
@login_required
def unassign(contribution_id, assignment_id):
    """Unassign a reviewer who has not reviewed; with action=replace, the least loaded eligible reviewer takes their place."""
    contribution = services.decidable(current_user, contribution_id)
    assignment = desk_services.assignment_of(contribution, assignment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = assignment.reviewer.display_name
    try:
        replacement = desk_services.unassign(current_user, contribution, assignment, replace=request.form.get("action") == "replace")
    except services.ReviewError as error:
        flash(error.message, "error")
        return redirect(url_for("reviews.decision", contribution_id=contribution.id)), 303
    if replacement is not None:
        flash(_("%(old)s is replaced by %(new)s.", old=name, new=replacement.display_name), "success")
    else:
        flash(_("%(name)s is no longer assigned.", name=name), "success")
    return redirect(url_for("reviews.decision", contribution_id=contribution.id), 303)
