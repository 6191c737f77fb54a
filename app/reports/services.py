"""Report rules: who sees and edits what, templates per kind, sections, items, suggestions, publishing.

Views, the API, the CLI and the build job call these; none of them decides
anything about reports themselves.
"""
import functools
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from app.community.models import Network, ThematicArea, utcnow
from app.contributions.models import Contribution, contribution_areas
from app.contributions.types import TYPES
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.reports.models import FILE_FORMATS, ITEM_STATUSES, KINDS, Report, ReportItem, ReportSection, ReportVersion, report_areas
from app.sanitising import clean_plain_text, clean_rich_text
from app.service_errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from app.unit_of_work import after_commit, transactional, unit_of_work
from app.workshops.models import Workshop

TITLE_MAX = 300
SYNTHESIS_MAX = 100_000
BUILD_JOB_KIND = "report_build"


class ReportError(ServiceError):
    """A report rule refused the request (kept as a name for callers that still catch it)."""

    status = 409


class ReportForbidden(ReportError, Forbidden):
    status = 403


class ReportConflict(ReportError, Conflict):
    status = 409


class ReportInputError(ReportError, Invalid):
    status = 422

    def __init__(self, fields, message=None):
        super().__init__(message or _l("Some answers are not valid."), fields)


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


# --- who may do what ---------------------------------------------------------------

def _signed_in(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "active", True))


def can_manage_reports(user):
    """Editors and admins have a reports workspace."""
    return _signed_in(user) and user.has_role("editor", "admin")


def can_edit(user, report):
    """Admins edit every report; editors the reports of an area they cover."""
    if not _signed_in(user) or report is None:
        return False
    if user.has_role("admin"):
        return True
    return user.has_role("editor") and bool({area.id for area in user.areas} & {area.id for area in report.areas})


def is_public(report):
    """A report is public once a version of it is published (later drafts stay with the editors)."""
    return report is not None and bool(report.versions)


def can_view(user, report):
    return is_public(report) or can_edit(user, report)


def get_report(report_id):
    return db.session.get(Report, report_id)


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
            report, True, report.title, report.kind, report.area_codes, report.period_start, report.period_end,
            report.state, report.version, None,
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
        "published",
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
    import json

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
        report_areas.c.area_id.in_(sa.select(ThematicArea.id).where(ThematicArea.code == code)),
    )


def get_viewable(user, report_id):
    report = get_report(report_id)
    return report if can_view(user, report) else None


def get_editable(user, report_id):
    """The report if `user` may edit it; None when it does not exist or they may not even see it;
    raises ReportForbidden when they see it (published) but may not edit it."""
    report = get_report(report_id)
    if report is None or not can_view(user, report):
        return None
    if not can_edit(user, report):
        raise ReportForbidden(_l("Only editors of the report's thematic areas can change it."))
    return report


def find_editable(user, report_id):
    """The report if `user` may edit it; NotFound when it does not exist or they may not see it, Forbidden when
    they see it (published) but may not edit it."""
    report = get_editable(user, report_id)
    if report is None:
        raise NotFound(_l("No such report."))
    return report


def editable_reports_clause(user):
    if not can_manage_reports(user):
        return sa.false()
    if user.has_role("admin"):
        return sa.true()
    editor_areas = [area.id for area in user.areas]
    return sa.exists().where(report_areas.c.report_id == Report.id, report_areas.c.area_id.in_(editor_areas))


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
    from app.pagination import paginate

    editable = editable_reports_clause(user)
    statement = sa.select(Report).where(sa.or_(published_clause(), editable))
    if area:
        code = area.upper()
        statement = statement.where(
            sa.or_(sa.and_(editable, _live_area_clause(code)), sa.and_(sa.not_(editable), _published_area_clause(code)))
        )
    if kind:
        statement = statement.where(Report.kind == kind)
    if state:
        statement = statement.where(
            sa.or_(sa.and_(editable, Report.state == state), sa.and_(sa.not_(editable), sa.true() if state == "published" else sa.false()))
        )
    return paginate(statement.order_by(Report.updated_at.desc(), Report.id.desc()), page, per_page)


def published_reports(area=None, kind=None, page=1, per_page=20):
    """The public list: reports with a published version, newest publication first, as published (report_view_for(None, ...))."""
    from app.pagination import paginate

    latest = sa.select(sa.func.max(ReportVersion.published_at)).where(ReportVersion.report_id == Report.id).scalar_subquery()
    statement = sa.select(Report).where(published_clause())
    if area:
        statement = statement.where(_published_area_clause(area.upper()))
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
        errors[name] = _l("A list of thematic area codes, e.g. [\"BM\"].")
        return []
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    if not wanted:
        if required:
            errors[name] = _l("Choose at least one thematic area.")
        return []
    areas = db.session.scalars(sa.select(ThematicArea).where(ThematicArea.code.in_(wanted))).all()
    unknown = sorted(set(wanted) - {area.code for area in areas})
    if unknown:
        errors[name] = _l("Unknown thematic area: %(codes)s", codes=", ".join(unknown))
        return []
    return sorted(areas, key=lambda area: area.position)


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
    report = Report(kind=kind, title=title, period_start=start, period_end=end, state="draft", version=1, created_by_id=actor.id)
    report.areas = areas
    for position, (heading, draws, types) in enumerate(KIND_TEMPLATES[kind], start=1):
        report.sections.append(
            ReportSection(position=position, heading=str(heading), draws_contributions=draws, types=list(types), area_codes=[])
        )
    db.session.add(report)
    db.session.flush()
    return report


def begin_change(report):
    """Every change goes through here: refused while a build runs; a published report becomes the draft of its next version."""
    if report.state == "frozen":
        raise ReportConflict(_l("The report is being built and published; wait until that finishes."))
    if report.state == "published":
        # Atomic, so two editors starting at once make one next version, not two.
        db.session.execute(
            sa.update(Report)
            .where(Report.id == report.id, Report.state == "published")
            .values(state="draft", version=Report.version + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(report, attribute_names=["state", "version", "updated_at"])
        if report.state != "draft":
            raise ReportConflict(_l("The report is being built and published; wait until that finishes."))
    report.updated_at = utcnow()


@transactional
def update_report(report, actor, payload):
    """PATCH: title, thematic_areas, period_start, period_end. Editing a published report starts its next version."""
    if not can_edit(actor, report):
        raise ReportForbidden(_l("Only editors of the report's thematic areas can change it."))
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
    begin_change(report)
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


# --- sections ------------------------------------------------------------------------------

def _require_edit(actor, report):
    if not can_edit(actor, report):
        raise ReportForbidden(_l("Only editors of the report's thematic areas can change it."))


def get_section(report, section_id):
    return next((section for section in report.sections if section.id == section_id), None)


def _renumber(sections):
    for position, section in enumerate(sections, start=1):
        section.position = position


@transactional
def add_section(report, actor, heading, draws_contributions=True, types=()):
    _require_edit(actor, report)
    errors = {}
    heading = _clean_title(heading, errors, "heading")
    unknown = [code for code in types if code not in TYPES]
    if unknown:
        errors["types"] = _l("Unknown contribution type: %(types)s", types=", ".join(unknown))
    if errors:
        raise ReportInputError(errors)
    begin_change(report)
    section = ReportSection(
        heading=heading, draws_contributions=bool(draws_contributions), types=list(types), area_codes=[], synthesis=""
    )
    report.sections.append(section)
    _renumber(report.sections)
    db.session.flush()
    return section


@transactional
def update_section(report, section, actor, payload):
    """Change a section: heading, synthesis (rich text, sanitised), draws_contributions and criteria
    (areas, types, period_start, period_end, workshop_id, network_id). Keys absent stay as they are."""
    _require_edit(actor, report)
    errors = {}
    changes = {}
    if "heading" in payload:
        changes["heading"] = _clean_title(payload["heading"], errors, "heading")
    if "synthesis" in payload:
        synthesis = payload["synthesis"]
        if not isinstance(synthesis, (str, type(None))):
            errors["synthesis"] = _l("The synthesis must be text.")
        else:
            changes["synthesis"] = clean_rich_text(synthesis or "")
            if len(changes["synthesis"]) > SYNTHESIS_MAX:
                errors["synthesis"] = _l("At most %(count)d characters.", count=SYNTHESIS_MAX)
    if "draws_contributions" in payload:
        changes["draws_contributions"] = bool(payload["draws_contributions"])
    if "areas" in payload:
        changes["area_codes"] = [area.code for area in _resolve_areas(payload["areas"] or [], "areas", errors, required=False)]
    if "types" in payload:
        types = payload["types"] or []
        if not isinstance(types, (list, tuple)) or not all(isinstance(code, str) for code in types):
            errors["types"] = _l("A list of contribution type codes.")
        else:
            unknown = [code for code in types if code not in TYPES]
            if unknown:
                errors["types"] = _l("Unknown contribution type: %(types)s", types=", ".join(unknown))
            else:
                changes["types"] = [code for code in TYPES if code in types]
    for name in ("period_start", "period_end"):
        if name in payload:
            changes[name] = _parse_date(payload[name], name, errors)
    _check_period(changes.get("period_start", section.period_start), changes.get("period_end", section.period_end), errors)
    for name, model in (("workshop_id", Workshop), ("network_id", Network)):
        if name in payload:
            value = payload[name]
            if value in (None, "", 0):
                changes[name] = None
            elif isinstance(value, int) and not isinstance(value, bool) and db.session.get(model, value) is not None:
                changes[name] = value
            else:
                errors[name] = _l("Unknown workshop.") if model is Workshop else _l("Unknown network.")
    if errors:
        raise ReportInputError(errors)
    if not _differs(section, changes):
        return section
    begin_change(report)
    for name, value in changes.items():
        setattr(section, name, value)
    return section


@transactional
def move_section(report, section, actor, direction):
    """Move a section one place up or down (keyboard-friendly buttons; no dragging needed)."""
    _require_edit(actor, report)
    sections = list(report.sections)
    index = sections.index(section)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise ReportInputError({"direction": _l("Move up or down.")})
    if not 0 <= target < len(sections):
        return section
    begin_change(report)
    sections[index], sections[target] = sections[target], sections[index]
    _renumber(sections)
    db.session.flush()
    db.session.expire(report, ["sections"])
    return section


@transactional
def remove_section(report, section, actor):
    _require_edit(actor, report)
    begin_change(report)
    report.sections.remove(section)
    _renumber(report.sections)


# --- what flows into a section --------------------------------------------------------------

def _start_of(day):
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def criteria(section):
    """The section's effective criteria (its own, else the report's), as plain data."""
    report = section.report
    return {
        "draws_contributions": section.draws_contributions,
        "areas": list(section.area_codes or report.area_codes),
        "types": list(section.types or []),
        "period_start": section.period_start or report.period_start,
        "period_end": section.period_end or report.period_end,
        "workshop_id": section.workshop_id,
        "network_id": section.network_id,
    }


def criteria_clause(section):
    """SQL: a contribution matches the section's criteria (whatever its state)."""
    effective = criteria(section)
    if not effective["draws_contributions"] or not effective["areas"]:
        return sa.false()
    area_ids = sa.select(ThematicArea.id).where(ThematicArea.code.in_(effective["areas"]))
    conditions = [
        sa.exists().where(contribution_areas.c.contribution_id == Contribution.id, contribution_areas.c.area_id.in_(area_ids))
    ]
    if effective["types"]:
        conditions.append(Contribution.type.in_(effective["types"]))
    if effective["period_start"]:
        conditions.append(Contribution.submitted_at >= _start_of(effective["period_start"]))
    if effective["period_end"]:
        conditions.append(Contribution.submitted_at < _start_of(effective["period_end"] + timedelta(days=1)))
    if effective["workshop_id"]:
        conditions.append(Contribution.workshop_id == effective["workshop_id"])
    if effective["network_id"]:
        conditions.append(Contribution.network_id == effective["network_id"])
    return sa.and_(*conditions)


def matching_accepted(section):
    """Accepted contributions matching the section's criteria, oldest submission first."""
    return db.session.scalars(
        sa.select(Contribution)
        .where(Contribution.state == "accepted", criteria_clause(section))
        .order_by(Contribution.submitted_at, Contribution.id)
    ).all()


@dataclass
class Entry:
    """One contribution as the editor sees it in a section."""

    contribution: Contribution
    status: str
    position: int = 0
    item: ReportItem | None = None
    matches: bool = True

    @property
    def left(self):
        """No longer accepted (re-opened): out of the report whatever its status, with a note."""
        return self.contribution.state != "accepted"

    @property
    def note(self):
        if self.item is not None and self.item.note:
            return self.item.note
        if self.left:
            return str(_l("This contribution is no longer accepted, so it is left out of the report."))
        return ""


@dataclass
class SectionEntries:
    included: list
    suggested: list
    excluded: list
    left: list

    @property
    def candidates(self):
        """What the section would hold if every suggestion were taken: for the editor's counts."""
        return [entry.contribution for entry in self.included + self.suggested]


def section_entries(section):
    """The section's contributions: included (in order), suggested, excluded, and those that left `accepted`.

    Suggestions are computed when read (accepted contributions matching the
    criteria), so a contribution shows up as soon as it is accepted; stored
    decisions win over them, so an excluded one stays excluded.
    """
    stored = {item.contribution_id: item for item in section.items}
    matching = matching_accepted(section) if section.draws_contributions else []
    matching_ids = {contribution.id for contribution in matching}
    included, suggested, excluded, left = [], [], [], []
    for item in section.items:
        entry = Entry(item.contribution, item.status, item.position, item, item.contribution_id in matching_ids)
        if entry.left:
            left.append(entry)
        else:
            {"included": included, "suggested": suggested, "excluded": excluded}[item.status].append(entry)
    for contribution in matching:
        if contribution.id not in stored:
            suggested.append(Entry(contribution, "suggested"))
    included.sort(key=lambda entry: (entry.position, entry.contribution.id))
    return SectionEntries(included, suggested, excluded, left)


def included_contributions(report):
    """Every contribution the published report would hold, in report order (each once)."""
    seen, result = set(), []
    for section in report.sections:
        for entry in section_entries(section).included:
            if entry.contribution.id not in seen:
                seen.add(entry.contribution.id)
                result.append(entry.contribution)
    return result


def _known_to(actor, section, contribution):
    """The editor may decide on a contribution they can open, or one the section suggests to them."""
    from app.contributions import services as contribution_services

    if contribution_services.can_view(actor, contribution):
        return True
    return contribution.state == "accepted" and bool(
        db.session.scalar(sa.select(sa.literal(True)).where(Contribution.id == contribution.id, criteria_clause(section)))
    )


@transactional
def set_item(report, section, actor, contribution_id, status, position=None):
    """Include, exclude or move (`position`, 1 = first among the included) one contribution in a section."""
    _require_edit(actor, report)
    errors = {}
    if status not in ITEM_STATUSES:
        errors["status"] = _l("Choose one of: %(statuses)s.", statuses=", ".join(ITEM_STATUSES))
    if not isinstance(contribution_id, int) or isinstance(contribution_id, bool):
        errors["contribution_id"] = _l("A contribution id (a number) is required.")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool) or position < 1):
        errors["position"] = _l("A position is a number from 1.")
    if errors:
        raise ReportInputError(errors)
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None or not _known_to(actor, section, contribution):
        raise ReportInputError({"contribution_id": _l("Unknown contribution: %(id)s", id=contribution_id)})
    if status == "included" and contribution.state != "accepted":
        raise ReportConflict(_l("Only accepted contributions can be included in a report."))
    begin_change(report)
    item = next((item for item in section.items if item.contribution_id == contribution_id), None)
    if item is None:
        item = ReportItem(contribution=contribution, status=status, position=0)
        section.items.append(item)
    was_included_at = item.position if item.status == "included" and item.position > 0 else None
    item.status = status
    item.decided_by_id = actor.id
    item.decided_at = utcnow()
    if contribution.state == "accepted":
        item.left_at = None
        item.note = ""
    included = sorted(
        (other for other in section.items if other.status == "included" and other is not item),
        key=lambda other: (other.position, other.contribution_id),
    )
    if status == "included":
        # A given position wins; an item already included keeps its place; a new one goes last.
        place = position or was_included_at or len(included) + 1
        included.insert(min(place, len(included) + 1) - 1, item)
    else:
        item.position = 0
    for number, other in enumerate(included, start=1):
        other.position = number
    return item


def move_item(report, section, actor, contribution_id, direction):
    """Move an included contribution one place up or down."""
    entries = section_entries(section).included
    index = next((i for i, entry in enumerate(entries) if entry.contribution.id == contribution_id), None)
    if index is None:
        raise ReportConflict(_l("Only included contributions can be moved."))
    if direction not in ("up", "down"):
        raise ReportInputError({"direction": _l("Move up or down.")})
    target = index + (-1 if direction == "up" else 1)
    if not 0 <= target < len(entries):
        return entries[index].item
    return set_item(report, section, actor, contribution_id, "included", position=target + 1)


# --- contributions leaving and coming back (workflow effects) -------------------------------------

def contribution_left_accepted(contribution, actor, comment=""):
    """Effect of re-opening an accepted contribution: every report section holding or suggesting it keeps a note.

    Runs inside the transition's transaction (the caller commits).
    """
    when = utcnow()
    note = str(
        _l(
            "Re-opened by %(actor)s on %(date)s, so no longer accepted: left out of the report until it is accepted again.",
            actor=actor.display_name if actor is not None else "?",
            date=when.date().isoformat(),
        )
    )
    if comment:
        note = f"{note} {_l('Reason:')} {comment}"[:1000]
    stored_sections = set()
    for item in db.session.scalars(sa.select(ReportItem).where(ReportItem.contribution_id == contribution.id)):
        item.left_at = when
        item.note = note
        stored_sections.add(item.section_id)
    # Sections that only suggested it get a row too, so the editor sees it went.
    sections = db.session.scalars(
        sa.select(ReportSection).join(Report).where(Report.state.in_(("draft", "published")), ReportSection.draws_contributions.is_(True))
    ).all()
    for section in sections:
        if section.id in stored_sections:
            continue
        matches = db.session.scalar(
            sa.select(sa.literal(True)).where(Contribution.id == contribution.id, criteria_clause(section))
        )
        if matches:
            db.session.add(ReportItem(section_id=section.id, contribution_id=contribution.id, status="suggested", position=0, left_at=when, note=note))


def contribution_accepted(contribution):
    """Effect of accepting: a contribution that had left reports comes back as a suggestion for the editor to check
    (an excluded one stays excluded). Runs inside the transition's transaction."""
    for item in db.session.scalars(
        sa.select(ReportItem).where(ReportItem.contribution_id == contribution.id, ReportItem.left_at.is_not(None))
    ):
        item.left_at = None
        if item.status == "included":
            item.status = "suggested"
            item.position = 0
        item.note = str(_l("Accepted again after being re-opened: check it before including it again."))


# --- publishing ------------------------------------------------------------------------------

def reports_folder():
    folder = current_app.config.get("REPORTS_FOLDER") or os.path.join(current_app.instance_path, "reports")
    return os.path.abspath(folder)


def report_folder(report_id):
    """Where a report's versions are written: one new sub-folder per build, never reused."""
    return os.path.join(reports_folder(), f"report-{report_id}")


def publish(report, actor):
    """Freeze the report and queue the build of its next version; returns the BackgroundJob (202)."""
    from app.background import services as jobs

    _require_edit(actor, report)
    if report.state == "frozen":
        raise ReportConflict(_l("The report is being built and published already."))
    if report.state == "published":
        raise ReportConflict(
            _l("Version %(version)d is published. Change the report to prepare version %(next)d.", version=report.version, next=report.version + 1)
        )
    if not report.sections:
        raise ReportConflict(_l("A report needs at least one section to be published."))
    claimed = db.session.execute(
        sa.update(Report)
        .where(Report.id == report.id, Report.state == "draft")
        .values(state="frozen", build_error="", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ReportConflict(_l("Someone else changed or published the report meanwhile; reload it."))
    db.session.refresh(report, attribute_names=["state", "build_error", "version"])
    job = jobs.new_job(BUILD_JOB_KIND, "report", report.id, actor, version=report.version)
    db.session.flush()
    report.build_job_id = job.id
    db.session.commit()
    enqueue_build(job)
    return job


def enqueue_build(job):
    from app.jobs import enqueue
    from app.reports.jobs import build_report

    # The RQ id is the job's own id: a second enqueue of the same build is the same RQ job.
    return enqueue(build_report, job.id, job_id=f"report-build-{job.id}")


def build_job(report):
    return report.build_job


def run_build(job_id):
    """The body of the build job: idempotent, records progress, leaves the report published or back in draft."""
    from app.background import services as jobs
    from app.mail.services import dispatch
    from app.reports import build
    from app.subscriptions import services as subscriptions

    job = jobs.get(job_id)
    if job is None or job.done:
        return job.state if job is not None else None
    if not jobs.claim(job_id):
        return "skipped"
    db.session.refresh(job)
    report = db.session.get(Report, job.subject_id) if job.subject_type == "report" else None
    number = (job.params or {}).get("version")
    if report is None or report.state != "frozen" or report.version != number:
        jobs.mark_failed(job, _l("The report changed since the build was asked for; publish it again."))
        db.session.commit()
        return "failed"
    existing = db.session.scalar(sa.select(ReportVersion).where(ReportVersion.report_id == report.id, ReportVersion.number == number))
    if existing is not None:
        # Built by an earlier run of this job that stopped before recording the job as finished.
        report.state = "published"
        jobs.mark_finished(job, version=number)
        db.session.commit()
        return "finished"

    built = None
    messages = []
    try:
        built = build.build_version(report, number, progress=lambda value: jobs.set_progress(job, value))
        version = ReportVersion(
            report_id=report.id,
            number=number,
            title=report.title,
            published_at=built["published_at"],
            published_by_id=job.created_by_id,
            area_codes=report.area_codes,
            **{f"{fmt}_path": built["files"][fmt]["path"] for fmt in FILE_FORMATS},
            **{f"{fmt}_sha256": built["files"][fmt]["sha256"] for fmt in FILE_FORMATS},
        )
        db.session.add(version)
        report.state = "published"
        report.published_at = built["published_at"]
        report.build_error = ""
        db.session.flush()
        messages = subscriptions.notify_report_published(report, version)
        jobs.mark_finished(job, version=number)
        db.session.commit()
    except Exception as error:  # the build failed: the report goes back to draft, the error to the editor
        db.session.rollback()
        if built is not None:
            build.discard(built)
        current_app.logger.exception("Building report %s version %s failed", job.subject_id, number)
        _record_failure(job_id, error)
        return "failed"
    dispatch(*messages)
    return "finished"


def _record_failure(job_id, error):
    from app.background import services as jobs

    job = jobs.get(job_id)
    message = str(_l("The build failed: %(error)s", error=f"{type(error).__name__}: {error}"))
    report = db.session.get(Report, job.subject_id) if job is not None else None
    if report is not None and report.state == "frozen":
        report.state = "draft"
        report.build_error = message
    if job is not None:
        jobs.mark_failed(job, message)
    db.session.commit()


def retry_queued_builds(older_than=None, may_queue=None):
    """Enqueue again every build still waiting: queued (e.g. asked for while Redis was down) or started by a
    worker that died long ago. Returns how many.

    The workers' sweep (app.jobs.sweep) passes `older_than` and `may_queue(job_key)` (no job left in RQ,
    not queued by another sweep); `reports retry-builds` takes them all.
    """
    from app.background import services as jobs

    queued = [
        job
        for job in jobs.waiting_jobs(BUILD_JOB_KIND, older_than)
        if may_queue is None or may_queue(f"report-build-{job.id}")  # the RQ id enqueue_build gives it
    ]
    for job in queued:
        enqueue_build(job)
    return len(queued)


# --- published versions and their files -------------------------------------------------------------

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
    import json

    path = version_file(version, "json")
    if path is None:
        return None
    from app.reports.build import with_picture

    with open(path, encoding="utf-8") as handle:
        return with_picture(json.load(handle))


def download_name(version, fmt):
    return f"ceris-report-{version.report_id}-v{version.number}.{fmt}"
