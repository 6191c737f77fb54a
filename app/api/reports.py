"""Reports and background jobs over the API (DESIGN.md, API contract). Thin: the rules are in app.reports.services."""
from flask import abort, g, jsonify, request, url_for

from app.api import bp
from app.api.serialisers import iso_datetime
from app.api.auth import api_roles_required, token_required
from app.api.views import json_body, list_response, page_args
from app.background import services as background
from app.errors import api_error
from app.i18n import gettext as _
from app.reports import services
from app.reports.models import FILE_FORMATS, ITEM_STATUSES, KINDS, STATES
from app.templating import external_url


def _caller():
    return g.get("api_user")


def _error(error):
    return api_error(error.status, error.message, error.fields or None)


def _date(value):
    return value.isoformat() if value else None


def _versions_json(report):
    return [
        {
            "version": version.number,
            "title": version.title,
            "published_at": iso_datetime(version.published_at),
            "files": {
                fmt: external_url("reports.download", report_id=report.id, number=version.number, fmt=fmt) for fmt in FILE_FORMATS
            },
            "sha256": {fmt: version.sha256(fmt) for fmt in FILE_FORMATS},
        }
        for version in report.versions
    ]


def _criteria_json(section):
    effective = services.criteria(section)
    return {
        "draws_contributions": effective["draws_contributions"],
        "areas": effective["areas"],
        "types": effective["types"],
        "period_start": _date(effective["period_start"]),
        "period_end": _date(effective["period_end"]),
        "workshop_id": effective["workshop_id"],
        "network_id": effective["network_id"],
    }


def _item_json(entry, position):
    contribution = entry.contribution
    return {
        "contribution_id": contribution.id,
        "title": contribution.title,
        "type": contribution.type,
        "network": contribution.network.name if contribution.network else None,
        "status": entry.status,
        "position": position,
        "accepted": not entry.left,
        "note": entry.note,
    }


def _live_sections_json(report):
    sections = []
    for section in report.sections:
        entries = services.section_entries(section)
        items = [_item_json(entry, number) for number, entry in enumerate(entries.included, start=1)]
        items += [_item_json(entry, None) for entry in entries.suggested + entries.excluded + entries.left]
        sections.append(
            {
                "id": section.id,
                "position": section.position,
                "heading": section.heading,
                "synthesis": section.synthesis,
                "criteria": _criteria_json(section),
                "items": items,
            }
        )
    return sections


def _published_sections_json(report):
    """For callers who may not edit: the latest published version's sections, included items only."""
    document = services.version_document(report.latest_version) or {"sections": []}
    return [
        {
            "id": section["id"],
            "position": section["number"],
            "heading": section["heading"],
            "synthesis": section["synthesis_html"],
            "items": [
                {
                    "contribution_id": item["contribution_id"],
                    "title": item["title"],
                    "type": item["type"],
                    "network": item["network"]["name"] if item["network"] else None,
                    "status": "included",
                    "position": position,
                }
                for position, item in enumerate(section["items"], start=1)
            ],
        }
        for section in document["sections"]
    ]


def report_json(report, user, full=True):
    view = services.report_view_for(user, report)  # editors: the working draft; others: the published version
    editor = view.editor
    body = {
        "id": report.id,
        "kind": view.kind,
        "title": view.title,
        "thematic_areas": view.area_codes,
        "period_start": _date(view.period_start),
        "period_end": _date(view.period_end),
        "state": view.state,
        "version": view.version,
        "versions": _versions_json(report),
        "url": external_url("reports.read", report_id=report.id),
    }
    if editor:
        body["build_error"] = report.build_error or None
        body["build_job_id"] = report.build_job_id
    if full:
        body["sections"] = _live_sections_json(report) if editor else _published_sections_json(report)
    return body


@bp.get("/reports")
def list_reports():
    page, per_page = page_args()
    area = request.args.get("area") or None
    kind = request.args.get("kind") or None
    state = request.args.get("state") or None
    if kind and kind not in KINDS:
        return api_error(422, _("Invalid input."), {"kind": _("Choose one of: %(kinds)s.", kinds=", ".join(KINDS))})
    if state and state not in STATES:
        return api_error(422, _("Invalid input."), {"state": _("Choose one of: %(states)s.", states=", ".join(STATES))})
    result = services.list_reports(_caller(), area=area, kind=kind, state=state, page=page, per_page=per_page)
    return list_response([report_json(report, _caller(), full=False) for report in result.items], result.page, per_page, result.total)


@bp.post("/reports")
@api_roles_required("editor", "admin")
def create_report():
    body = json_body()
    if "kind" in body and not isinstance(body["kind"], str):
        return api_error(422, _("Invalid input."), {"kind": _("Choose one of: %(kinds)s.", kinds=", ".join(KINDS))})
    try:
        report = services.create_report(g.api_user, body)
    except services.ReportError as error:
        return _error(error)
    response = jsonify(report_json(report, g.api_user))
    response.headers["Location"] = url_for("api.get_report", report_id=report.id)
    return response, 201


@bp.get("/reports/<id:report_id>")
def get_report(report_id):
    report = services.get_viewable(_caller(), report_id)
    if report is None:
        abort(404, _("No such report."))
    return jsonify(report_json(report, _caller()))


def _editable(report_id):
    try:
        report = services.get_editable(g.api_user, report_id)
    except services.ReportForbidden as error:
        abort(403, error.message)
    if report is None:
        abort(404, _("No such report."))
    return report


@bp.patch("/reports/<id:report_id>")
@api_roles_required("editor", "admin")
def update_report(report_id):
    report = _editable(report_id)
    body = json_body()
    unknown = sorted(set(body) - {"title", "thematic_areas", "period_start", "period_end"})
    if unknown:
        return api_error(422, _("Invalid input."), {name: _("Not a field you can change.") for name in unknown})
    try:
        services.update_report(report, g.api_user, body)
    except services.ReportError as error:
        return _error(error)
    return jsonify(report_json(report, g.api_user))


@bp.post("/reports/<id:report_id>/sections/<id:section_id>/items")
@api_roles_required("editor", "admin")
def set_report_item(report_id, section_id):
    report = _editable(report_id)
    section = services.get_section(report, section_id)
    if section is None:
        abort(404, _("No such section in this report."))
    body = json_body()
    if not isinstance(body.get("status"), (str, type(None))):
        return api_error(422, _("Invalid input."), {"status": _("Choose one of: %(statuses)s.", statuses=", ".join(ITEM_STATUSES))})
    try:
        services.set_item(report, section, g.api_user, body.get("contribution_id"), body.get("status"), body.get("position"))
    except services.ReportError as error:
        return _error(error)
    return jsonify(report_json(report, g.api_user))


@bp.post("/reports/<id:report_id>/publish")
@api_roles_required("editor", "admin")
def publish_report(report_id):
    report = _editable(report_id)
    try:
        job = services.publish(report, g.api_user)
    except services.ReportError as error:
        return _error(error)
    response = jsonify({"job_id": job.id})
    response.headers["Location"] = url_for("api.get_job", job_id=job.id)
    return response, 202


def _may_follow(user, job):
    if job.created_by_id == user.id or user.has_role("admin"):
        return True
    if job.subject_type == "report":
        return services.can_edit(user, services.get_report(job.subject_id))
    return False


@bp.get("/jobs/<job_id>")
@token_required
def get_job(job_id):
    # No job id has a NUL in it, and PostgreSQL cannot even compare one.
    job = background.get(job_id) if "\x00" not in job_id else None
    if job is None or not _may_follow(g.api_user, job):
        abort(404, _("No such job."))
    return jsonify(
        {
            "id": job.id,
            "kind": job.kind,
            "state": job.state,
            "progress": job.progress,
            "error": job.error or None,
            "subject": {"type": job.subject_type, "id": job.subject_id} if job.subject_type else None,
            "result": job.result or {},
            "created_at": iso_datetime(job.created_at),
            "updated_at": iso_datetime(job.updated_at),
        }
    )
