"""Project explorer rules on the import side: importing CORDIS files, classifying projects, call topics.

An import is one unit of work for the whole file: rows are read and checked
one at a time (app/projects/importer.py) and written in batches of core
INSERT / UPDATE statements, so memory stays flat however long the file; the
first bad row raises, the unit rolls back, and the database is as before.

Re-imports are keyed on the CORDIS id and compare every value: a row that
changed nothing is counted unchanged and not written. An empty multi-valued
code column (legalBasis, topics) does not erase codes already known: CORDIS
files resaved through spreadsheets lose them, and topics.csv / legalBasis.csv
may have completed them. Areas follow the codes (app/projects/classification.py)
unless an editor corrected them (`areas_manual`): then imports leave them.

Which rows are out of scope: a project.csv holds EU-funded research projects,
all kept (the explorer maps projects by area; those in no area are still
searchable). topics.csv and legalBasis.csv rows of projects not in the
explorer are skipped (project.csv carries its own topic and legal basis codes,
so a project imported later is classified by its own row); call topics
outside Cluster 3 are skipped.
"""

import contextlib
import os
import secrets
from datetime import UTC, datetime
from decimal import Decimal
from itertools import groupby

import sqlalchemy as sa
from flask import current_app

from app.community.models import ThematicArea
from app.community.services import areas_for_codes
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.projects import importer
from app.projects.classification import areas_from_codes
from app.projects.importer import CALL_TOPICS, LEGAL_BASIS, PROJECTS, TOPICS, FileRefused, RowRefused
from app.projects.models import CallTopic, Project, project_areas
from app.service_errors import Forbidden, Invalid, NotFound, TooLarge
from app.timeutil import utcnow
from app.unit_of_work import transactional, unit_of_work

BATCH_SIZE = 1000
projects_table = Project.__table__
call_topics_table = CallTopic.__table__

# The values a project.csv row sets; the rest (coordinator, topic and legal-basis titles, source, ...) it leaves.
PROJECT_COLUMNS = (
    "acronym",
    "title",
    "programme",
    "framework_programme",
    "status",
    "start_date",
    "end_date",
    "total_cost",
    "eu_contribution",
    "legal_basis",
    "call_topic",
    "funding_scheme",
    "objective",
    "content_updated_at",
    "rcn",
    "grant_doi",
)


class ImportRefused(Invalid):
    """The file is refused whole; `row` is the row that made it so (None: the file as a whole)."""

    def __init__(self, message, row=None, line=None):
        super().__init__(message, fields={"file": message})
        self.row, self.line = row, line


def new_summary(kind):
    return {"kind": kind, "created": 0, "updated": 0, "unchanged": 0, "skipped": 0}


def summary_text(summary):
    """The summary as one sentence for people."""
    return str(
        _l(
            "%(kind)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(skipped)d skipped as out of scope.",
            kind=importer.KIND_LABELS.get(summary["kind"], summary["kind"]),
            created=summary["created"],
            updated=summary["updated"],
            unchanged=summary["unchanged"],
            skipped=summary["skipped"],
        )
    )


def detect_kind(path):
    try:
        return importer.detect_kind(path)
    except FileRefused as error:
        raise ImportRefused(error.message) from None


def import_file(path, progress=None):
    """Import one CORDIS file (its kind read from its header) in one unit of work; the summary as a dict.

    `progress(percent)` is called between batches. Raises ImportRefused (nothing changed) on a bad row.
    """
    try:
        cordis = importer.CordisFile(path)
    except (FileRefused, OSError) as error:
        raise ImportRefused(getattr(error, "message", None) or _l("The file cannot be read.")) from None
    except UnicodeError:
        raise ImportRefused(_l("The file cannot be read as text.")) from None
    size = max(os.path.getsize(path), 1)

    def report():
        if progress is not None:
            progress(min(99, int(100 * cordis.characters_read / size)))

    try:
        with cordis, unit_of_work():
            run = {PROJECTS: _import_projects, TOPICS: _import_topics, LEGAL_BASIS: _import_legal_basis, CALL_TOPICS: _import_call_topics}
            return run[cordis.kind](cordis, report)
    except RowRefused as error:
        raise ImportRefused(error.message, row=error.row, line=error.line) from None


# --- values compared as the database gives them back ---------------------------------------------


def _same(old, new):
    if old is None or new is None:
        # An empty text and no text are the same; no amount and 0 are not.
        return old in (None, "") and new in (None, "")
    if isinstance(new, Decimal) or isinstance(old, Decimal):
        return Decimal(old).quantize(importer.CENT) == Decimal(new).quantize(importer.CENT)
    if isinstance(new, datetime) or isinstance(old, datetime):
        return _utc(old) == _utc(new)
    return old == new


def _utc(value):
    if value is None:
        return None
    # SQLite gives back naive datetimes (stored as UTC).
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _area_ids():
    return dict(db.session.execute(sa.select(ThematicArea.code, ThematicArea.id)).all())


def _links(project_ids):
    links = {}
    if project_ids:
        for project_id, area_id in db.session.execute(
            sa.select(project_areas.c.project_id, project_areas.c.area_id).where(project_areas.c.project_id.in_(project_ids))
        ):
            links.setdefault(project_id, set()).add(area_id)
    return links


def _derived_area_ids(area_ids, programme, call_topic, legal_basis):
    return {area_ids[code] for code in areas_from_codes(programme, call_topic, legal_basis) if code in area_ids}


def _replace_links(connection, changes):
    """changes: {project id: new set of area ids}."""
    if not changes:
        return
    connection.execute(sa.delete(project_areas).where(project_areas.c.project_id.in_(list(changes))))
    rows = [{"project_id": project_id, "area_id": area_id} for project_id, area_ids in changes.items() for area_id in sorted(area_ids)]
    if rows:
        connection.execute(sa.insert(project_areas), rows)


# --- project.csv -------------------------------------------------------------------------------------


def _import_projects(cordis, report):
    summary, area_ids, seen, batch = new_summary(PROJECTS), _area_ids(), {}, []
    for record, values in cordis.rows():
        first = seen.get(values["cordis_id"])
        if first is not None:
            raise RowRefused(
                record.row, record.line, _l("project id %(id)s is also on row %(first)d.", id=values["cordis_id"], first=first)
            )
        # Only the row number of each id is kept (a few bytes a project), to refuse a file that names one twice.
        seen[values["cordis_id"]] = record.row
        batch.append(values)
        if len(batch) >= BATCH_SIZE:
            _write_projects(batch, area_ids, summary)
            batch = []
            report()
    if batch:
        _write_projects(batch, area_ids, summary)
    return summary


def _write_projects(batch, area_ids, summary):
    connection = db.session.connection()
    columns = [projects_table.c[name] for name in ("id", "cordis_id", "areas_manual", *PROJECT_COLUMNS)]
    existing = {
        row["cordis_id"]: row
        for row in connection.execute(
            sa.select(*columns).where(projects_table.c.cordis_id.in_([values["cordis_id"] for values in batch]))
        ).mappings()
    }
    links = _links([row["id"] for row in existing.values()])
    now = utcnow()
    inserts, updates, link_changes, new_areas = [], [], {}, {}
    for values in batch:
        old = existing.get(values["cordis_id"])
        if old is None:
            inserts.append(
                {
                    **values,
                    "source": "cordis",
                    "areas_manual": False,
                    "created_at": now,
                    "updated_at": now,
                    "coordinator": "",
                    "coordinator_country": "",
                    "topic_title": "",
                    "legal_basis_title": "",
                }
            )
            new_areas[values["cordis_id"]] = _derived_area_ids(area_ids, values["programme"], values["call_topic"], values["legal_basis"])
            summary["created"] += 1
            continue
        merged = {name: values[name] for name in PROJECT_COLUMNS}
        for kept in ("legal_basis", "call_topic"):
            if not merged[kept]:
                merged[kept] = old[kept]
        changed = any(not _same(old[name], merged[name]) for name in PROJECT_COLUMNS)
        areas_changed = False
        if not old["areas_manual"]:
            derived = _derived_area_ids(area_ids, merged["programme"], merged["call_topic"], merged["legal_basis"])
            if derived != links.get(old["id"], set()):
                link_changes[old["id"]] = derived
                areas_changed = True
        if changed:
            updates.append({"b_id": old["id"], **merged, "updated_at": now})
        if changed or areas_changed:
            summary["updated"] += 1
        else:
            summary["unchanged"] += 1
    if inserts:
        for project_id, cordis_id in _insert_projects(connection, inserts):
            if new_areas.get(cordis_id):
                link_changes[project_id] = new_areas[cordis_id]
    if updates:
        connection.execute(
            sa.update(projects_table)
            .where(projects_table.c.id == sa.bindparam("b_id"))
            .values({name: sa.bindparam(name) for name in (*PROJECT_COLUMNS, "updated_at")}),
            updates,
        )
    _replace_links(connection, link_changes)


def _insert_projects(connection, rows):
    """Insert the rows; [(id, cordis_id)]. PostgreSQL: COPY (several times faster than INSERTs on this
    scale), on the session's own connection, so it is part of the file's one transaction."""
    if connection.dialect.name != "postgresql":
        return connection.execute(
            sa.insert(projects_table).returning(projects_table.c.id, projects_table.c.cordis_id, sort_by_parameter_order=True), rows
        ).all()
    names = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY projects ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])
    return connection.execute(
        sa.select(projects_table.c.id, projects_table.c.cordis_id).where(projects_table.c.cordis_id.in_([row["cordis_id"] for row in rows]))
    ).all()


# --- topics.csv and legalBasis.csv: completing projects already imported ------------------------------


def _import_topics(cordis, report):
    summary, area_ids, batch = new_summary(TOPICS), _area_ids(), []
    for _record, values in cordis.rows():
        batch.append(values)
        if len(batch) >= BATCH_SIZE:
            _complete_projects(batch, area_ids, summary, _topic_change)
            batch = []
            report()
    if batch:
        _complete_projects(batch, area_ids, summary, _topic_change)
    return summary


def _topic_change(values):
    return {"call_topic": values["call_topic"], "topic_title": values["topic_title"]}


def _import_legal_basis(cordis, report):
    """legalBasis.csv has a row per code; a project's rows come together (CORDIS writes them so)."""
    summary, area_ids, batch = new_summary(LEGAL_BASIS), _area_ids(), []
    for cordis_id, rows in groupby((values for _record, values in cordis.rows()), key=lambda values: values["cordis_id"]):
        rows = list(rows)  # one project's codes: a handful
        codes = list(dict.fromkeys(row["code"] for row in rows))
        main = next((row for row in rows if row["unique_part"]), rows[0])
        batch.append({"cordis_id": cordis_id, "legal_basis": ";".join(codes), "legal_basis_title": main["title"]})
        if len(batch) >= BATCH_SIZE:
            _complete_projects(batch, area_ids, summary, _legal_basis_change)
            batch = []
            report()
    if batch:
        _complete_projects(batch, area_ids, summary, _legal_basis_change)
    return summary


def _legal_basis_change(values):
    legal_basis = values["legal_basis"]
    if len(legal_basis) > importer.LIMITS["legal_basis"]:
        # Keep the codes that fit, whole: the title and classification need only the main ones.
        kept = []
        for code in legal_basis.split(";"):
            if len(";".join([*kept, code])) > importer.LIMITS["legal_basis"]:
                break
            kept.append(code)
        legal_basis = ";".join(kept)
    return {"legal_basis": legal_basis, "legal_basis_title": values["legal_basis_title"]}


def _complete_projects(batch, area_ids, summary, change_of):
    connection = db.session.connection()
    names = ("call_topic", "topic_title", "legal_basis", "legal_basis_title")
    # A later row of the same project in the batch wins (as it would across batches).
    wanted = {}
    for values in batch:
        wanted[values["cordis_id"]] = change_of(values)
    existing = {
        row["cordis_id"]: row
        for row in connection.execute(
            sa.select(
                projects_table.c.id,
                projects_table.c.cordis_id,
                projects_table.c.programme,
                projects_table.c.areas_manual,
                *(projects_table.c[name] for name in names),
            ).where(projects_table.c.cordis_id.in_(list(wanted)))
        ).mappings()
    }
    links = _links([row["id"] for row in existing.values()])
    now = utcnow()
    updates, link_changes = [], {}
    for cordis_id, change in wanted.items():
        old = existing.get(cordis_id)
        if old is None:
            summary["skipped"] += 1
            continue
        merged = {name: change.get(name, old[name]) for name in names}
        changed = any(not _same(old[name], merged[name]) for name in names)
        areas_changed = False
        if not old["areas_manual"]:
            derived = _derived_area_ids(area_ids, old["programme"], merged["call_topic"], merged["legal_basis"])
            if derived != links.get(old["id"], set()):
                link_changes[old["id"]] = derived
                areas_changed = True
        if changed:
            updates.append({"b_id": old["id"], **merged, "updated_at": now})
        summary["updated" if changed or areas_changed else "unchanged"] += 1
    if updates:
        connection.execute(
            sa.update(projects_table)
            .where(projects_table.c.id == sa.bindparam("b_id"))
            .values({name: sa.bindparam(name) for name in (*names, "updated_at")}),
            updates,
        )
    _replace_links(connection, link_changes)


# --- call topics -----------------------------------------------------------------------------------

CALL_TOPIC_COLUMNS = ("title", "area_id", "opens", "deadline", "description", "work_programme_year")


def _import_call_topics(cordis, report):
    summary, area_ids = new_summary(CALL_TOPICS), _area_ids()
    connection = db.session.connection()
    now = utcnow()
    for _record, values in cordis.rows():
        if values["area_code"] is None:
            summary["skipped"] += 1  # not a Cluster 3 topic
            continue
        row = {name: values[name] for name in CALL_TOPIC_COLUMNS if name != "area_id"}
        row["area_id"] = area_ids.get(values["area_code"])
        old = connection.execute(sa.select(call_topics_table).where(call_topics_table.c.code == values["code"])).mappings().first()
        if old is None:
            connection.execute(sa.insert(call_topics_table).values(code=values["code"], created_at=now, updated_at=now, **row))
            summary["created"] += 1
        elif any(not _same(old[name], row[name]) for name in CALL_TOPIC_COLUMNS):
            connection.execute(sa.update(call_topics_table).where(call_topics_table.c.id == old["id"]).values(updated_at=now, **row))
            summary["updated"] += 1
        else:
            summary["unchanged"] += 1
    report()
    return summary


def open_call_topics(area, today=None):
    """The call topics of `area` still open: deadline today or later, or not given (the file may not say)."""
    today = today or utcnow().date()
    return db.session.scalars(
        sa.select(CallTopic)
        .where(CallTopic.area_id == area.id, sa.or_(CallTopic.deadline.is_(None), CallTopic.deadline >= today))
        .order_by(CallTopic.deadline.is_(None), CallTopic.deadline, CallTopic.code)
    ).all()


def call_topic_is_open(topic, today=None):
    """Whether `topic` is open (the rule of open_call_topics, asked of one topic)."""
    today = today or utcnow().date()
    return topic.deadline is None or topic.deadline >= today


def call_topics():
    """Every call topic, for choosing one in the contribution form."""
    return db.session.scalars(sa.select(CallTopic).order_by(CallTopic.code)).all()


def call_topic_by_id(topic_id):
    return db.session.get(CallTopic, topic_id) if isinstance(topic_id, int) else None


def call_topic_by_code(code):
    return db.session.scalar(sa.select(CallTopic).where(CallTopic.code == (code or "").strip().upper()))


# --- an editor's correction of a project's areas -------------------------------------------------------


def can_correct_areas(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and (user.has_role("editor") or user.has_role("admin")))


@transactional
def correct_areas(project, area_codes, actor):
    """Set the project's areas by hand: kept, marked manual, over every later import.

    An empty list of codes hands the project back to the codes (areas derived again at once).
    """
    if not can_correct_areas(actor):
        raise Forbidden(_l("Only editors may correct a project's thematic areas."))
    if project is None:
        raise NotFound(_l("No such project."))
    areas, unknown = areas_for_codes(area_codes)
    if unknown:
        raise Invalid(
            _l("Unknown thematic area: %(codes)s.", codes=", ".join(unknown)), fields={"areas": _l("Choose among the thematic areas.")}
        )
    if areas:
        project.areas = areas
        project.areas_manual = True
    else:
        project.areas_manual = False
        codes = set(areas_from_codes(project.programme, project.call_topic, project.legal_basis))
        project.areas = [area for area in db.session.scalars(sa.select(ThematicArea).order_by(ThematicArea.position)) if area.code in codes]
    return project


# --- uploads for the import job -------------------------------------------------------------------------

UPLOAD_SUFFIXES = (".csv", ".txt")
SNIFF_BYTES = 64 * 1024
COPY_CHUNK = 1 << 20


def can_import(user):
    """Imports replace what CORDIS says of every project: admins only."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_role("admin"))


def import_upload_folder():
    """Where uploaded import files wait for their job (shared by the web processes and the workers)."""
    folder = os.path.join(current_app.config.get("UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads"), "imports")
    os.makedirs(folder, exist_ok=True)
    return folder


def upload_limit_bytes():
    return current_app.config.get("PROJECT_IMPORT_MAX_BYTES") or current_app.config["MAX_CONTENT_LENGTH"]


def save_upload(filename, stream, actor):
    """Keep an uploaded CORDIS file for the import job: (stored name, kind). Refuses what is not CSV text of a known kind."""
    if not can_import(actor):
        raise Forbidden(_l("Only administrators may import projects."))
    filename = os.path.basename((filename or "").replace("\\", "/")).strip()
    if not filename or not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise Invalid(_l("Choose a CSV file (.csv)."), fields={"file": _l("Choose a CSV file (.csv).")})
    stored = secrets.token_hex(16) + ".csv"
    path = os.path.join(import_upload_folder(), stored)
    limit, size, head = upload_limit_bytes(), 0, b""
    try:
        with open(path, "wb") as handle:
            while chunk := stream.read(COPY_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        _l("The file is larger than %(limit)d MB.", limit=limit // (1024 * 1024)),
                        fields={"file": _l("The file is too large.")},
                    )
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                handle.write(chunk)
        if not size:
            raise Invalid(_l("The file is empty."), fields={"file": _l("The file is empty.")})
        if b"\x00" in head:
            raise Invalid(_l("The file is not CSV text."), fields={"file": _l("The file is not CSV text.")})
        kind = detect_kind(path)
    except BaseException:
        remove_upload(path)
        raise
    return stored, kind


def remove_upload(path):
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
