"""Reports and background jobs over the API (DESIGN.md, API contract).

Thin: requests are read and answers written through app/api/shapes.py; the rules
are in app.reports.services and app.background.services, whose refusals
(service errors) app/errors.py answers.
"""

from flask import abort, g, url_for

from app.api import shapes
from app.api.auth import api_roles_required, token_required
from app.api.blueprint import bp
from app.api.schema import body_values, read_body, read_query
from app.api.views import answer, list_answer
from app.background import services as background
from app.i18n import gettext as _
from app.reports import services
from app.reports.models import FILE_FORMATS
from app.urls import external_url


def _caller():
    return g.get("api_user")


def _versions_json(report):
    return [
        {
            "version": version.number,
            "title": version.title,
            "published_at": version.published_at,
            "files": {fmt: external_url("reports.download", report_id=report.id, number=version.number, fmt=fmt) for fmt in FILE_FORMATS},
            "sha256": {fmt: version.sha256(fmt) for fmt in FILE_FORMATS},
        }
        for version in report.versions
    ]


def _criteria_json(section):
    effective = services.criteria(section)
    return {
        name: effective[name]
        for name in ("draws_contributions", "areas", "types", "period_start", "period_end", "workshop_id", "network_id")
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
    entries_of = services.entries_by_section(report.sections)
    for section in report.sections:
        entries = entries_of[section.id]
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
    body = {
        "id": report.id,
        "kind": view.kind,
        "title": view.title,
        "thematic_areas": view.area_codes,
        "period_start": view.period_start,
        "period_end": view.period_end,
        "state": view.state,
        "version": view.version,
        "versions": _versions_json(report),
        "url": external_url("reports.read", report_id=report.id),
    }
    if view.editor:
        body["build_error"] = report.build_error or None
        body["build_job_id"] = report.build_job_id
    if full:
        body["sections"] = _live_sections_json(report) if view.editor else _published_sections_json(report)
    return body


def _report_answer(report, status=200):
    return answer(shapes.Report, report_json(report, _caller()), status)


@bp.get("/reports")
def list_reports():
    query = read_query(shapes.ReportQuery)
    result = services.list_reports(_caller(), area=query.area, kind=query.kind, state=query.state, page=query.page, per_page=query.per_page)
    items = [report_json(report, _caller(), full=False) for report in result.items]
    return list_answer(shapes.ReportPage, items, result.page, query.per_page, result.total)


@bp.post("/reports")
@api_roles_required("editor", "admin")
def create_report():
    report = services.create_report(g.api_user, body_values(shapes.ReportInput))
    response, status = _report_answer(report, 201)
    response.headers["Location"] = url_for("api.get_report", report_id=report.id)
    return response, status


@bp.get("/reports/<id:report_id>")
def get_report(report_id):
    return _report_answer(services.find_viewable(_caller(), report_id))


@bp.patch("/reports/<id:report_id>")
@api_roles_required("editor", "admin")
def update_report(report_id):
    report = services.find_editable(g.api_user, report_id)
    services.update_report(report, g.api_user, body_values(shapes.ReportChange))
    return _report_answer(report)


@bp.post("/reports/<id:report_id>/sections/<id:section_id>/items")
@api_roles_required("editor", "admin")
def set_report_item(report_id, section_id):
    report = services.find_editable(g.api_user, report_id)
    section = services.get_section(report, section_id)
    if section is None:
        abort(404, _("No such section in this report."))
    body = read_body(shapes.ReportItemChoice)
    services.set_item(report, section, g.api_user, body.contribution_id, body.status, body.position)
    return _report_answer(report)


@bp.post("/reports/<id:report_id>/publish")
@api_roles_required("editor", "admin")
def publish_report(report_id):
    job = services.publish(services.find_editable(g.api_user, report_id), g.api_user)
    response, status = answer(shapes.JobQueued, {"job_id": job.id}, 202)
    response.headers["Location"] = url_for("api.get_job", job_id=job.id)
    return response, status


@bp.get("/jobs/<job_id>")
@token_required
def get_job(job_id):
    # No job id has a NUL in it, and PostgreSQL cannot even compare one.
    job = background.get(job_id) if "\x00" not in job_id else None
    if not background.can_follow_job(g.api_user, job):
        abort(404, _("No such job."))
    return answer(
        shapes.Job,
        {
            "id": job.id,
            "kind": job.kind,
            "state": job.state,
            "progress": job.progress,
            "error": job.error or None,
            "subject": {"type": job.subject_type, "id": job.subject_id} if job.subject_type else None,
            "result": job.result or {},
            "created_at": job.created_at,
            "updated_at": job.updated_at,
        },
    )
