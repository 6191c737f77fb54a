"""The published versions' files: where builds write them, finding one safely inside REPORTS_FOLDER, reading one back."""

import json
import os

from flask import current_app

from app.reports.aggregation import with_picture
from app.reports.models import FILE_FORMATS


def reports_folder():
    folder = current_app.config.get("REPORTS_FOLDER") or os.path.join(current_app.instance_path, "reports")
    return os.path.abspath(folder)


def report_folder(report_id):
    """Where a report's versions are written: one new sub-folder per build, never reused."""
    return os.path.join(reports_folder(), f"report-{report_id}")


def get_version(report, number):
    return next((version for version in report.versions if version.number == number), None)


def version_file(version, fmt):
    """The absolute path of a published file, checked to lie inside REPORTS_FOLDER."""
    if fmt not in FILE_FORMATS:
        return None
    root = reports_folder()
    path = os.path.abspath(os.path.join(root, version.path(fmt)))
    if os.path.commonpath([root, path]) != root or not os.path.isfile(path):
        return None
    return path


def version_document(version):
    """The published content of a version (its JSON export), for reading in the browser."""
    path = version_file(version, "json")
    if path is None:
        return None
    with open(path, encoding="utf-8") as handle:
        return with_picture(json.load(handle))


def download_name(version, fmt):
    return f"ceris-report-{version.report_id}-v{version.number}.{fmt}"
