"""Report pages: the public list and reading, downloads, and the editors' workspace.

Views parse forms, call app.reports.services and render; every rule lives in the services.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.auth.decorators import roles_required
from app.community import services as community_services
from app.contributions.types import TYPES
from app.forms import select_choices, show_service_error
from app.i18n import gettext as _
from app.reports import aggregation, services
from app.reports.forms import ActionForm, FilterForm, ReportDetailsForm, ReportForm, SectionAddForm, SectionForm
from app.reports.models import FILE_FORMATS, ITEM_STATUSES, KINDS

bp = Blueprint("reports", __name__)  # its command (reports retry-builds) is in app/cli.py


def _me():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.context_processor
def _helpers():
    return {
        "kind_labels": KINDS,
        "type_labels": {code: spec.name for code, spec in TYPES.items()},
        "status_labels": ITEM_STATUSES,
        "can_manage_reports": services.can_manage_reports(_me()),
    }


def _area_choices():
    return [(area.code, f"{area.code} – {area.name}") for area in community_services.thematic_areas()]


def _service_errors(form, error):
    """Put a service's refusal on the form; the services' `thematic_areas` is the form's `areas`."""
    if "thematic_areas" in error.fields:
        fields = {{"thematic_areas": "areas"}.get(name, name): message for name, message in error.fields.items()}
        error = (
            type(error)(error.message, fields)
            if not isinstance(error, services.ReportInputError)
            else services.ReportInputError(fields, error.message)
        )
    show_service_error(form, error)


def _editable_or_abort(report_id):
    """The report `report_id` if the signed-in user may edit it; 404 or 403 (app/errors.py) otherwise."""
    return services.find_editable(_me(), report_id)


def _flash_error(error):
    flash(error.message, "error")


# --- public ------------------------------------------------------------------------


@bp.get("/reports")
def index():
    form = FilterForm(request.args)
    form.area.choices = select_choices([("", _("Any thematic area")), *_area_choices()])
    area = form.area.data if form.validate() else ""
    kind = form.kind.data if form.kind.data in KINDS else ""
    page = services.published_reports(area=area or None, kind=kind or None, page=request.args.get("page", 1, type=int))
    # The public list shows each report as published, whoever reads it: draft edits stay on the editors' pages.
    shown = [services.report_view_for(None, report) for report in page.items]
    return render_template("reports/index.html", form=form, page=page, shown=shown, area=area, kind=kind)


def _read(report, version):
    document = services.version_document(version)
    if document is None:
        abort(404)
    return render_template(
        "reports/read.html",
        report=report,
        version=version,
        doc=document,
        is_latest=version is report.latest_version,
        can_edit=services.can_edit(_me(), report),
        formats=FILE_FORMATS,
        in_app=True,
    )


@bp.get("/reports/<id:report_id>")
def read(report_id):
    report = services.get_viewable(_me(), report_id)
    if report is None:
        abort(404)
    if not services.is_public(report):
        return redirect(url_for("reports.edit", report_id=report.id))
    return _read(report, report.latest_version)


@bp.get("/reports/<id:report_id>/versions/<id:number>")
def version(report_id, number):
    report = services.get_viewable(_me(), report_id)
    published = services.get_version(report, number) if report is not None else None
    if published is None:
        abort(404)
    return _read(report, published)


@bp.get("/reports/<id:report_id>/versions/<id:number>/<fmt>")
def download(report_id, number, fmt):
    report = services.get_viewable(_me(), report_id)
    published = services.get_version(report, number) if report is not None else None
    path = services.version_file(published, fmt) if published is not None else None
    if path is None:
        abort(404)
    mimetypes = {"html": "text/html", "pdf": "application/pdf", "json": "application/json"}
    response = send_file(
        path,
        mimetype=mimetypes[fmt],
        as_attachment=fmt != "html",
        download_name=services.download_name(published, fmt),
        etag=published.sha256(fmt),
        max_age=3600,
    )
    if fmt == "html":
        # The standalone document carries its own styles and no script.
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    # A published version never changes: caches may keep it.
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# --- editors' workspace ----------------------------------------------------------------


@bp.get("/reports/manage")
@roles_required("editor", "admin")
def manage():
    return render_template("reports/manage.html", reports=services.editable_reports(_me()))


@bp.route("/reports/new", methods=["GET", "POST"])
@roles_required("editor", "admin")
def new():
    form = ReportForm()
    form.areas.choices = select_choices(_area_choices())
    if request.method == "GET" and not form.areas.data:
        form.areas.data = [area.code for area in current_user.areas]
    if form.validate_on_submit():
        try:
            report = services.create_report(_me(), _report_payload(form, with_kind=True))
        except services.ReportError as error:
            _service_errors(form, error)
        else:
            flash(_("The report is created with the sections of its kind. Curate them, then publish."), "success")
            return redirect(url_for("reports.edit", report_id=report.id))
    return render_template("reports/new.html", form=form), 422 if form.errors or form.form_errors else 200


def _report_payload(form, with_kind=False):
    payload = {
        "title": form.title.data,
        "thematic_areas": form.areas.data or [],
        "period_start": form.period_start.data,
        "period_end": form.period_end.data,
    }
    if with_kind:
        payload["kind"] = form.kind.data
    return payload


def _render_edit(report, form=None, add_form=None, status=200):
    if form is None:
        form = ReportDetailsForm(
            formdata=None,
            data={"title": report.title, "areas": report.area_codes, "period_start": report.period_start, "period_end": report.period_end},
        )
    form.areas.choices = select_choices(_area_choices())
    counts = services.entries_by_section(report.sections)
    return render_template(
        "reports/edit.html",
        report=report,
        lifecycle=services.lifecycle_of(report, _me()),
        form=form,
        add_form=add_form or SectionAddForm(formdata=None),
        action=ActionForm(formdata=None),
        entries=counts,
        job=report.build_job,
    ), status


@bp.route("/reports/<id:report_id>/edit", methods=["GET", "POST"])
@roles_required("editor", "admin")
def edit(report_id):
    report = _editable_or_abort(report_id)
    if request.method == "GET":
        return _render_edit(report)
    form = ReportDetailsForm()
    form.areas.choices = select_choices(_area_choices())
    if form.validate_on_submit():
        try:
            services.update_report(report, _me(), _report_payload(form))
        except services.ReportError as error:
            _service_errors(form, error)
        else:
            flash(_("The report is saved."), "success")
            return redirect(url_for("reports.edit", report_id=report.id))
    return _render_edit(report, form=form, status=422)


@bp.post("/reports/<id:report_id>/publish")
@roles_required("editor", "admin")
def publish(report_id):
    report = _editable_or_abort(report_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        job = services.publish(report, _me())
    except services.ReportError as error:
        _flash_error(error)
        return redirect(url_for("reports.edit", report_id=report.id))
    if job.succeeded:
        flash(_("Version %(number)d is published.", number=job.params["version"]), "success")
    elif job.failed:
        flash(_("The report could not be published. See the error below."), "error")
    else:
        flash(_("The report is being built and published. This page shows its progress."), "info")
    return redirect(url_for("reports.edit", report_id=report.id))


@bp.get("/reports/<id:report_id>/analysis")
@roles_required("editor", "admin")
def analysis(report_id):
    report = _editable_or_abort(report_id)
    contributions = services.candidates(report)
    gaps = [contribution for contribution in contributions if contribution.type == "capability_gap"]
    solutions = [contribution for contribution in contributions if contribution.type == "technology"]
    matrix = aggregation.gap_solution_matrix(gaps, solutions)
    return render_template(
        "reports/analysis.html",
        report=report,
        ranking=aggregation.gap_ranking(gaps),
        ranking_by_priority=aggregation.gap_ranking(gaps, by="priority"),
        matrix=matrix,
        matrix_svg=aggregation.matrix_svg(
            matrix,
            _("Capability gaps and the solutions addressing them"),
            _(
                "Rows are capability gaps (G), columns are solutions (S); a filled square means the solution addresses the gap, with its technology readiness level."
            ),
        )
        if matrix["gaps"] and matrix["solutions"]
        else "",
    )


# --- sections --------------------------------------------------------------------------


@bp.post("/reports/<id:report_id>/sections")
@roles_required("editor", "admin")
def add_section(report_id):
    report = _editable_or_abort(report_id)
    form = SectionAddForm()
    if form.validate_on_submit():
        try:
            section = services.add_section(report, _me(), form.heading.data, form.draws_contributions.data)
        except services.ReportError as error:
            _service_errors(form, error)
        else:
            flash(_("Section “%(heading)s” is added at the end.", heading=section.heading), "success")
            return redirect(url_for("reports.section", report_id=report.id, section_id=section.id))
    return _render_edit(report, add_form=form, status=422)


def _section_or_abort(report, section_id):
    section = services.get_section(report, section_id)
    if section is None:
        abort(404)
    return section


@bp.post("/reports/<id:report_id>/sections/<id:section_id>/move")
@roles_required("editor", "admin")
def move_section(report_id, section_id):
    report = _editable_or_abort(report_id)
    section = _section_or_abort(report, section_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.move_section(report, section, _me(), form.direction.data)
    except services.ReportError as error:
        _flash_error(error)
    else:
        flash(_("Section “%(heading)s” is now number %(position)d.", heading=section.heading, position=section.position), "success")
    return redirect(url_for("reports.edit", report_id=report.id, _anchor=f"section-row-{section.id}"))


@bp.post("/reports/<id:report_id>/sections/<id:section_id>/delete")
@roles_required("editor", "admin")
def delete_section(report_id, section_id):
    report = _editable_or_abort(report_id)
    section = _section_or_abort(report, section_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    heading = section.heading
    try:
        services.remove_section(report, section, _me())
    except services.ReportError as error:
        _flash_error(error)
    else:
        flash(_("Section “%(heading)s” is removed.", heading=heading), "success")
    return redirect(url_for("reports.edit", report_id=report.id))


def _section_form_choices(form, report):
    form.areas.choices = select_choices((area.code, f"{area.code} – {area.name}") for area in report.areas)
    form.workshop_id.choices = select_choices(
        [(0, _("Any workshop")), *((workshop.id, workshop.title) for workshop in services.workshops_for_choice())]
    )
    form.network_id.choices = select_choices(
        [(0, _("Any network")), *((network.id, network.name) for network in community_services.networks())]
    )


def _render_section(report, section, form=None, status=200):
    if form is None:
        form = SectionForm(
            formdata=None,
            data={
                "heading": section.heading,
                "synthesis": section.synthesis,
                "draws_contributions": section.draws_contributions,
                "areas": section.area_codes,
                "types": section.types,
                "period_start": section.period_start,
                "period_end": section.period_end,
                "workshop_id": section.workshop_id or 0,
                "network_id": section.network_id or 0,
            },
        )
    _section_form_choices(form, report)
    entries = services.section_entries(section)
    return render_template(
        "reports/section.html",
        report=report,
        lifecycle=services.lifecycle_of(report, _me()),
        section=section,
        form=form,
        action=ActionForm(formdata=None),
        entries=entries,
        criteria=services.criteria(section),
        summary=aggregation.section_summary(entries.candidates, _country_name),
    ), status


def _country_name(code):
    from babel import Locale
    from flask_babel import get_locale

    return Locale.parse(str(get_locale() or "en")).territories.get(code, code)


@bp.route("/reports/<id:report_id>/sections/<id:section_id>", methods=["GET", "POST"])
@roles_required("editor", "admin")
def section(report_id, section_id):
    report = _editable_or_abort(report_id)
    section = _section_or_abort(report, section_id)
    if request.method == "GET":
        return _render_section(report, section)
    form = SectionForm()
    _section_form_choices(form, report)
    if form.validate_on_submit():
        try:
            services.update_section(
                report,
                section,
                _me(),
                {
                    "heading": form.heading.data,
                    "synthesis": form.synthesis.data,
                    "draws_contributions": form.draws_contributions.data,
                    "areas": form.areas.data or [],
                    "types": form.types.data or [],
                    "period_start": form.period_start.data,
                    "period_end": form.period_end.data,
                    "workshop_id": form.workshop_id.data or None,
                    "network_id": form.network_id.data or None,
                },
            )
        except services.ReportError as error:
            _service_errors(form, error)
        else:
            flash(_("The section is saved."), "success")
            return redirect(url_for("reports.section", report_id=report.id, section_id=section.id))
    return _render_section(report, section, form=form, status=422)


@bp.post("/reports/<id:report_id>/sections/<id:section_id>/items")
@roles_required("editor", "admin")
def set_item(report_id, section_id):
    report = _editable_or_abort(report_id)
    section = _section_or_abort(report, section_id)
    form = ActionForm()
    if not form.validate_on_submit() or not form.contribution_id.data:
        abort(400)
    try:
        item = services.set_item(report, section, _me(), form.contribution_id.data, form.status.data)
    except services.ReportError as error:
        _flash_error(error)
    else:
        messages = {
            "included": _("“%(title)s” is included.", title=item.contribution.title),
            "excluded": _("“%(title)s” is excluded.", title=item.contribution.title),
            "suggested": _("“%(title)s” is back among the suggestions.", title=item.contribution.title),
        }
        flash(messages[item.status], "success")
    return redirect(url_for("reports.section", report_id=report.id, section_id=section.id, _anchor=f"item-{form.contribution_id.data}"))


@bp.post("/reports/<id:report_id>/sections/<id:section_id>/items/<id:contribution_id>/move")
@roles_required("editor", "admin")
def move_item(report_id, section_id, contribution_id):
    report = _editable_or_abort(report_id)
    section = _section_or_abort(report, section_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        item = services.move_item(report, section, _me(), contribution_id, form.direction.data)
    except services.ReportError as error:
        _flash_error(error)
    else:
        flash(_("“%(title)s” is now number %(position)d.", title=item.contribution.title, position=item.position), "success")
    return redirect(url_for("reports.section", report_id=report.id, section_id=section.id, _anchor=f"item-{contribution_id}"))
