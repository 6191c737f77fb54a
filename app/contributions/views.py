"""Contribution pages: thin views over app/contributions/services.py.

Views run no queries and decide no permissions: they ask the services, whose
refusals (service errors) reach the error pages through app/errors.py unless
the view shows them on its form.
"""

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.community import services as community_services
from app.contributions import attachments, public, services
from app.contributions.diff import compare
from app.contributions.forms import CommonFields, TransitionForm, contribution_form, form_field_name, payload_from
from app.contributions.types import TYPES
from app.converters import id_arg, optional_number
from app.forms import show_service_error
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.reviews import services as review_services
from app.reviews.models import ACCEPT, REJECT, REVISE
from app.service_errors import Invalid, ServiceError
from app.workflow import TransitionError

bp = Blueprint("contributions", __name__)

PER_PAGE = 20
# The form's search buttons (projects, contributions a field refers to): they post the form back with what they found.
SEARCH_ACTIONS = ("search_projects", "search_contributions")
SUGGESTIONS_MAX = 20
# A reviewer's advice in words, for the author's notice.
RECOMMENDATION_WORDS = {ACCEPT: _l("Accept"), REVISE: _l("Revise"), REJECT: _l("Reject")}


def _me():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _ref_choices(spec, contribution, formdata):
    """For each field referring to other contributions: what it offers (linked ones the user may open, and the
    matches of its search field `<name>_q`), never every contribution there is."""
    choices = {}
    for spec_field in spec.fields:
        if spec_field.kind != "contribution_refs":
            continue
        if formdata is not None:
            linked = request.form.getlist(form_field_name(f"fields.{spec_field.name}"), type=id_arg)
            query = request.form.get(f"{spec_field.name}_q")
        else:
            linked = list((contribution.fields or {}).get(spec_field.name) or []) if contribution is not None else []
            query = None
        choices[spec_field.name] = services.refs_for_picker(current_user, spec_field.refers_to, linked, query, contribution)
    return choices


def _build_form(spec, contribution=None, formdata=None):
    linked_ids = (
        request.form.getlist("project_ids", type=id_arg)
        if formdata is not None
        else [p.id for p in (contribution.projects if contribution else [])]
    )
    # The call topics of the areas chosen (as posted, or as saved) are offered first.
    area_codes = request.form.getlist("thematic_areas") if formdata is not None else (contribution.area_codes if contribution else [])
    networks = current_user.networks or community_services.networks()
    if contribution is not None and contribution.network is not None and contribution.network not in networks:
        networks = [*networks, contribution.network]
    responding = contribution is not None and services.can_respond_to_reviewers(current_user, contribution)
    return contribution_form(
        spec,
        community_services.thematic_areas(),
        networks,
        services.workshops_for_form(contribution, request.form.get("workshop_id", type=id_arg) if formdata is not None else None),
        services.projects_for_picker(linked_ids, request.form.get("project_q") if formdata is not None else None),
        _ref_choices(spec, contribution, formdata),
        formdata=formdata,
        contribution=contribution,
        call_topic_groups=services.call_topics_for_choice(area_codes),
        required=services.required_to_submit(spec),
        response=services.response_being_written(contribution) if responding and formdata is None else "",
    )


def _prefilled(form):
    """A new contribution's form opened from a workshop's page (?workshop=ID&area=CODE): that workshop and areas chosen."""
    workshop_id = request.args.get("workshop", type=id_arg)
    if workshop_id and any(choice.value == workshop_id for choice in form.workshop_id.choices):
        form.workshop_id.data = workshop_id
    known = {choice.value for choice in form.thematic_areas.choices}
    codes = [code for code in request.args.getlist("area") if code in known]
    if codes:
        form.thematic_areas.data = codes
    return form


def _show_errors(form, error):
    """A refusal on the form: each message beside its field (service keys mapped to the form's names), the rest on top."""
    fields = {form_field_name(key): message for key, message in (error.fields or {}).items()}
    show_service_error(form, Invalid(error.message, fields))


def _all_problems(form, spec, contribution=None):
    """The form's own checks failed: add what the services would also refuse (and, for a step, what is missing),
    so every problem is reported at once."""
    if form.csrf_token.errors:
        return
    problems = services.answer_problems(payload_from(form, spec), then=_step_asked(), contribution=contribution)
    for key, message in problems.items():
        field = getattr(form, form_field_name(key), None)
        if field is not None and hasattr(field, "errors") and not field.errors:
            field.errors = [*field.errors, message]


def _label_of(key, spec):
    """What people call an answer named by a service key ("fields.need", "title"): its label, never the key."""
    if key.startswith("fields."):
        name = key.split(".", 1)[1]
        return next((str(field.label) for field in spec.fields if field.name == name), None)
    unbound = getattr(CommonFields, key, None)
    return str(unbound.args[0]) if unbound is not None and getattr(unbound, "args", None) else None


def _changes_notice(contribution):
    """While the author revises a contribution sent back for changes: the editor's letter and the reviews of the
    revision sent back (without reviewer names), for the notice on the contribution and edit pages; else None."""
    sent_back = services.changes_requested(current_user, contribution)
    if sent_back is None:
        return None
    reviews = [
        {**review, "recommendation_word": RECOMMENDATION_WORDS.get(review["recommendation"], review["recommendation"])}
        for review in review_services.reviews_visible_to(current_user, contribution)
        if review["revision"] == sent_back.revision
    ]
    return {"letter": sent_back.comment, "at": sent_back.at, "revision": sent_back.revision, "reviews": reviews}


def _render_form(spec, form, contribution=None, status=200):
    # Once the form reports problems, its error summary lists them all; the stored answers' list would repeat them.
    missing = services.completeness(contribution) if contribution is not None and not form.errors else {}
    return (
        render_template(
            "contributions/form.html",
            spec=spec,
            form=form,
            contribution=contribution,
            missing={form_field_name(key): message for key, message in missing.items()},
            form_steps=services.form_steps(current_user, contribution),
            notice=_changes_notice(contribution) if contribution is not None else None,
            responding=contribution is not None and services.can_respond_to_reviewers(current_user, contribution),
            can_delete=contribution is not None and services.can_delete(current_user, contribution),
        ),
        status,
    )


def _step_asked():
    """The step of the edit form the author pressed ("Save and submit"), or None for "Save draft"."""
    action = request.form.get("action")
    return action if action in services.form_step_names() else None


@bp.get("/contributions/new")
@login_required
def choose_type():
    if not services.can_create(current_user):
        abort(403)
    return render_template("contributions/choose_type.html", types=TYPES.values())


@bp.route("/contributions/new/<type_code>", methods=["GET", "POST"])
@login_required
def create(type_code):
    if not services.can_create(current_user):
        abort(403)
    spec = TYPES.get(type_code) or abort(404)
    if request.method == "GET":
        return _render_form(spec, _prefilled(_build_form(spec)))
    form = _build_form(spec, formdata=request.form)
    if not form.validate_on_submit():
        _all_problems(form, spec)
        return _render_form(spec, form, status=422)
    if request.form.get("action") in SEARCH_ACTIONS:
        return _render_form(spec, form)
    step = _step_asked()
    try:
        # Saving, the chosen files and the step are one transaction: a refused file or step stores nothing, and
        # the form keeps what was typed.
        contribution, created = attachments.with_files(
            current_user,
            request.files.getlist(form.files.name),
            lambda attach: services.create_draft_once(
                current_user, payload_from(form, spec), form.creation_key.data or None, then=step, attach=attach
            ),
        )
    except ServiceError as error:
        if error.status == 403:
            raise
        _show_errors(form, error)
        if isinstance(error, attachments.AttachmentError):
            _all_problems(form, spec)  # a refused file stopped the save before its answers were checked
        return _render_form(spec, form, status=error.status)
    if not created:
        # The same form posted again (a double click, a resent page): its draft exists already.
        endpoint = "contributions.edit" if services.can_edit(current_user, contribution) else "contributions.detail"
        return redirect(url_for(endpoint, contribution_id=contribution.id))
    return _after_save(contribution, step)


@bp.route("/contributions/<id:contribution_id>/edit", methods=["GET", "POST"])
@login_required
def edit(contribution_id):
    contribution = services.contribution_for(current_user, contribution_id)
    try:
        services.check_editable(current_user, contribution)
    except services.ContributionConflict as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("contributions.detail", contribution_id=contribution.id))
    spec = contribution.type_spec
    if request.method == "GET":
        return _render_form(spec, _build_form(spec, contribution), contribution)
    form = _build_form(spec, contribution, formdata=request.form)
    if not form.validate_on_submit():
        _all_problems(form, spec, contribution)
        return _render_form(spec, form, contribution, status=422)
    if request.form.get("action") in SEARCH_ACTIONS:
        return _render_form(spec, form, contribution)
    step = _step_asked()
    version = optional_number(form.version.data)
    response = form.response_to_reviewers.data if services.can_respond_to_reviewers(current_user, contribution) else None
    try:
        # Saving, the chosen files and the step are one transaction: a refused file or step stores nothing, and
        # the form keeps what was typed.
        attachments.with_files(
            current_user,
            request.files.getlist(form.files.name),
            lambda attach: services.update(
                contribution,
                current_user,
                payload_from(form, spec),
                expected_version=version,
                then=step,
                attach=attach,
                response=response,
            ),
        )
    except ServiceError as error:
        if error.status == 403:
            raise
        _show_errors(form, error)
        if isinstance(error, attachments.AttachmentError):
            _all_problems(form, spec, contribution)  # a refused file stopped the save before its answers were checked
        return _render_form(spec, form, contribution, status=error.status)
    return _after_save(contribution, step)


def _after_save(contribution, step):
    if step is not None:
        flash(_("Your contribution is submitted. Editors of its thematic areas are told."), "success")
        return redirect(url_for("contributions.detail", contribution_id=contribution.id))
    flash(_("Saved."), "success")
    return redirect(url_for("contributions.edit", contribution_id=contribution.id))


@bp.get("/contributions/<id:contribution_id>")
def detail(contribution_id):
    contribution = services.get_visible(_me(), contribution_id)
    if contribution is None:
        # A link from a published report reaches everyone: the revision it cites is public.
        cited = public.latest_cited_revision(contribution_id)
        if cited is not None:
            return redirect(url_for("contributions.public_revision", contribution_id=contribution_id, number=cited))
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        contribution = services.contribution_for(current_user, contribution_id)  # NotFound
    spec = contribution.type_spec
    # Members reading an accepted contribution whose review they take no part in see neither its history nor its revisions.
    follows_review = services.can_follow_review(current_user, contribution)
    return render_template(
        "contributions/detail.html",
        notice=_changes_notice(contribution),
        can_delete=services.can_delete(current_user, contribution),
        confirm_first={step.name for step in services.allowed_steps(current_user, contribution) if services.needs_confirmation(step)},
        contribution=contribution,
        spec=spec,
        follows_review=follows_review,
        history=services.history(contribution) if follows_review else [],
        allowed=services.allowed_steps(current_user, contribution),
        workflow=services.workflow(),
        transition_form=TransitionForm(),
        reviews=review_services.reviews_visible_to(current_user, contribution),
        solutions=services.visible_among(current_user, contribution.solutions),
        gaps=services.visible_among(current_user, contribution.addressed_gaps),
        can_edit=services.can_edit(current_user, contribution),
        missing=[(_label_of(key, spec), message) for key, message in services.still_needed(contribution).items()],
        call_topic_open=contribution.call_topic is not None and services.call_topic_is_open(contribution.call_topic),
    )


@bp.get("/contributions/<id:contribution_id>/diff")
@login_required
def diff(contribution_id):
    contribution = services.contribution_for(current_user, contribution_id)
    if not services.can_follow_review(current_user, contribution):
        abort(404)
    numbers = [revision.number for revision in contribution.revisions]
    if len(numbers) < 2:
        abort(404)
    old_number = request.args.get("from", numbers[-2], type=id_arg)
    new_number = request.args.get("to", numbers[-1], type=id_arg)
    old, new = services.revision(contribution, old_number), services.revision(contribution, new_number)
    if old is None or new is None:
        abort(404)
    return render_template(
        "contributions/diff.html",
        contribution=contribution,
        old=old,
        new=new,
        changes=compare(old, new),
        numbers=numbers,
        responses=services.responses_to_reviewers(contribution, after=old.number, up_to=new.number) if new.number > old.number else [],
    )


@bp.post("/contributions/<id:contribution_id>/transitions")
@login_required
def apply_transition(contribution_id):
    contribution = services.contribution_for(current_user, contribution_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    version = optional_number(form.version.data)
    try:
        services.transition(contribution, form.transition.data, current_user, comment=form.comment.data, expected_version=version)
    except TransitionError as error:
        if error.status == 403:
            raise
        flash(error.message, "error")
        for message in error.field_messages().values():
            if message != error.message:
                flash(message, "error")
        return redirect(url_for("contributions.detail", contribution_id=contribution.id)), 303
    flash(_("Done. The state is now “%(state)s”.", state=_(services.workflow().states[contribution.state].label)), "success")
    return redirect(url_for("contributions.detail", contribution_id=contribution.id))


@bp.get("/contributions/<id:contribution_id>/transitions/<name>")
@login_required
def confirm_transition(contribution_id, name):
    """The page asking to confirm a step that cannot be undone (withdrawing), also without JavaScript."""
    contribution = services.contribution_for(current_user, contribution_id)
    step = next((step for step in services.allowed_steps(current_user, contribution) if step.name == name), None)
    if step is None:
        abort(404)
    return render_template(
        "contributions/confirm_transition.html",
        contribution=contribution,
        transition=step,
        transition_form=TransitionForm(),
        workflow=services.workflow(),
    )


@bp.route("/contributions/<id:contribution_id>/delete", methods=["GET", "POST"])
@login_required
def delete(contribution_id):
    """Delete a draft that was never submitted: a confirmation page, then the deletion (POST)."""
    contribution = services.contribution_for(current_user, contribution_id)
    if not services.can_delete(current_user, contribution):
        if contribution.author_id != current_user.id:
            abort(403)
        flash(_("Only a draft that was never submitted can be deleted; withdraw it instead."), "error")
        return redirect(url_for("contributions.detail", contribution_id=contribution.id)), 303
    form = TransitionForm()
    if request.method == "GET":
        return render_template("contributions/confirm_delete.html", contribution=contribution, form=form)
    if not form.validate_on_submit():
        abort(400)
    title = contribution.title
    keys = services.delete_draft(contribution, current_user)
    attachments.remove_files(keys)
    flash(_("Deleted: %(title)s", title=title), "success")
    return redirect(url_for("contributions.mine"))


@bp.get("/contributions/<id:contribution_id>/revisions/<id:number>")
def public_revision(contribution_id, number):
    """A revision that a published report cites, for everyone (no sign-in): 404 for anything else."""
    revision = public.cited_revision(contribution_id, number)
    return render_template(
        "contributions/public_revision.html", revision=revision, can_open_full=public.can_open_full(_me(), contribution_id)
    )


@bp.get("/contributions/suggestions")
@login_required
def suggestions():
    """As-you-type suggestions for a reference field (?type=capability_gap&q=...): those the user may open, as JSON."""
    refers_to = request.args.get("type", "")
    if refers_to not in TYPES:
        abort(404)
    limit = min(max(request.args.get("per_page", 8, type=id_arg) or 8, 1), SUGGESTIONS_MAX)
    found = services.refs_for_picker(current_user, refers_to, query=request.args.get("q", ""), limit=limit)
    response = jsonify({"items": [{"id": item_id, "title": title, "label": title} for item_id, title in found]})
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _date(value, end=False):
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None
    moment = datetime.combine(day, time.min, tzinfo=UTC)
    return moment + timedelta(days=1) if end else moment


@bp.get("/contributions/mine")
@login_required
def mine():
    page = max(request.args.get("page", 1, type=id_arg), 1)
    items, total = services.list_visible(current_user, author_id=current_user.id, sort="updated", page=page, per_page=PER_PAGE)
    return render_template(
        "contributions/mine.html", items=items, total=total, page=page, per_page=PER_PAGE, workflow=services.workflow(), types=TYPES
    )


@bp.get("/contributions")
@login_required
def index():
    args = request.args
    workflow = services.workflow()
    page = max(args.get("page", 1, type=id_arg), 1)
    filters = {
        "state": args.get("state") if args.get("state") in workflow.states else None,
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
        states=workflow.state_order,
        types=TYPES,
        areas=community_services.thematic_areas(),
        networks=community_services.networks(),
        workshops=services.workshops_for_choice(),
        workflow=workflow,
        sorts=services.SORTS,
    )


# --- attachments -------------------------------------------------------------------


@bp.post("/contributions/<id:contribution_id>/attachments")
@login_required
def upload_attachment(contribution_id):
    contribution = services.contribution_for(current_user, contribution_id)
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
            abort(413)  # the request-size page states the attachment limit (g.upload_limit)
        if error.status == 403:
            raise
        spec = contribution.type_spec
        form = _build_form(spec, contribution)
        show_service_error(form, error)
        return _render_form(spec, form, contribution, status=error.status)
    flash(_("Attached: %(name)s", name=attachment.filename), "success")
    return redirect(url_for("contributions.edit", contribution_id=contribution.id))


@bp.get("/contributions/<id:contribution_id>/attachments/<id:attachment_id>")
@login_required
def download_attachment(contribution_id, attachment_id):
    contribution = services.contribution_for(current_user, contribution_id)
    attachment = attachments.attachment_of(contribution, attachment_id)
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


@bp.route("/contributions/<id:contribution_id>/attachments/<id:attachment_id>/remove", methods=["GET", "POST"])
@login_required
def remove_attachment(contribution_id, attachment_id):
    """Remove an attachment: a confirmation page (GET), then the removal (POST)."""
    contribution = services.contribution_for(current_user, contribution_id)
    attachment = attachments.attachment_of(contribution, attachment_id)
    if request.method == "GET":
        if not attachments.can_change_attachments(current_user, contribution):
            if contribution.author_id != current_user.id:
                abort(403)
            flash(_("Attachments can be changed only while the contribution can be edited."), "error")
            return redirect(url_for("contributions.detail", contribution_id=contribution.id)), 303
        return render_template(
            "contributions/confirm_remove_attachment.html", contribution=contribution, attachment=attachment, form=TransitionForm()
        )
    if not TransitionForm().validate_on_submit():
        abort(400)
    try:
        attachments.remove(contribution, current_user, attachment)
    except attachments.AttachmentError as error:
        if error.status == 403:
            raise
        flash(error.message, "error")
        return redirect(url_for("contributions.detail", contribution_id=contribution.id)), 303
    flash(_("Removed: %(name)s", name=attachment.filename), "success")
    return redirect(url_for("contributions.edit", contribution_id=contribution.id))
