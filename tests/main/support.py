"""Test aids for the public side: reading one section of a page, reports published quickly or for real."""

import re
from datetime import datetime

from tests.reports.support import bearer, create_report, make_contribution, publish_and_wait, set_item

FILES = {fmt: (f"nowhere/{fmt}.{fmt}", "0" * 64) for fmt in ("html", "pdf", "json")}


def section(html, heading_id):
    """The markup of the <section> labelled by `heading_id` (up to its closing tag; sections in it are not nested here)."""
    match = re.search(rf'<section aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no section labelled {heading_id}"
    return match.group(1)


def recorded_report(app, title, kind="state_of_the_art", areas=("BM",), published_at=None, versions=1, state="published"):
    """A report with `versions` published versions written straight to the database (no build, no files); returns its id.

    For lists and filters: a reader sees the versions' titles, areas and dates; with
    `versions=0` it is a report never published (`state`: draft or frozen).
    """
    from app.extensions import db
    from app.reports.models import ReportVersion
    from tests.factories import ReportFactory

    with app.app_context():
        report = ReportFactory(kind=kind, title=title, state=state, version=max(versions, 1), area_codes=list(areas))
        for number in range(1, versions + 1):
            db.session.add(
                ReportVersion(
                    report_id=report.id,
                    number=number,
                    title=title if number == versions else f"{title} (version {number})",
                    published_at=published_at or datetime(2026, 1, 15, 10, 0),
                    area_codes=list(areas),
                    **{f"{fmt}_path": path for fmt, (path, _digest) in FILES.items()},
                    **{f"{fmt}_sha256": digest for fmt, (_path, digest) in FILES.items()},
                )
            )
        db.session.commit()
        return report.id


def publish_gaps(app, client, editor, gaps, title="Border management state of the art 2026", areas=("BM",)):
    """Publish for real (the build job) a report of `areas` whose "Capability gaps" section includes `gaps`
    (contribution ids); returns the report as the API gave it."""
    headers = bearer(app, editor)
    report = create_report(client, headers, title=title, thematic_areas=list(areas))
    for contribution_id in gaps:
        set_item(client, headers, report, "Capability gaps", contribution_id, "included")
    publish_and_wait(client, headers, report["id"])
    return report


def accepted_gap(app, title, priority="high", areas=("BM",), network_id=None):
    return make_contribution(app, title, areas=areas, fields={"priority": priority}, network_id=network_id)
