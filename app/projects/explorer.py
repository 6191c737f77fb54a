"""The project explorer's rules: faceted search, a project's page, editors' corrections and manual projects.

Search is standard faceted search: the results match the words and every
chosen facet (values within a facet are alternatives, facets combine); each
facet's counts are computed with the words and the *other* facets' choices
applied, so a count is the number of results that ticking that value alone
gives. One GROUP BY per facet: the number of queries does not grow with the data.

Who may change projects: any editor (or admin). Areas decide which editors
handle contributions, but a project's areas are exactly what may be missing or
wrong, so the correction cannot be limited to the editors of its current areas.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from babel import Locale

from app.community import services as community_services
from app.contributions import services as contribution_services
from app.contributions.models import Contribution, contribution_projects
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.projects.models import PROGRAMMES, Project, project_areas
from app.projects.search import Match, dialect
from app.reports.models import Report, ReportItem, ReportSection, ReportVersion
from app.service_errors import Forbidden, Invalid, NotFound
from app.unit_of_work import unit_of_work

FACETS = ("programme", "area", "status", "start_year", "funding_scheme", "country")
FACET_LABELS = {
    "programme": _l("Programme"),
    "area": _l("Thematic area"),
    "status": _l("Status"),
    "start_year": _l("Start year"),
    "funding_scheme": _l("Funding scheme"),
    "country": _l("Coordinator's country"),
}
# Most values shown per facet (programmes 7, areas 6, years and countries a few dozen).
FACET_LIMIT = 60

SORTS = {
    "relevance": _l("Relevance"),
    "newest": _l("Start date, newest first"),
    "oldest": _l("Start date, oldest first"),
    "largest": _l("EU contribution, largest first"),
    "smallest": _l("EU contribution, smallest first"),
}

# CORDIS writes statuses in capitals; those it uses, in the reader's words.
STATUSES = {
    "SIGNED": _l("Ongoing"),
    "CLOSED": _l("Closed"),
    "TERMINATED": _l("Terminated"),
    "ONGOING": _l("Ongoing"),
}
# What an editor may choose for a project CORDIS does not hold.
MANUAL_STATUSES = ("SIGNED", "CLOSED", "TERMINATED")
MANUAL_PROGRAMMES = tuple(PROGRAMMES)

CORDIS_PROJECT_URL = "https://cordis.europa.eu/project/id/{cordis_id}"
MAX_PER_PAGE = 100


# --- search ---------------------------------------------------------------------------------


@dataclass
class Filters:
    """What a search asks for: words and, per facet, the values chosen (alternatives)."""

    q: str = ""
    programme: list = field(default_factory=list)
    area: list = field(default_factory=list)
    status: list = field(default_factory=list)
    start_year: list = field(default_factory=list)
    funding_scheme: list = field(default_factory=list)
    country: list = field(default_factory=list)

    def chosen(self, facet):
        return list(getattr(self, facet) or [])

    @property
    def any_chosen(self):
        return bool((self.q or "").strip()) or any(self.chosen(facet) for facet in FACETS)


@dataclass
class FacetValue:
    value: object
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    items: list
    total: int
    page: int
    per_page: int
    sort: str
    facets: dict  # facet name -> [FacetValue]

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def first_index(self):
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self):
        return self.first_index + len(self.items) - 1 if self.items else 0


def clean_filters(values):
    """Filters from loose input (a query string as lists of text): values that cannot name anything are dropped.

    The API checks its query strictly (app/api/shapes.py) before it gets here;
    the explorer page is a GET form, where a stale or edited link should still
    show results rather than an error.
    """

    def texts(name, limit, transform=str.strip):
        found = []
        for value in values.get(name) or []:
            value = transform(str(value))
            if value and len(value) <= limit and value not in found:
                found.append(value)
        return found[:50]

    years = []
    for value in values.get("start_year") or []:
        try:
            year = int(str(value).strip())
        except ValueError:
            continue
        if 1900 <= year <= 2100 and year not in years:
            years.append(year)
    q = values.get("q") or ""
    if isinstance(q, (list, tuple)):
        q = q[0] if q else ""
    return Filters(
        q=str(q).strip()[:200],
        programme=[value for value in texts("programme", 16, lambda v: v.strip().upper()) if value in PROGRAMMES],
        area=texts("area", 20, lambda v: v.strip().upper()),
        status=texts("status", 20, lambda v: v.strip().upper()),
        start_year=years,
        funding_scheme=texts("funding_scheme", 50),
        country=[value for value in texts("country", 2, lambda v: v.strip().upper()) if re.fullmatch(r"[A-Z]{2}", value)],
    )


def _start_year():
    if dialect() == "postgresql":
        return sa.cast(sa.extract("year", Project.start_date), sa.Integer)
    return sa.cast(sa.func.strftime("%Y", Project.start_date), sa.Integer)


def _condition(facet, values, area_ids=()):
    """SQL: the project has one of `values` for `facet` (for areas: one of `area_ids`, the chosen codes' ids)."""
    if facet == "programme":
        return Project.programme.in_(values)
    if facet == "status":
        return Project.status.in_(values)
    if facet == "start_year":
        return _start_year().in_(values)
    if facet == "funding_scheme":
        return Project.funding_scheme.in_(values)
    if facet == "country":
        return Project.coordinator_country.in_(values)
    if facet == "area":
        # An id list, not a subquery on codes: the planner then estimates it and picks a semi-join.
        return sa.exists().where(project_areas.c.project_id == Project.id, project_areas.c.area_id.in_(list(area_ids) or [-1]))
    raise ValueError(facet)


def _chosen_facets(filters):
    return [facet for facet in FACETS if filters.chosen(facet)]


def _conditions(filters, areas):
    return [_condition(facet, filters.chosen(facet), _area_ids(filters, areas)) for facet in _chosen_facets(filters)]


def _area_ids(filters, areas):
    chosen = set(filters.chosen("area"))
    return [area.id for area in areas if area.code in chosen]


def _ordered(query, match, sort):
    if sort == "relevance" and match:
        return match.ranked(query)
    query = match.restrict(query)
    orders = {
        "newest": (Project.start_date.desc().nulls_last(), Project.id.desc()),
        "oldest": (Project.start_date.asc().nulls_last(), Project.id.asc()),
        "largest": (Project.eu_contribution.desc().nulls_last(), Project.id.desc()),
        "smallest": (Project.eu_contribution.asc().nulls_last(), Project.id.asc()),
    }
    return query.order_by(*orders.get(sort, orders["newest"]))


def effective_sort(filters, sort):
    """Relevance needs words; without them the newest come first."""
    if sort not in SORTS:
        sort = "relevance"
    if sort == "relevance" and not Match(filters.q):
        return "newest"
    return sort


def search(filters, sort="relevance", page=1, per_page=20):
    """One page of projects matching `filters`, with each facet's counts: a SearchResult.

    Three queries whatever the data: one counts the results and every facet's
    values, one finds the page's ids in order, one reads those projects (plus
    one for the thematic areas, a table of six).
    """
    per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    page = max(int(page), 1)
    sort = effective_sort(filters, sort)
    match = Match(filters.q)
    areas = community_services.thematic_areas()
    total, counts = _counts(filters, match, areas)
    items = []
    if total and (page - 1) * per_page < total:
        # The page's ids first, sorting only the narrow columns of every match; then those projects whole.
        query = sa.select(Project.id).where(*_conditions(filters, areas))
        ids = db.session.scalars(_ordered(query, match, sort).limit(per_page).offset((page - 1) * per_page)).all()
        by_id = {project.id: project for project in db.session.scalars(sa.select(Project).where(Project.id.in_(ids)))}
        items = [by_id[project_id] for project_id in ids if project_id in by_id]
    facets = {facet: _facet_values(facet, filters, counts.get(facet, {}), areas) for facet in FACETS}
    return SearchResult(items=items, total=total, page=page, per_page=per_page, sort=sort, facets=facets)


def _counts(filters, match, areas):
    """(number of results, {facet: {value: count}}), in one query over one pass of the matching projects.

    The projects matching the words are read once (a materialised CTE holding
    only the facet columns, so the wide text is never read, and each chosen
    facet's test as a flag); each facet groups the rows whose *other* flags
    hold, and the total counts the rows whose flags all hold.
    """
    chosen = _chosen_facets(filters)
    area_ids = _area_ids(filters, areas)
    columns = {
        "programme": Project.programme,
        "status": Project.status,
        "start_year": _start_year(),
        "funding_scheme": Project.funding_scheme,
        "country": Project.coordinator_country,
    }
    flags = {facet: f"chosen_{facet}" for facet in chosen}
    matching = match.restrict(
        sa.select(
            Project.id.label("project_id"),
            *(column.label(facet) for facet, column in columns.items()),
            *(_condition(facet, filters.chosen(facet), area_ids).label(flags[facet]) for facet in chosen),
        )
    ).cte("matching")
    matching = matching.prefix_with("MATERIALIZED")

    def passing(leave_out=None):
        return [matching.c[flags[facet]] for facet in chosen if facet != leave_out]

    count = sa.func.count().label("n")
    parts = [
        sa.select(sa.literal("").label("facet"), sa.cast(sa.null(), sa.String).label("value"), count)
        .select_from(matching)
        .where(*passing())
    ]
    for facet in FACETS:
        if facet == "area":
            value = sa.cast(project_areas.c.area_id, sa.String)
            parts.append(
                sa.select(sa.literal(facet), value, count)
                .select_from(matching.join(project_areas, project_areas.c.project_id == matching.c.project_id))
                .where(*passing(facet))
                .group_by(project_areas.c.area_id)
            )
            continue
        column = matching.c[facet]
        # Values CORDIS leaves empty are "not known": not a value to filter by.
        known = column.is_not(None) if facet == "start_year" else column != ""
        parts.append(
            sa.select(sa.literal(facet), sa.cast(column, sa.String), count)
            .select_from(matching)
            .where(known, *passing(facet))
            .group_by(column)
        )
    total, counts = 0, {}
    for facet, value, number in db.session.execute(sa.union_all(*parts)):
        if not facet:
            total = number
        else:
            counts.setdefault(facet, {})[value] = number
    return total, counts


def _facet_values(facet, filters, counts, areas):
    """The facet's values with their counts (`counts`: value as text -> count), in the order readers scan them."""
    chosen = filters.chosen(facet)
    if facet == "area":
        by_id = {area.id: area for area in areas}
        found = [(by_id[int(area_id)], number) for area_id, number in counts.items() if int(area_id) in by_id]
        found.sort(key=lambda pair: (pair[0].position, pair[0].code))
        values = [
            FacetValue(value=area.code, label=str(_l(area.name)), count=number, selected=area.code in chosen) for area, number in found
        ]
    else:
        pairs = [(int(value) if facet == "start_year" else value, number) for value, number in counts.items()]
        if facet == "start_year":
            pairs.sort(key=lambda pair: -pair[0])
        else:
            pairs.sort(key=lambda pair: (-pair[1], pair[0]))
        values = [
            FacetValue(value=value, label=facet_label(facet, value), count=number, selected=value in chosen)
            for value, number in pairs[:FACET_LIMIT]
        ]
    # A chosen value with no results still shows, ticked, so it can be unticked.
    seen = {value.value for value in values}
    for value in chosen:
        if value not in seen:
            values.append(FacetValue(value=value, label=facet_label(facet, value), count=0, selected=True))
    return values


def facet_label(facet, value, locale=None):
    """A facet value as readers call it."""
    if facet == "programme":
        return str(PROGRAMMES.get(value, value))
    if facet == "status":
        return str(STATUSES.get(value, value.capitalize() if isinstance(value, str) else value))
    if facet == "country":
        return country_name(value, locale)
    return str(value)


def country_name(code, locale=None):
    if not code:
        return ""
    from flask_babel import get_locale

    try:
        names = Locale.parse(str(locale or get_locale() or "en")).territories
    except (ValueError, TypeError):
        names = Locale("en").territories
    # CORDIS writes Greece as EL and the United Kingdom as UK (EU usage).
    return names.get({"EL": "GR", "UK": "GB"}.get(code, code), code)


def status_label(value):
    return facet_label("status", value) if value else ""


# --- one project -------------------------------------------------------------------------


def get_project(project_id):
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound(_l("No such project."))
    return project


def cordis_url(project):
    return CORDIS_PROJECT_URL.format(cordis_id=project.cordis_id) if project.cordis_id else None


def _accepted_states():
    return contribution_services.workflow().states_flagged("feeds_reports")


def accepted_contributions(project):
    """The accepted contributions that cite the project (public, as the API contract says), newest first."""
    return db.session.scalars(
        sa.select(Contribution)
        .join(contribution_projects, contribution_projects.c.contribution_id == Contribution.id)
        .where(contribution_projects.c.project_id == project.id, Contribution.state.in_(_accepted_states()))
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
        .limit(200)
    ).all()


def contribution_state_label(state):
    """A contribution state's name in the workflow (untranslated: templates translate it)."""
    return contribution_services.workflow().states[state].label


def citing_contributions(viewer, project):
    """The contributions citing the project that `viewer` may see: the accepted ones (public), plus
    those the contributions service lets them open; each with whether they may open it."""
    visible = contribution_services.visibility_clause(viewer)
    rows = db.session.execute(
        sa.select(Contribution, visible.label("may_open"))
        .join(contribution_projects, contribution_projects.c.contribution_id == Contribution.id)
        .where(contribution_projects.c.project_id == project.id)
        .where(sa.or_(Contribution.state.in_(_accepted_states()), visible))
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
        .limit(200)
    ).all()
    return [(contribution, bool(may_open)) for contribution, may_open in rows]


def citing_reports(project):
    """Published reports (at least one version out) whose included items cite the project."""
    return db.session.scalars(
        sa.select(Report)
        .where(sa.exists().where(ReportVersion.report_id == Report.id))
        .where(
            sa.exists()
            .where(ReportSection.report_id == Report.id)
            .where(ReportItem.section_id == ReportSection.id, ReportItem.status == "included", ReportItem.left_at.is_(None))
            .where(ReportItem.contribution_id == contribution_projects.c.contribution_id)
            .where(contribution_projects.c.project_id == project.id)
        )
        .order_by(Report.published_at.desc().nulls_last(), Report.id.desc())
    ).all()


# --- editors' changes ------------------------------------------------------------------------


def _signed_in(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "active", True))


def can_edit_projects(user):
    """Any editor or admin may correct a project's areas and add or edit projects CORDIS does not hold."""
    return _signed_in(user) and user.has_role("editor", "admin")


def can_correct_areas(user, project):
    return can_edit_projects(user)


def can_edit_facts(user, project):
    """The facts of CORDIS projects come from CORDIS (a re-import would undo a change); manual ones are the editors'."""
    return can_edit_projects(user) and project.source == "manual"


def _require(allowed, message):
    if not allowed:
        raise Forbidden(message)


def correct_areas(actor, project, codes):
    """Set the project's areas as an editor decided; marked manual, so re-imports keep them."""
    _require(can_correct_areas(actor, project), _l("Only editors can correct a project's thematic areas."))
    areas, unknown = community_services.areas_for_codes(codes or [])
    if unknown:
        raise Invalid(_l("Choose thematic areas from the list."), {"areas": _l("Not a valid choice.")})
    with unit_of_work():
        project.areas = areas
        project.areas_manual = True
    return project


def _money(value, name, errors):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        errors[name] = _l("Give an amount in euros, such as 1250000.50.")
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        errors[name] = _l("Give an amount in euros, such as 1250000.50.")
        return None
    return amount.quantize(Decimal("0.01"))


def _text(payload, name, limit, errors, required=False):
    value = (payload.get(name) or "").strip()
    if "\x00" in value:
        errors[name] = _l("Remove the invisible control characters.")
    elif required and not value:
        errors[name] = _l("Required.")
    elif len(value) > limit:
        errors[name] = _l("At most %(n)d characters.", n=limit)
    return value


def _clean_manual(payload):
    """The facts of a manual project, checked field by field (every problem at once)."""
    errors = {}
    cleaned = {
        "acronym": _text(payload, "acronym", 100, errors, required=True),
        "title": _text(payload, "title", 500, errors, required=True),
        "call_topic": _text(payload, "call_topic", 200, errors),
        "legal_basis": _text(payload, "legal_basis", 200, errors),
        "funding_scheme": _text(payload, "funding_scheme", 50, errors),
        "coordinator": _text(payload, "coordinator", 300, errors),
        "objective": _text(payload, "objective", 20000, errors),
    }
    programme = payload.get("programme") or ""
    if programme not in MANUAL_PROGRAMMES:
        errors["programme"] = _l("Choose a programme from the list.")
    cleaned["programme"] = programme
    status = payload.get("status") or ""
    if status and status not in MANUAL_STATUSES:
        errors["status"] = _l("Not a valid choice.")
    cleaned["status"] = status
    country = (payload.get("coordinator_country") or "").strip().upper()
    if country and country not in community_services.country_codes() and country not in ("EL", "UK"):
        errors["coordinator_country"] = _l("Not a valid choice.")
    cleaned["coordinator_country"] = country
    for name in ("start_date", "end_date"):
        value = payload.get(name)
        if value is not None and not isinstance(value, date):
            errors[name] = _l("Must be a date as YYYY-MM-DD.")
            value = None
        cleaned[name] = value
    if cleaned["start_date"] and cleaned["end_date"] and cleaned["end_date"] < cleaned["start_date"]:
        errors["end_date"] = _l("The end cannot be before the start.")
    cleaned["total_cost"] = _money(payload.get("total_cost"), "total_cost", errors)
    cleaned["eu_contribution"] = _money(payload.get("eu_contribution"), "eu_contribution", errors)
    codes = payload.get("areas") or []
    areas, unknown = community_services.areas_for_codes(codes)
    if unknown:
        errors["areas"] = _l("Not a valid choice.")
    cleaned["areas"] = areas
    if errors:
        raise Invalid(_l("Some answers need correcting."), errors)
    return cleaned


def create_manual(actor, payload):
    """A project CORDIS does not hold (ISF, BMVI, UCPM, Digital Europe, national, capacity-building), source 'manual'."""
    _require(can_edit_projects(actor), _l("Only editors can add projects."))
    cleaned = _clean_manual(payload)
    areas = cleaned.pop("areas")
    with unit_of_work():
        project = Project(**cleaned, source="manual", created_by_id=actor.id, areas_manual=True)
        project.areas = areas
        db.session.add(project)
    return project


def update_manual(actor, project, payload):
    _require(can_edit_facts(actor, project), _l("Projects from CORDIS are kept up to date by imports; only their areas can be corrected."))
    cleaned = _clean_manual(payload)
    areas = cleaned.pop("areas")
    with unit_of_work():
        for name, value in cleaned.items():
            setattr(project, name, value)
        project.areas = areas
        project.areas_manual = True
    return project


def search_for_picker(q, limit=10):
    """Projects whose acronym or title words start with the words of `q`, best first (the contribution form's picker)."""
    match = Match(q)
    if not match:
        return []
    return db.session.scalars(match.ranked(sa.select(Project)).limit(limit)).all()
