"""Contribution pages: thin views over app/contributions/services.py."""
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.community import services as community_services
from app.community.models import Network
from app.contributions import services
from app.contributions.forms import TransitionForm, contribution_form, form_field_name, payload_from
from app.contributions.models import STATES
from app.contributions.types import TYPES
from app.contributions.validation import ContributionInputError
from app.converters import id_arg, optional_number
from app.extensions import db
from app.i18n import gettext as _
from app.projects.models import Project
from app.reviews import services as review_services
from app.workflow import TransitionError
from app.workshops.models import Workshop

bp = Blueprint("contributions", __name__)

PER_PAGE = 20


def _visible_or_404(contribution_id):
    contribution = services.get_visible(current_user, contribution_id)
    if contribution is None:
        abort(404)
    return contribution


def _project_choices(linked, query):
    """Projects already linked plus those matching the picker's search (never the whole database)."""
    projects = {project.id: project for project in linked}
    query = (query or "").strip()
    if query:
        pattern = f"%{query.replace('%', '').replace('_', '')}%"
        for project in db.session.scalars(
            sa.select(Project)
            .where(sa.or_(Project.acronym.ilike(pattern), Project.title.ilike(pattern)))
            .order_by(Project.acronym)
            .limit(20)
        ):
            projects.setdefault(project.id, project)
    return sorted(projects.values(), key=lambda project: project.acronym)


def _build_form(spec, contribution=None, formdata=None):
    linked_ids = request.form.getlist("project_ids", type=id_arg) if formdata is not None else [p.id for p in (contribution.projects if contribution else [])]
    linked = db.session.scalars(sa.select(Project).where(Project.id.in_(linked_ids))).all() if linked_ids else []
    networks = current_user.networks or community_services.networks()
    if contribution is not None and contribution.network is not None and contribution.network not in networks:
        networks = [*networks, contribution.network]
    gaps, _total = services.list_visible(current_user, type="capability_gap", per_page=100)
    gap_choices = [(gap.id, gap.title) for gap in gaps if contribution is None or gap.id != contribution.id]
    workshops = db.session.scalars(sa.select(Workshop).order_by(Workshop.held_on.desc().nulls_last()).limit(200)).all()
    return contribution_form(
        spec,
        community_services.thematic_areas(),
        networks,
        workshops,
        _project_choices(linked, request.form.get("project_q") if formdata is not None else None),
        gap_choices,
        formdata=formdata,
        contribution=contribution,
    )


def _show_errors(form, error):
    for key, message in error.fields.items():
        field = getattr(form, form_field_name(key), None)
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(f"{key}: {message}")


def _render_form(spec, form, contribution=None, status=200):
    missing = services.completeness(contribution) if contribution is not None else {}
    return (
        render_template(
            "contributions/form.html",
            spec=spec,
            form=form,
            contribution=contribution,
            missing={form_field_name(key): message for key, message in missing.items()},
        ),
        status,
    )


@bp.get("/contributions/new")
@login_required
def choose_type():
    if not services.may_create(current_user):
        abort(403)
    return render_template("contributions/choose_type.html", types=TYPES.values())


@bp.route("/contributions/new/<type_code>", methods=["GET", "POST"])
@login_required
def create(type_code):
    if not services.may_create(current_user):
        abort(403)
    spec = TYPES.get(type_code) or abort(404)
    if request.method == "GET":
        return _render_form(spec, _build_form(spec))
    form = _build_form(spec, formdata=request.form)
    if not form.validate_on_submit():
        return _render_form(spec, form, status=422)
    if request.form.get("action") == "search_projects":
        return _render_form(spec, form)
    try:
        contribution, created = services.create_draft_once(current_user, payload_from(form, spec), form.creation_key.data or None)
    except ContributionInputError as error:
        db.session.rollback()
        _show_errors(form, error)
        return _render_form(spec, form, status=422)
    if not created:
        # The same form posted again (a double click, a resent page): its draft exists already.
        endpoint = "contributions.edit" if services.can_edit(current_user, contribution) else "contributions.detail"
        return redirect(url_for(endpoint, contribution_id=contribution.id))
    return _after_save(contribution, form)


@bp.route("/contributions/<id:contribution_id>/edit", methods=["GET", "POST"])
@login_required
def edit(contribution_id):
    contribution = _visible_or_404(contribution_id)
    try:
        services.check_editable(current_user, contribution)
    except services.ContributionForbidden:
        abort(403)
    except services.ContributionConflict as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("contributions.detail", contribution_id=contribution.id))
    spec = contribution.type_spec
    if request.method == "GET":
        return _render_form(spec, _build_form(spec, contribution), contribution)
    form = _build_form(spec, contribution, formdata=request.form)
    if not form.validate_on_submit():
        return _render_form(spec, form, contribution, status=422)
    if request.form.get("action") == "search_projects":
        return _render_form(spec, form, contribution)
    version = optional_number(form.version.data)
    try:
        services.update(contribution, current_user, payload_from(form, spec), expected_version=version)
    except ContributionInputError as error:
        db.session.rollback()
        _show_errors(form, error)
        return _render_form(spec, form, contribution, status=422)
    except services.ContributionConflict as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _render_form(spec, form, contribution, status=409)
    return _after_save(contribution, form)


def _after_save(contribution, form):
    action = request.form.get("action")
    if action in ("submit", "resubmit"):
        try:
            services.transition(contribution, action, current_user, expected_version=contribution.version)
        except TransitionError as error:
            flash(_("Saved, but not sent: %(reason)s", reason=error.message), "error")
            return redirect(url_for("contributions.edit", contribution_id=contribution.id))
        flash(_("Your contribution is submitted. Editors of its thematic areas are told."), "success")
        return redirect(url_for("contributions.detail", contribution_id=contribution.id))
    flash(_("Saved."), "success")
    return redirect(url_for("contributions.edit", contribution_id=contribution.id))


@bp.get("/contributions/<id:contribution_id>")
@login_required
def detail(contribution_id):
    contribution = _visible_or_404(contribution_id)
    allowed = services.allowed_transitions(current_user, contribution)
    workflow = services.workflow()
    solutions = [item for item in contribution.solutions if services.can_view(current_user, item)]
    gaps = [item for item in contribution.addressed_gaps if services.can_view(current_user, item)]
    return render_template(
        "contributions/detail.html",
        contribution=contribution,
        spec=contribution.type_spec,
        history=services.history(contribution),
        allowed=[workflow.transitions[name] for name in allowed],
        workflow=workflow,
        transition_form=TransitionForm(),
        reviews=review_services.reviews_visible_to(current_user, contribution),
        solutions=solutions,
        gaps=gaps,
        can_edit=services.can_edit(current_user, contribution),
        missing=services.completeness(contribution) if contribution.state in services.EDITABLE_STATES else {},
    )


@bp.get("/contributions/<id:contribution_id>/diff")
@login_required
def diff(contribution_id):
    from app.contributions.diff import compare

    contribution = _visible_or_404(contribution_id)
    numbers = [revision.number for revision in contribution.revisions]
    if len(numbers) < 2:
        abort(404)
    old_number = request.args.get("from", numbers[-2], type=id_arg)
    new_number = request.args.get("to", numbers[-1], type=id_arg)
    old, new = services.revision(contribution, old_number), services.revision(contribution, new_number)
    if old is None or new is None:
        abort(404)
    return render_template(
        "contributions/diff.html", contribution=contribution, old=old, new=new, changes=compare(old, new), numbers=numbers
    )


@bp.post("/contributions/<id:contribution_id>/transitions")
@login_required
def apply_transition(contribution_id):
    contribution = _visible_or_404(contribution_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    version = optional_number(form.version.data)
    try:
        services.transition(contribution, form.transition.data, current_user, comment=form.comment.data, expected_version=version)
    except TransitionError as error:
        if error.status == 403:
            abort(403)
        flash(error.message, "error")
        for field, message in (error.fields or {}).items():
            flash(f"{field}: {message}", "error")
        return redirect(url_for("contributions.detail", contribution_id=contribution.id)), 303
    flash(_("Done: %(state)s.", state=_(services.workflow().states[contribution.state].label)), "success")
    return redirect(url_for("contributions.detail", contribution_id=contribution.id))


def _date(value, end=False):
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None
    moment = datetime.combine(day, time.min, tzinfo=timezone.utc)
    return moment + timedelta(days=1) if end else moment


@bp.get("/contributions/mine")
@login_required
def mine():
    page = max(request.args.get("page", 1, type=id_arg), 1)
    items, total = services.list_visible(current_user, author_id=current_user.id, sort="updated", page=page, per_page=PER_PAGE)
    return render_template("contributions/mine.html", items=items, total=total, page=page, per_page=PER_PAGE, workflow=services.workflow(), types=TYPES)


@bp.get("/contributions")
@login_required
def index():
    args = request.args
    page = max(args.get("page", 1, type=id_arg), 1)
    filters = {
        "state": args.get("state") if args.get("state") in STATES else None,
        "type": args.get("type") if args.get("type") in TYPES else None,
        "area": args.get("area") or None,
        "network_id": args.get("network", type=id_arg),
        "workshop_id": args.get("workshop", type=id_arg),
        "created_from": _date(args.get("from")),
        "created_to": _date(args.get("to"), end=True),
        "q": args.get("q") or None,
        "sort": args.get("sort") if args.get("sort") in services.SORTS else "newest",
    }
    items, total = services.list_visible(current_user, page=page, per_page=PER_PAGE, **filters)
    return render_template(
        "contributions/index.html",
        items=items,
        total=total,
        page=page,
        per_page=PER_PAGE,
        args=args,
        states=STATES,
        types=TYPES,
        areas=community_services.thematic_areas(),
        networks=db.session.scalars(sa.select(Network).order_by(Network.name)).all(),
        workshops=db.session.scalars(sa.select(Workshop).order_by(Workshop.held_on.desc().nulls_last()).limit(200)).all(),
        workflow=services.workflow(),
        sorts=services.SORTS,
    )


# --- attachments -------------------------------------------------------------------

@bp.post("/contributions/<id:contribution_id>/attachments")
@login_required
def upload_attachment(contribution_id):
    from flask import g

    from app.contributions import attachments

    contribution = _visible_or_404(contribution_id)
    # Refuse an oversized body before reading it, stating the attachment limit.
    g.upload_limit = attachments.limit_bytes()
    request.max_content_length = attachments.limit_bytes() + 64 * 1024
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        attachment = attachments.add(contribution, current_user, request.files.get("file"))
    except attachments.AttachmentError as error:
        if error.status == 413:
            abort(413)
        flash(error.message, "error")
        spec = contribution.type_spec
        return _render_form(spec, _build_form(spec, contribution), contribution, status=422)
    flash(_("Attached: %(name)s", name=attachment.filename), "success")
    return redirect(url_for("contributions.edit", contribution_id=contribution.id))


@bp.get("/contributions/<id:contribution_id>/attachments/<id:attachment_id>")
@login_required
def download_attachment(contribution_id, attachment_id):
    from flask import send_file

    from app.contributions import attachments

    contribution = _visible_or_404(contribution_id)
    attachment = attachments.find(contribution, attachment_id) or abort(404)
    response = send_file(
        attachments.path_of(attachment),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/contributions/<id:contribution_id>/attachments/<id:attachment_id>/remove")
@login_required
def remove_attachment(contribution_id, attachment_id):
    from app.contributions import attachments

    contribution = _visible_or_404(contribution_id)
    attachment = attachments.find(contribution, attachment_id) or abort(404)
    if not TransitionForm().validate_on_submit():
        abort(400)
    try:
        attachments.remove(contribution, current_user, attachment)
    except attachments.AttachmentError as error:
        flash(error.message, "error")
        return redirect(url_for("contributions.detail", contribution_id=contribution.id)), 303
    flash(_("Removed: %(name)s", name=attachment.filename), "success")
    return redirect(url_for("contributions.edit", contribution_id=contribution.id))
