"""Reports themselves: the sections a new report starts with, what a viewer sees of one, lists, creating and editing."""

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.community.services import area_ids_for_codes, areas_for_codes, normalise_area_codes
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.pagination import paginate
from app.reports.access import can_edit, can_manage_reports, editable_reports_clause, lifecycle, released_state, require_edit
from app.reports.errors import ReportForbidden, ReportInputError, transactional
from app.reports.files import version_file
from app.reports.models import KINDS, Report, ReportSection, ReportVersion, report_areas
from app.reports.publishing import begin_change
from app.sanitising import clean_plain_text

TITLE_MAX = 300


# --- templates: the sections a new report starts with ------------------------------------

# (heading, draws contributions, types). The full report: an introduction,
# one section per contribution type (needs first, then answers, then what
# comes next), and conclusions.
KIND_TEMPLATES = {
    "state_of_the_art": [
        (_l("Introduction"), False, []),
        (_l("Capability gaps"), True, ["capability_gap"]),
        (_l("State-of-the-art solutions"), True, ["technology"]),
        (_l("Outcomes and lessons learnt"), True, ["outcome"]),
        (_l("Standardisation needs"), True, ["standardisation"]),
        (_l("Uptake of research results"), True, ["exploitation"]),
        (_l("Emerging trends"), True, ["trend"]),
        (_l("Conclusions"), False, []),
    ],
    "briefing": [
        (_l("Key messages"), False, []),
        (_l("Findings"), True, ["capability_gap", "trend"]),
        (_l("Recommendations"), True, ["outcome", "exploitation", "standardisation"]),
    ],
    "research_agenda": [
        (_l("Introduction"), False, []),
        (_l("Capability gaps"), True, ["capability_gap"]),
        (_l("Solutions at the state of the art"), True, ["technology"]),
        (_l("Standardisation needs"), True, ["standardisation"]),
        (_l("Research and innovation priorities"), False, []),
    ],
    "case_study": [
        (_l("Context"), False, []),
        (_l("Evidence from practice"), True, ["outcome", "exploitation"]),
        (_l("Solutions used"), True, ["technology"]),
        (_l("Lessons and recommendations"), False, []),
    ],
}


# --- what a viewer sees of a report ----------------------------------------------------


@dataclass(frozen=True)
class ReportView:
    """What one viewer sees of a report's details.

    Editors of the report see the working draft. Everyone else sees the
    latest published version as it was published: once a report is
    published, an editor's changes (title, areas, period) are the next
    version's draft and stay with the editors until that version is published.
    """

    report: Report
    editor: bool
    title: str
    kind: str
    area_codes: list
    period_start: date | None
    period_end: date | None
    state: str
    version: int
    published: ReportVersion | None  # the version shown to a non-editor; None for editors


def report_view_for(viewer, report):
    """`viewer`'s view of `report` (see ReportView); None when they may not see it at all."""
    if can_edit(viewer, report):
        return ReportView(
            report,
            True,
            report.title,
            report.kind,
            report.area_codes,
            report.period_start,
            report.period_end,
            report.state,
            report.version,
            None,
        )
    latest = report.latest_version if report is not None else None
    if latest is None:
        return None
    facts = _published_facts(latest)
    return ReportView(
        report,
        False,
        latest.title,
        facts.get("kind") or report.kind,
        list(latest.area_codes or []),
        _iso_date(facts.get("period_start")),
        _iso_date(facts.get("period_end")),
        released_state(),
        latest.number,
        latest,
    )


def _iso_date(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _published_facts(version):
    """The report's details as `version` published them (its JSON export's "report"); {} if the file is gone."""
    path = version_file(version, "json")
    return _read_facts(path, version.json_sha256) if path is not None else {}


@functools.lru_cache(maxsize=512)
def _read_facts(path, sha256):
    # Published files never change (written once, read-only), so (path, digest) is a safe cache key.
    with open(path, encoding="utf-8") as handle:
        return json.load(handle).get("report") or {}


def _published_area_clause(code):
    """The report's latest published version was published with area `code` (later draft edits do not count)."""
    later = aliased(ReportVersion)
    return sa.exists().where(
        ReportVersion.report_id == Report.id,
        sa.cast(ReportVersion.area_codes, sa.Text).contains(f'"{code}"', autoescape=True),
        ~sa.exists().where(later.report_id == ReportVersion.report_id, later.number > ReportVersion.number),
    )


def _live_area_clause(code):
    return sa.exists().where(
        report_areas.c.report_id == Report.id,
        report_areas.c.area_id.in_(area_ids_for_codes([code])),
    )


def editable_reports(user):
    return db.session.scalars(
        sa.select(Report).where(editable_reports_clause(user)).order_by(Report.updated_at.desc(), Report.id.desc())
    ).all()


def published_clause():
    return sa.exists().where(ReportVersion.report_id == Report.id)


def list_reports(user, area=None, kind=None, state=None, page=1, per_page=20):
    """Reports `user` may see (published ones, plus those they edit), filtered; returns a pagination Page.

    Filters match what the caller sees (report_view_for): the working draft of
    reports they edit, the latest published version of the others.
    """
    editable = editable_reports_clause(user)
    statement = sa.select(Report).where(sa.or_(published_clause(), editable))
    if area:
        code = (normalise_area_codes([area]) or [area])[0]  # stored codes are upper case: "bm" finds BM
        statement = statement.where(
            sa.or_(sa.and_(editable, _live_area_clause(code)), sa.and_(sa.not_(editable), _published_area_clause(code)))
        )
    if kind:
        statement = statement.where(Report.kind == kind)
    if state:
        statement = statement.where(
            sa.or_(
                sa.and_(editable, Report.state == state),
                sa.and_(sa.not_(editable), sa.true() if lifecycle().state_has(state, "released") else sa.false()),
            )
        )
    return paginate(statement.order_by(Report.updated_at.desc(), Report.id.desc()), page, per_page)


def published_reports(area=None, kind=None, page=1, per_page=20):
    """The public list: reports with a published version, newest publication first, as published (report_view_for(None, ...))."""
    latest = sa.select(sa.func.max(ReportVersion.published_at)).where(ReportVersion.report_id == Report.id).scalar_subquery()
    statement = sa.select(Report).where(published_clause())
    if area:
        statement = statement.where(_published_area_clause((normalise_area_codes([area]) or [area])[0]))
    if kind:
        statement = statement.where(Report.kind == kind)
    return paginate(statement.order_by(latest.desc(), Report.id.desc()), page, per_page)


# --- input ----------------------------------------------------------------------------


def _parse_date(value, name, errors):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[name] = _l("Use a date like 2026-03-31.")
    return None


def _resolve_areas(codes, name, errors, required=True):
    if not isinstance(codes, (list, tuple)) or not all(isinstance(code, str) for code in codes):
        errors[name] = _l('A list of thematic area codes, e.g. ["BM"].')
        return []
    if not normalise_area_codes(codes):
        if required:
            errors[name] = _l("Choose at least one thematic area.")
        return []
    areas, unknown = areas_for_codes(codes)
    if unknown:
        errors[name] = _l("Unknown thematic area: %(codes)s", codes=", ".join(sorted(unknown)))
        return []
    return areas


def _clean_title(value, errors, name="title"):
    if not isinstance(value, (str, type(None))):
        errors[name] = _l("The title must be text.")
        return None
    title = clean_plain_text(value, multiline=False)
    if not title:
        errors[name] = _l("A title is required.")
    elif len(title) > TITLE_MAX:
        errors[name] = _l("At most %(count)d characters.", count=TITLE_MAX)
    return title


def _check_period(start, end, errors, start_name="period_start", end_name="period_end"):
    if start and end and end < start:
        errors[end_name] = _l("The period cannot end before it starts.")


def _check_editor_areas(actor, areas, keep=()):
    """Editors place reports only in areas they cover (and may keep the ones a report already has)."""
    if actor.has_role("admin"):
        return
    allowed = {area.id for area in actor.areas} | {area.id for area in keep}
    outside = [area.code for area in areas if area.id not in allowed]
    if outside:
        raise ReportForbidden(
            _l("You are not an editor of: %(codes)s.", codes=", ".join(outside)),
        )


# --- creating and changing reports ----------------------------------------------------------


@transactional
def create_report(actor, payload):
    """A new draft with the sections of its kind's template. `payload` as the API takes it."""
    if not can_manage_reports(actor):
        raise ReportForbidden(_l("Only editors can create reports."))
    errors = {}
    kind = payload.get("kind")
    if kind not in KINDS:
        errors["kind"] = _l("Choose one of: %(kinds)s.", kinds=", ".join(KINDS))
    title = _clean_title(payload.get("title"), errors)
    areas = _resolve_areas(payload.get("thematic_areas") or [], "thematic_areas", errors)
    start = _parse_date(payload.get("period_start"), "period_start", errors)
    end = _parse_date(payload.get("period_end"), "period_end", errors)
    _check_period(start, end, errors)
    if errors:
        raise ReportInputError(errors)
    _check_editor_areas(actor, areas)
    report = Report(
        kind=kind, title=title, period_start=start, period_end=end, state=lifecycle().initial, version=1, created_by_id=actor.id
    )
    report.areas = areas
    for position, (heading, draws, types) in enumerate(KIND_TEMPLATES[kind], start=1):
        report.sections.append(
            ReportSection(position=position, heading=str(heading), draws_contributions=draws, types=list(types), area_codes=[])
        )
    db.session.add(report)
    db.session.flush()
    return report


@transactional
def update_report(report, actor, payload):
    """PATCH: title, thematic_areas, period_start, period_end. Editing a published report starts its next version."""
    require_edit(actor, report)
    errors = {}
    changes = {}
    if "title" in payload:
        changes["title"] = _clean_title(payload["title"], errors)
    if "thematic_areas" in payload:
        changes["areas"] = _resolve_areas(payload["thematic_areas"], "thematic_areas", errors)
    for name in ("period_start", "period_end"):
        if name in payload:
            changes[name] = _parse_date(payload[name], name, errors)
    start = changes.get("period_start", report.period_start)
    end = changes.get("period_end", report.period_end)
    _check_period(start, end, errors)
    if errors:
        raise ReportInputError(errors)
    if "areas" in changes:
        _check_editor_areas(actor, changes["areas"], keep=report.areas)
    if not _differs(report, changes):
        return report
    begin_change(report, actor)
    for name, value in changes.items():
        setattr(report, name, value)
    return report


def _differs(obj, changes):
    for name, value in changes.items():
        current = getattr(obj, name)
        if name == "areas":
            if [area.id for area in current] != [area.id for area in value]:
                return True
        elif current != value:
            return True
    return False
