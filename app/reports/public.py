"""What the public side shows of reports: the dissemination materials and the capability gaps they rank.

The dissemination materials of the CERIS website are the published reports,
briefings, research agendas and case studies (the report kinds). Everything
here shows a report as its latest published version says it
(`report_view_for(None, ...)`): a report never published (a draft, or a first
version still being built) is absent, and an editor's later changes stay with
the editors until the next version is published.

The gaps a thematic area's page shows are read from the published versions'
own files (their JSON export, which never changes), never from the live
contributions, so a page says exactly what the reports published.
"""

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.community.services import normalise_area_codes
from app.contributions.types import PRIORITIES
from app.extensions import db
from app.pagination import Page, paginate
from app.reports.aggregation import PRIORITY_RANK
from app.reports.files import version_file
from app.reports.models import KINDS, Report, ReportVersion
from app.reports.reports import _published_area_clause, published_clause, report_view_for
from app.timeutil import as_utc

YEAR_MIN, YEAR_MAX = 1900, 2100
# Every report kind is a dissemination material (reports, briefings, research agendas, case studies).
PUBLICATION_KINDS = KINDS


def _latest_publication():
    """SQL: when the report's latest version was published."""
    return sa.select(sa.func.max(ReportVersion.published_at)).where(ReportVersion.report_id == Report.id).scalar_subquery()


def _publications(area=None, kind=None, year=None):
    """Reports with a published version (newest publication first), filtered as published, their versions loaded with them."""
    latest = _latest_publication()
    statement = sa.select(Report).where(published_clause()).options(selectinload(Report.versions))
    if area:
        statement = statement.where(_published_area_clause((normalise_area_codes([area]) or [area])[0]))
    if kind:
        statement = statement.where(Report.kind == kind)
    if year:
        statement = statement.where(latest >= datetime(year, 1, 1, tzinfo=UTC), latest < datetime(year + 1, 1, 1, tzinfo=UTC))
    return statement.order_by(latest.desc(), Report.id.desc())


def clean_publication_filters(area=None, kind=None, year=None):
    """(area code, kind, year) from loose input (a GET form's query string): a value that names nothing is dropped (None)."""
    codes = normalise_area_codes([area]) if isinstance(area, str) else []
    kind = kind if isinstance(kind, str) and kind in PUBLICATION_KINDS else None
    try:
        year = int(str(year).strip()) if year not in (None, "") else None
    except ValueError:
        year = None
    if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
        year = None
    return (codes[0] if codes else None), kind, year


def publications(area=None, kind=None, year=None, page=1, per_page=20):
    """One page of the dissemination materials, each a ReportView of its latest published version.

    Filters: `area` (a code, as the latest version was published), `kind`
    (a report kind) and `year` (of the latest version's publication, UTC).
    A fixed number of queries whatever the page holds.
    """
    result = paginate(_publications(area, kind, year), page, per_page)
    return Page(
        items=[report_view_for(None, report) for report in result.items], page=result.page, per_page=result.per_page, total=result.total
    )


def latest_publications(area=None, limit=5):
    """The `limit` most recently published reports (of `area`), as ReportViews, newest first (no count)."""
    reports = db.session.scalars(_publications(area).limit(limit)).all()
    return [report_view_for(None, report) for report in reports]


def publication_years():
    """The years reports were published in, newest first (for the list's filter); [] before the first."""
    first, last = db.session.execute(sa.select(sa.func.min(ReportVersion.published_at), sa.func.max(ReportVersion.published_at))).one()
    if first is None or last is None:
        return []
    return list(range(as_utc(last).year, as_utc(first).year - 1, -1))


# --- the capability gaps published reports rank ----------------------------------------------------


@dataclass(frozen=True)
class RankedGap:
    """A capability gap as a published version ranks it, with the revision it cites (whose public page the gap links to)."""

    title: str
    priority: str  # a code of PRIORITIES, or "" when the report did not give one
    network_count: int
    contribution_count: int
    contribution_id: int
    revision: int
    number: str  # its item number in the report ("2.3"), or ""
    report_id: int
    report_title: str
    version: int

    @property
    def priority_label(self):
        return dict(PRIORITIES).get(self.priority, "")

    @property
    def priority_rank(self):
        return PRIORITY_RANK.get(self.priority, 0)


@functools.lru_cache(maxsize=256)
def _published_gaps(path, sha256):
    """(gap ranking entries, {contribution id: source}) of a published JSON export; the file never changes, so (path, digest) keys it."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    ranking = tuple(
        {
            "contribution_ids": tuple(ref for ref in entry.get("contribution_ids") or () if isinstance(ref, int)),
            "priority": entry.get("priority") if entry.get("priority") in PRIORITY_RANK else "",
            "network_count": int(entry.get("network_count") or 0),
            "contribution_count": int(entry.get("contribution_count") or 0),
            "rank": int(entry.get("rank") or 0),
        }
        for entry in (data.get("analysis") or {}).get("gap_ranking") or ()
    )
    sources = {
        source["contribution_id"]: {
            "title": source.get("title") or "",
            "revision": source.get("revision"),
            "areas": tuple(source.get("areas") or ()),
            "number": source.get("number") or "",
        }
        for source in data.get("sources") or ()
        if isinstance(source.get("contribution_id"), int) and isinstance(source.get("revision"), int)
    }
    return ranking, sources


def ranked_gaps(views, area, limit=8):
    """The top-ranked capability gaps of `area` (a code) in these published versions (ReportViews, newest first).

    "Top-ranked": the highest priority the report gives the gap, then the
    most independent networks raising it, then the most contributions, then
    the newer report and its own rank. A gap (by any of its contributions)
    that several reports rank counts once, as the newest ranks it. Each links
    to the contribution of its cluster, tagged with `area`, that the report
    ranks first. Reads only the versions' files: no query.
    """
    code = (normalise_area_codes([area]) or [""])[0]
    seen = set()
    found = []
    for order, view in enumerate(views):
        version = view.published if view is not None else None
        path = version_file(version, "json") if version is not None else None
        if path is None:
            continue
        try:
            ranking, sources = _published_gaps(path, version.json_sha256)
        except (OSError, ValueError):
            continue
        for entry in ranking:
            refs = entry["contribution_ids"]
            if seen.intersection(refs):
                continue
            lead = next((ref for ref in refs if ref in sources and code in sources[ref]["areas"]), None)
            if lead is None:
                continue
            seen.update(refs)
            source = sources[lead]
            gap = RankedGap(
                title=source["title"],
                priority=entry["priority"],
                network_count=entry["network_count"],
                contribution_count=entry["contribution_count"],
                contribution_id=lead,
                revision=source["revision"],
                number=source["number"],
                report_id=view.report.id,
                report_title=view.title,
                version=version.number,
            )
            found.append((gap, order, entry["rank"]))
    found.sort(key=lambda item: (-item[0].priority_rank, -item[0].network_count, -item[0].contribution_count, item[1], item[2]))
    return [gap for gap, _order, _rank in found[:limit]]
