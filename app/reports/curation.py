"""Curating a report: its sections, their criteria, and the editor's decisions on the contributions they draw.

Which contribution states feed reports is the contribution workflow's
`feeds_reports` flag; suggestions are computed when read.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from app.community.models import Network
from app.community.services import area_ids_for_codes
from app.contributions.models import Contribution, contribution_areas
from app.contributions.types import TYPES
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.reports.access import feeding_states, feeds_reports, lifecycle, require_edit
from app.reports.errors import ReportConflict, ReportInputError, transactional
from app.reports.models import ITEM_STATUSES, Report, ReportItem, ReportSection
from app.reports.publishing import begin_change
from app.reports.reports import _check_period, _clean_title, _differs, _parse_date, _resolve_areas
from app.sanitising import clean_rich_text
from app.timeutil import utcnow
from app.workshops.models import Workshop

SYNTHESIS_MAX = 100_000


# --- sections ------------------------------------------------------------------------------


def get_section(report, section_id):
    return next((section for section in report.sections if section.id == section_id), None)


def _renumber(sections):
    for position, section in enumerate(sections, start=1):
        section.position = position


@transactional
def add_section(report, actor, heading, draws_contributions=True, types=()):
    require_edit(actor, report)
    errors = {}
    heading = _clean_title(heading, errors, "heading")
    unknown = [code for code in types if code not in TYPES]
    if unknown:
        errors["types"] = _l("Unknown contribution type: %(types)s", types=", ".join(unknown))
    if errors:
        raise ReportInputError(errors)
    begin_change(report, actor)
    section = ReportSection(heading=heading, draws_contributions=bool(draws_contributions), types=list(types), area_codes=[], synthesis="")
    report.sections.append(section)
    _renumber(report.sections)
    db.session.flush()
    return section


@transactional
def update_section(report, section, actor, payload):
    """Change a section: heading, synthesis (rich text, sanitised), draws_contributions and criteria
    (areas, types, period_start, period_end, workshop_id, network_id). Keys absent stay as they are."""
    require_edit(actor, report)
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
    begin_change(report, actor)
    for name, value in changes.items():
        setattr(section, name, value)
    return section


@transactional
def move_section(report, section, actor, direction):
    """Move a section one place up or down (keyboard-friendly buttons; no dragging needed)."""
    require_edit(actor, report)
    sections = list(report.sections)
    index = sections.index(section)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise ReportInputError({"direction": _l("Move up or down.")})
    if not 0 <= target < len(sections):
        return section
    begin_change(report, actor)
    sections[index], sections[target] = sections[target], sections[index]
    _renumber(sections)
    db.session.flush()
    db.session.expire(report, ["sections"])
    return section


@transactional
def remove_section(report, section, actor):
    require_edit(actor, report)
    begin_change(report, actor)
    report.sections.remove(section)
    _renumber(report.sections)


# --- what flows into a section --------------------------------------------------------------


def _start_of(day):
    return datetime.combine(day, time.min, tzinfo=UTC)


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
    area_ids = area_ids_for_codes(effective["areas"])
    conditions = [sa.exists().where(contribution_areas.c.contribution_id == Contribution.id, contribution_areas.c.area_id.in_(area_ids))]
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
        .where(Contribution.state.in_(feeding_states()), criteria_clause(section))
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
        return not feeds_reports(self.contribution)

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
    matching = matching_accepted(section) if section.draws_contributions else []
    return _entries(section.items, matching)


# Compound SELECTs per query: SQLite allows 500; stay well under.
_SECTIONS_PER_QUERY = 200


def entries_by_section(sections):
    """{section id: SectionEntries} for many sections in a fixed number of queries (pages show every section).

    One query reads the stored items of all sections, one UNION finds which
    accepted contributions match which section's criteria, and one loads
    those contributions, instead of three or more queries per section.
    """
    sections = list(sections)
    if not sections:
        return {}
    section_ids = [section.id for section in sections]
    items_of = {section_id: [] for section_id in section_ids}
    for item in db.session.scalars(
        sa.select(ReportItem).where(ReportItem.section_id.in_(section_ids)).order_by(ReportItem.position, ReportItem.id)
    ):
        items_of[item.section_id].append(item)
    drawing = [section for section in sections if section.draws_contributions]
    matches = {section_id: [] for section_id in section_ids}
    for start in range(0, len(drawing), _SECTIONS_PER_QUERY):
        selects = [
            sa.select(sa.literal(section.id).label("section_id"), Contribution.id.label("contribution_id")).where(
                Contribution.state.in_(feeding_states()), criteria_clause(section)
            )
            for section in drawing[start : start + _SECTIONS_PER_QUERY]
        ]
        statement = selects[0] if len(selects) == 1 else sa.union_all(*selects)
        for section_id, contribution_id in db.session.execute(statement):
            matches[section_id].append(contribution_id)
    wanted = {contribution_id for ids in matches.values() for contribution_id in ids}
    # Read in the order matching_accepted() gives (oldest submission first); each section keeps that order.
    ordered = (
        db.session.scalars(
            sa.select(Contribution).where(Contribution.id.in_(wanted)).order_by(Contribution.submitted_at, Contribution.id)
        ).all()
        if wanted
        else []
    )
    rank = {contribution.id: index for index, contribution in enumerate(ordered)}
    by_id = {contribution.id: contribution for contribution in ordered}
    return {
        section.id: _entries(items_of[section.id], [by_id[cid] for cid in sorted(matches[section.id], key=rank.__getitem__)])
        for section in sections
    }


def _entries(items, matching):
    stored = {item.contribution_id: item for item in items}
    matching_ids = {contribution.id for contribution in matching}
    included, suggested, excluded, left = [], [], [], []
    for item in items:
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
    entries = entries_by_section(report.sections)
    for section in report.sections:
        for entry in entries[section.id].included:
            if entry.contribution.id not in seen:
                seen.add(entry.contribution.id)
                result.append(entry.contribution)
    return result


def _known_to(actor, section, contribution):
    """The editor may decide on a contribution they can open, or one the section suggests to them."""
    from app.contributions import services as contribution_services  # contributions' workflow imports this module: a cycle

    if contribution_services.can_view(actor, contribution):
        return True
    return feeds_reports(contribution) and bool(
        db.session.scalar(sa.select(sa.literal(True)).where(Contribution.id == contribution.id, criteria_clause(section)))
    )


@transactional
def set_item(report, section, actor, contribution_id, status, position=None):
    """Include, exclude or move (`position`, 1 = first among the included) one contribution in a section."""
    require_edit(actor, report)
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
    if status == "included" and not feeds_reports(contribution):
        raise ReportConflict(_l("Only accepted contributions can be included in a report."))
    begin_change(report, actor)
    item = next((item for item in section.items if item.contribution_id == contribution_id), None)
    if item is None:
        item = ReportItem(contribution=contribution, status=status, position=0)
        section.items.append(item)
    was_included_at = item.position if item.status == "included" and item.position > 0 else None
    item.status = status
    item.decided_by_id = actor.id
    item.decided_at = utcnow()
    if feeds_reports(contribution):
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
        sa.select(ReportSection)
        .join(Report)
        .where(Report.state.not_in(lifecycle().states_flagged("building")), ReportSection.draws_contributions.is_(True))
    ).all()
    for section in sections:
        if section.id in stored_sections:
            continue
        matches = db.session.scalar(sa.select(sa.literal(True)).where(Contribution.id == contribution.id, criteria_clause(section)))
        if matches:
            db.session.add(
                ReportItem(section_id=section.id, contribution_id=contribution.id, status="suggested", position=0, left_at=when, note=note)
            )


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


# --- for the editor's pages ------------------------------------------------------------------


def workshops_for_choice():
    """Workshops a section may draw on, newest first."""
    return db.session.scalars(sa.select(Workshop).order_by(Workshop.starts_at.desc(), Workshop.title)).all()


def candidates(report):
    """Every contribution the report's sections hold or suggest, each once, in report order (for its analysis)."""
    seen, result = set(), []
    for section in report.sections:
        for contribution in section_entries(section).candidates:
            if contribution.id not in seen:
                seen.add(contribution.id)
                result.append(contribution)
    return result
