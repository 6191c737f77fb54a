"""The report lifecycle on the workflow engine (workflows/report.toml): publishing, the build job, the next version;
and the published versions' files.

No state or transition is named here: a transition is found by the flag of
the state it leads to (`building`, `released`, `editable`), and the engine
checks who may take it, from where, and its guards.
"""
import json
import os
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.background import services as jobs
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.reports.access import lifecycle, report_state_has, require_edit
from app.reports.errors import ReportConflict, ReportForbidden, ReportInputError, changed_meanwhile, transactional
from app.reports.models import FILE_FORMATS, Report, ReportVersion
from app.timeutil import utcnow
from app.unit_of_work import after_commit, unit_of_work
from app.workflow import StaleVersion, TransitionError, allowed_transitions, apply_transition

BUILD_JOB_KIND = "report_build"


class BuildActor:
    """Who takes the build's own transitions (published, or back to draft): the background job, not a person.

    Never a user: no request can act as it. History entries record no actor for it.
    """

    id = None
    is_authenticated = True
    active = True
    display_name = "CERIS"

    def __init__(self, job):
        self.job = job

    def has_role(self, *roles):
        return False


# --- the engine ------------------------------------------------------------------------------

def _transition_into(report, flag):
    """The transition leading from the report's state into a state carrying `flag`, or None."""
    definition = lifecycle()
    return next(
        (transition.name for transition in definition.transitions_from(report.state) if definition.state_has(transition.target, flag)),
        None,
    )


def _apply(report, flag, actor, comment=None, **options):
    """Take the transition into a `flag` state as `actor`; engine refusals become report errors (403/409/422)."""
    name = _transition_into(report, flag)
    if name is None:
        raise changed_meanwhile()
    try:
        return apply_transition(lifecycle(), report, name, actor, comment=comment, **options)
    except StaleVersion:
        raise changed_meanwhile() from None
    except TransitionError as error:
        # The engine's errors are not service errors (yet): the report API catches ReportError.
        if error.status == 403:
            raise ReportForbidden(error.message, error.fields) from None
        if error.status == 422:
            raise ReportInputError(error.fields, error.message) from None
        raise ReportConflict(error.message, error.fields) from None


@dataclass(frozen=True)
class Lifecycle:
    """What the editor's pages say about where a report is in its lifecycle (templates never compare states)."""

    label: str
    building: bool
    released: bool
    may_publish: bool


def lifecycle_of(report, user):
    definition = lifecycle()
    publish = _transition_into(report, "building")
    return Lifecycle(
        label=report.state_label,
        building=definition.state_has(report.state, "building"),
        released=definition.state_has(report.state, "released"),
        may_publish=publish is not None and publish in allowed_transitions(definition, report, user),
    )


def begin_change(report, actor):
    """Every change goes through here: refused while a build runs; a published report becomes the draft of its
    next version (a transition of the lifecycle: two editors starting at once make one next version)."""
    if report_state_has(report, "building"):
        raise ReportConflict(_l("The report is being built and published; wait until that finishes."))
    if report_state_has(report, "released"):
        _apply(report, "editable", actor)
    report.updated_at = utcnow()


@transactional
def publish(report, actor):
    """Freeze the report and queue the build of its next version; returns the BackgroundJob (202)."""
    require_edit(actor, report)
    if report_state_has(report, "building"):
        raise ReportConflict(_l("The report is being built and published already."))
    if report_state_has(report, "released"):
        raise ReportConflict(
            _l("Version %(version)d is published. Change the report to prepare version %(next)d.", version=report.version, next=report.version + 1)
        )
    _apply(report, "building", actor)
    return report.build_job


def enqueue_build(job_id):
    from app.jobs import enqueue
    from app.reports.jobs import build_report  # app.reports.jobs runs run_build below: an import cycle

    # The RQ id is the job's own id: a second enqueue of the same build is the same RQ job.
    return enqueue(build_report, job_id, job_id=f"report-build-{job_id}")


def build_job(report):
    return report.build_job


# --- the lifecycle's effects (named in workflows/report.toml, registered in app/reports/workflow.py) --------

def queue_build(report, actor):
    """The job that builds the version, written with the freeze; handed to the queue once both are committed."""
    report.build_error = ""
    job = jobs.new_job(BUILD_JOB_KIND, "report", report.id, actor, version=report.version)
    report.build_job = job
    job_id = job.id
    after_commit(lambda: enqueue_build(job_id))


def start_next_version(report):
    report.version += 1


def record_version(report, job, built):
    """The build's result becomes the published version (`built` None: an earlier run recorded it already)."""
    from app.subscriptions import services as subscriptions  # subscriptions imports report services: a cycle

    number = (job.params or {}).get("version")
    if built is not None:
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
        report.published_at = built["published_at"]
        report.build_error = ""
        db.session.flush()
        messages = subscriptions.notify_report_published(report, version)
        if messages:
            after_commit(lambda: _dispatch(messages))
    jobs.mark_finished(job, version=number)


def _dispatch(messages):
    from app.mail.services import dispatch

    dispatch(*messages)


def record_failure(report, message):
    report.build_error = message


# --- the build job ---------------------------------------------------------------------------

def run_build(job_id):
    """The body of the build job: idempotent, records progress, leaves the report published or back in draft."""
    from app.reports import build  # build reads the report through app.reports.services: a cycle

    job = jobs.get(job_id)
    if job is None or job.done:
        return job.state if job is not None else None
    if not jobs.claim(job_id):
        return "skipped"
    db.session.refresh(job)
    report = db.session.get(Report, job.subject_id) if job.subject_type == "report" else None
    number = (job.params or {}).get("version")
    if report is None or not report_state_has(report, "building") or report.version != number:
        with unit_of_work():
            jobs.mark_failed(job, _l("The report changed since the build was asked for; publish it again."))
        return "failed"
    existing = db.session.scalar(sa.select(ReportVersion).where(ReportVersion.report_id == report.id, ReportVersion.number == number))
    if existing is not None:
        # Built by an earlier run of this job that stopped before recording the job as finished.
        with unit_of_work():
            _apply(report, "released", BuildActor(job), built=None)
        return "finished"

    built = None
    try:
        built = build.build_version(report, number, progress=lambda value: jobs.set_progress(job, value))
        with unit_of_work():
            _apply(report, "released", BuildActor(job), built=built)
    except Exception as error:  # the build failed: the report goes back to draft, the error to the editor
        # A failed query leaves the session's transaction unusable: start the failure's unit from a clean one.
        db.session.rollback()
        if built is not None:
            build.discard(built)
        current_app.logger.exception("Building report %s version %s failed", job.subject_id, number)
        _record_failure(job_id, error)
        return "failed"
    return "finished"


def _record_failure(job_id, error):
    message = str(_l("The build failed: %(error)s", error=f"{type(error).__name__}: {error}"))
    with unit_of_work():
        job = jobs.get(job_id)
        report = db.session.get(Report, job.subject_id) if job is not None and job.subject_type == "report" else None
        if report is not None and report_state_has(report, "building"):
            _apply(report, "editable", BuildActor(job), comment=message[:1000], message=message)
        if job is not None:
            jobs.mark_failed(job, message)


def retry_queued_builds(older_than=None, may_queue=None):
    """Enqueue again every build still waiting: queued (e.g. asked for while Redis was down) or started by a
    worker that died long ago. Returns how many.

    The workers' sweep (app.jobs.sweep) passes `older_than` and `may_queue(job_key)` (no job left in RQ,
    not queued by another sweep); `reports retry-builds` takes them all.
    """
    queued = [
        job.id
        for job in jobs.waiting_jobs(BUILD_JOB_KIND, older_than)
        if may_queue is None or may_queue(f"report-build-{job.id}")  # the RQ id enqueue_build gives it
    ]
    for job_id in queued:
        enqueue_build(job_id)
    return len(queued)


# --- published versions and their files -------------------------------------------------------------

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
    from app.reports.build import with_picture  # build reads the report through app.reports.services: a cycle

    path = version_file(version, "json")
    if path is None:
        return None
    with open(path, encoding="utf-8") as handle:
        return with_picture(json.load(handle))


def download_name(version, fmt):
    return f"ceris-report-{version.report_id}-v{version.number}.{fmt}"
