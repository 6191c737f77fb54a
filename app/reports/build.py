"""Building a published version: the document's data, then a standalone HTML file, a PDF and a JSON export.

The JSON export is the document's data itself; the HTML and the PDF are
rendered from it with one template (reports/document.html), so the three
always say the same. Only included contributions still accepted are in it;
excluded ones appear nowhere, not even as a reference from another item.

Files go to REPORTS_FOLDER/report-<id>/v<n>-<random>/, a folder made new for
each build (never an existing one), written with exclusive creation and then
made read-only: a published version's files are never overwritten.
"""

import hashlib
import json
import os
import secrets
import shutil
import stat

from babel import Locale
from flask import current_app, render_template

from app.contributions.types import TYPES
from app.i18n import lazy_gettext as _l
from app.reports import aggregation
from app.reports.curation import entries_by_section
from app.reports.files import report_folder as folder_of_report
from app.reports.files import reports_folder
from app.reports.models import FILE_FORMATS
from app.timeutil import utcnow
from app.urls import external_url

FORMAT_VERSION = "ceris-report/1"


def _country_name(code):
    return Locale("en").territories.get(code, code) if code else ""


def _field_text(spec, value, numbers):
    """A type-specific answer as text for the document; references only to contributions in the report."""
    if spec.kind == "multi_choice":
        return ", ".join(str(spec.choice_label(item)) for item in value)
    if spec.kind == "choice":
        return str(spec.choice_label(value))
    if spec.kind == "contribution_refs":
        cited = [numbers[ref] for ref in value if ref in numbers]
        return ", ".join(cited)
    return str(value)


def _item_data(contribution, number, numbers):
    spec = TYPES[contribution.type]
    fields = []
    for field in spec.fields:
        value = (contribution.fields or {}).get(field.name)
        if value in (None, "", []):
            continue
        text = _field_text(field, value, numbers)
        if text:
            fields.append({"name": field.name, "label": str(field.label), "value": text})
    network = contribution.network
    country = aggregation.member_state(contribution)
    return {
        "number": number,
        "contribution_id": contribution.id,
        "revision": contribution.revision,
        "type": contribution.type,
        "type_label": str(spec.name),
        "title": contribution.title,
        "summary_html": contribution.summary or "",
        "fields": fields,
        "areas": contribution.area_codes,
        "network": (
            {
                "id": network.id,
                "name": network.name,
                "kind": network.kind,
                "kind_label": str(network.kind_label),
                "country": network.country,
            }
            if network is not None
            else None
        ),
        "source": network.name if network is not None else (contribution.author.organisation or str(_l("Individual contribution"))),
        "member_state": country,
        "member_state_name": _country_name(country),
        "projects": [
            {"id": project.id, "acronym": project.acronym, "title": project.title, "cordis_id": project.cordis_id}
            for project in contribution.projects
        ],
        "workshop": {"id": contribution.workshop.id, "title": contribution.workshop.title} if contribution.workshop else None,
        # The cited revision's public page: readable by everyone once this version is published.
        "link": external_url("contributions.public_revision", contribution_id=contribution.id, number=contribution.revision),
    }


def document_data(report, number, published_at):
    """Everything the published version says, as JSON-ready data."""
    sections = []
    numbers = {}
    placed = []  # (section index, entries)
    entries_of = entries_by_section(report.sections)
    for index, section in enumerate(report.sections, start=1):
        entries = entries_of[section.id].included
        placed.append((index, section, entries))
        for position, entry in enumerate(entries, start=1):
            numbers.setdefault(entry.contribution.id, f"{index}.{position}")
    included = []
    seen = set()
    for index, section, entries in placed:
        contributions = [entry.contribution for entry in entries]
        for contribution in contributions:
            if contribution.id not in seen:
                seen.add(contribution.id)
                included.append(contribution)
        sections.append(
            {
                "number": index,
                "id": section.id,
                "anchor": f"section-{index}",
                "heading": section.heading,
                "synthesis_html": section.synthesis or "",
                "items": [
                    _item_data(contribution, f"{index}.{position}", numbers) for position, contribution in enumerate(contributions, start=1)
                ],
                "summary": aggregation.section_summary(contributions, _country_name) if contributions else None,
            }
        )
    gaps = [contribution for contribution in included if contribution.type == "capability_gap"]
    solutions = [contribution for contribution in included if contribution.type == "technology"]
    matrix = aggregation.gap_solution_matrix(gaps, solutions)
    for row in matrix["gaps"]:
        row["number"] = numbers.get(row["id"], "")
    for column in matrix["solutions"]:
        column["number"] = numbers.get(column["id"], "")
    ranking = aggregation.gap_ranking(gaps, solutions)
    for entry in ranking:
        entry["numbers"] = [numbers[ref] for ref in entry["contribution_ids"] if ref in numbers]
    sources = sorted(
        (_item_data(contribution, numbers[contribution.id], numbers) for contribution in included),
        key=lambda item: item["contribution_id"],
    )
    data = {
        "format": FORMAT_VERSION,
        "report": {
            "id": report.id,
            "title": report.title,
            "kind": report.kind,
            "kind_label": str(report.kind_label),
            "areas": [{"code": area.code, "name": area.name} for area in report.areas],
            "period_start": report.period_start.isoformat() if report.period_start else None,
            "period_end": report.period_end.isoformat() if report.period_end else None,
            "version": number,
            "published_at": published_at.isoformat(),
            "link": external_url("reports.version", report_id=report.id, number=number),
        },
        "sections": sections,
        "analysis": {
            "gap_ranking": ranking,
            "gap_solution_matrix": matrix,
        },
        "sources": sources,
    }
    return aggregation.with_picture(data)


def render_html(data, for_pdf=False):
    return render_template("reports/document.html", doc=data, for_pdf=for_pdf)


def render_pdf(data):
    from weasyprint import HTML

    # Tagged PDF/UA-1, so screen readers can read it: the structure comes from the HTML
    # (headings, lists, tables), the title from <title> and the language from <html lang>.
    return HTML(string=render_html(data, for_pdf=True), base_url=None).write_pdf(pdf_variant="pdf/ua-1")


def render_json(data):
    public = dict(data)
    public["analysis"] = {key: value for key, value in data["analysis"].items() if key != "matrix_svg"}
    return json.dumps(public, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def _write_new(path, content):
    """Create `path` with `content`; never replaces an existing file. Read-only afterwards."""
    with open(path, "xb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return hashlib.sha256(content).hexdigest()


def build_version(report, number, progress=lambda value: None):
    """Write version `number`'s files into a new folder; returns {"folder", "published_at", "files": {fmt: {"path", "sha256"}}}.

    On any failure the new folder is removed and the error raised.
    """
    root = reports_folder()
    report_folder = folder_of_report(report.id)
    os.makedirs(report_folder, exist_ok=True)
    folder_name = f"v{number}-{secrets.token_hex(6)}"
    folder = os.path.join(report_folder, folder_name)
    os.mkdir(folder)  # new, or an error: never an existing folder
    built = {"folder": folder, "files": {}}
    try:
        published_at = utcnow().replace(microsecond=0)
        built["published_at"] = published_at
        data = document_data(report, number, published_at)
        # What the version cites, recorded with it (app/contributions/public.py): those revisions become public.
        built["citations"] = {source["contribution_id"]: source["revision"] for source in data["sources"]}
        progress(20)
        contents = {"json": render_json(data)}
        progress(35)
        contents["html"] = render_html(data).encode("utf-8")
        progress(50)
        contents["pdf"] = render_pdf(data)
        progress(85)
        for fmt in FILE_FORMATS:
            filename = f"ceris-report-{report.id}-v{number}.{fmt}"
            sha256 = _write_new(os.path.join(folder, filename), contents[fmt])
            built["files"][fmt] = {"path": os.path.relpath(os.path.join(folder, filename), root), "sha256": sha256}
        progress(95)
    except BaseException:
        discard(built)
        raise
    check = current_app.config.get("REPORT_BUILD_CHECK")
    if check is not None:  # a hook for operators and tests: may refuse a build by raising
        try:
            check(report, number, built)
        except BaseException:
            discard(built)
            raise
    return built


def discard(built):
    """Remove the folder of a build that was not published."""
    folder = built.get("folder") if built else None
    if folder and os.path.isdir(folder):
        shutil.rmtree(folder, ignore_errors=True)
