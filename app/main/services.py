"""What the site-wide pages ask: what is new across areas (home), an area's front door, the dissemination list,
and whether the database answers.

The public pages show only what everyone may read: published report versions
(app/reports/public.py), workshops (public), open call topics and the project
explorer's counts. Each page runs a fixed number of queries whatever the data.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.community import services as community_services
from app.contributions import services as contribution_services
from app.extensions import db
from app.projects import services as project_services
from app.projects.models import project_areas
from app.reports import services as report_services
from app.unit_of_work import unit_of_work
from app.workshops import services as workshop_services

# How much each public page shows of each list (each links to the whole list).
AREA_REPORTS = 5  # latest published reports on an area's page
AREA_REPORTS_RANKED = 10  # the latest published reports of an area whose gaps are ranked there
AREA_GAPS = 8  # top-ranked capability gaps on an area's page
AREA_WORKSHOPS = 5  # upcoming workshops on an area's page
HOME_REPORTS = 3
HOME_WORKSHOPS = 3
HOME_CALLS = 5
PUBLICATIONS_PER_PAGE = 20


def database_answers():
    """True when the database answers a trivial query; the unit rolls back a failed connection so the next request starts clean."""
    try:
        with unit_of_work():
            db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("Health check: the database does not answer", exc_info=True)
        return False
    return True


# --- the public side ---------------------------------------------------------------------------


def _of_area(workshops, area):
    return [workshop for workshop in workshops if any(item.id == area.id for item in workshop.areas)]


def explorer_project_count(area):
    """How many projects the project explorer finds for `area` (its area filter: the projects linked to it)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(project_areas).where(project_areas.c.area_id == area.id)) or 0


@dataclass(frozen=True)
class AreaPage:
    """A thematic area's front door."""

    area: object  # ThematicArea
    open_calls: list  # workshops of the area whose call for inputs is open, soonest closing first
    upcoming: list  # the area's next workshops (not ended), soonest first
    upcoming_total: int
    reports: list  # ReportViews of its latest published reports, newest first
    gaps: list  # RankedGap: top-ranked capability gaps of its latest published reports
    project_count: int
    call_topics: list  # its open Cluster 3 call topics
    informing: dict  # call topic id -> accepted contributions informing it


def area_page(code):
    """What the page of the area `code` names shows; None when it names no area."""
    area = community_services.area_by_code(code or "")
    if area is None:
        return None
    upcoming = workshop_services.list_workshops("upcoming", area.code, page=1, per_page=AREA_WORKSHOPS)
    recent = report_services.latest_publications(area.code, limit=AREA_REPORTS_RANKED)
    call_topics = project_services.open_call_topics(area)
    return AreaPage(
        area=area,
        open_calls=_of_area(workshop_services.open_for_inputs(), area),
        upcoming=upcoming.items,
        upcoming_total=upcoming.total,
        reports=recent[:AREA_REPORTS],
        gaps=report_services.ranked_gaps(recent, area.code, limit=AREA_GAPS),
        project_count=explorer_project_count(area),
        call_topics=call_topics,
        informing=contribution_services.informing_counts([topic.id for topic in call_topics]),
    )


@dataclass(frozen=True)
class WhatsNew:
    """The home page: what is new across the areas."""

    areas: list
    reports: list  # ReportViews, newest publication first
    workshops: list  # the next workshops, soonest first
    open_calls: list  # workshops whose call for inputs is open, soonest closing first
    open_calls_total: int


def whats_new():
    open_calls = workshop_services.open_for_inputs()
    return WhatsNew(
        areas=community_services.thematic_areas(),
        reports=report_services.latest_publications(limit=HOME_REPORTS),
        workshops=workshop_services.list_workshops("upcoming", page=1, per_page=HOME_WORKSHOPS).items,
        open_calls=open_calls[:HOME_CALLS],
        open_calls_total=len(open_calls),
    )


@dataclass(frozen=True)
class Publications:
    """The dissemination list: one page of published reports with the filters that chose it."""

    page: object  # pagination Page of ReportViews
    area: str | None
    kind: str | None
    year: int | None
    areas: list
    kinds: dict
    years: list


def publications(area=None, kind=None, year=None, page=1):
    """The dissemination materials filtered by area, kind and year (values naming nothing are ignored)."""
    area, kind, year = report_services.clean_publication_filters(area, kind, year)
    areas = community_services.thematic_areas()
    if area not in {item.code for item in areas}:
        area = None
    return Publications(
        page=report_services.publications(area=area, kind=kind, year=year, page=page, per_page=PUBLICATIONS_PER_PAGE),
        area=area,
        kind=kind,
        year=year,
        areas=areas,
        kinds=report_services.PUBLICATION_KINDS,
        years=report_services.publication_years(),
    )
