"""Project explorer pages: thin views over app/projects/explorer.py (search, a project's page, editors' changes)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_currency, get_locale
from flask_login import current_user, login_required

from app.community import services as community_services
from app.forms import show_service_error
from app.i18n import gettext as _
from app.projects import explorer
from app.projects.forms import areas_form, manual_payload, manual_project_form
from app.service_errors import Invalid

bp = Blueprint("projects", __name__)

PER_PAGE = 20


@bp.app_context_processor
def _money():
    return {"euros": lambda value: format_currency(value, "EUR") if value is not None else ""}


def _page_arg():
    try:
        return min(max(int(request.args.get("page", 1)), 1), 10**6)
    except ValueError:
        return 1


@bp.get("/projects")
def index():
    filters = explorer.clean_filters({name: request.args.getlist(name) for name in ("q", *explorer.FACETS)})
    result = explorer.search(filters, sort=request.args.get("sort", "relevance"), page=_page_arg(), per_page=PER_PAGE)
    return render_template(
        "projects/index.html",
        filters=filters,
        result=result,
        facets=explorer.FACETS,
        facet_labels=explorer.FACET_LABELS,
        sorts=explorer.SORTS,
        status_label=explorer.status_label,
        can_add=explorer.can_edit_projects(current_user),
        page_url=lambda number: url_for("projects.index", **{**request.args.to_dict(flat=False), "page": number}),
    )


def _project_page(project, form=None, status=200):
    can_correct = explorer.can_correct_areas(current_user, project)
    if form is None and can_correct:
        form = areas_form(community_services.thematic_areas(), project)
    return (
        render_template(
            "projects/detail.html",
            project=project,
            cordis_url=explorer.cordis_url(project),
            contributions=explorer.citing_contributions(current_user, project),
            reports=explorer.citing_reports(project),
            status_label=explorer.status_label,
            state_label=explorer.contribution_state_label,
            country_name=explorer.country_name,
            areas_form=form if can_correct else None,
            can_edit_facts=explorer.can_edit_facts(current_user, project),
        ),
        status,
    )


@bp.get("/projects/<id:project_id>")
def detail(project_id):
    return _project_page(explorer.get_project(project_id))


@bp.post("/projects/<id:project_id>/areas")
@login_required
def correct_areas(project_id):
    project = explorer.get_project(project_id)
    if not explorer.can_correct_areas(current_user, project):
        abort(403)
    form = areas_form(community_services.thematic_areas(), project, formdata=request.form)
    if not form.validate_on_submit():
        return _project_page(project, form, 422)
    try:
        explorer.correct_areas(current_user, project, form.areas.data or [])
    except Invalid as refusal:
        show_service_error(form, refusal)
        return _project_page(project, form, 422)
    flash(_("The thematic areas were corrected. Imports from CORDIS will keep them."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


def _countries():
    return community_services.country_choices(get_locale() or "en")


def _render_manual(form, project=None, status=200):
    return render_template("projects/form.html", form=form, project=project), status


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def create():
    if not explorer.can_edit_projects(current_user):
        abort(403)
    form = manual_project_form(
        community_services.thematic_areas(), _countries(), formdata=request.form if request.method == "POST" else None
    )
    if request.method == "GET":
        return _render_manual(form)
    if not form.validate_on_submit():
        return _render_manual(form, status=422)
    try:
        project = explorer.create_manual(current_user, manual_payload(form))
    except Invalid as refusal:
        show_service_error(form, refusal)
        return _render_manual(form, status=422)
    flash(_("The project was added."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.route("/projects/<id:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id):
    project = explorer.get_project(project_id)
    if not explorer.can_edit_facts(current_user, project):
        abort(403)
    form = manual_project_form(
        community_services.thematic_areas(), _countries(), project, formdata=request.form if request.method == "POST" else None
    )
    if request.method == "GET":
        return _render_manual(form, project)
    if not form.validate_on_submit():
        return _render_manual(form, project, 422)
    try:
        explorer.update_manual(current_user, project, manual_payload(form))
    except Invalid as refusal:
        show_service_error(form, refusal)
        return _render_manual(form, project, 422)
    flash(_("The project was saved."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))
