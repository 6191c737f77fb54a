"""The report build job (RQ, or in-process in the embedded default): queued with the freeze, building the files,
recording the published version or the failure; and queuing again the builds still waiting."""

import sqlalchemy as sa
from flask import current_app

from app.background import services as background
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.jobs import enqueue, job
from app.reports import build
from app.reports.access import report_state_has
from app.reports.models import Report, ReportVersion
from app.reports.publishing import BUILD_JOB_KIND, BuildActor, apply_into
from app.unit_of_work import after_commit, unit_of_work


@job
def build_report(job_id):
    """Build and publish the version a BackgroundJob asks for; safe to run twice (the second run finds it done)."""
    return run_build(job_id)


def queue_build(report, actor):
    """The job that builds the version, written with the freeze; handed to the queue once both are committed."""
    report.build_error = ""
    job = background.new_job(BUILD_JOB_KIND, "report", report.id, actor, version=report.version)
    report.build_job = job
    job_id = job.id
    after_commit(lambda: enqueue_build(job_id))


def enqueue_build(job_id):
    # The RQ id is the job's own id: a second enqueue of the same build is the same RQ job.
    return enqueue(build_report, job_id, job_id=f"report-build-{job_id}")


def run_build(job_id):
    """The body of the build job: idempotent, records progress, leaves the report published or back in draft."""
    job = background.get(job_id)
    if job is None or job.done:
        return job.state if job is not None else None
    if not background.claim(job_id):
        return "skipped"
    db.session.refresh(job)
    report = db.session.get(Report, job.subject_id) if job.subject_type == "report" else None
    number = (job.params or {}).get("version")
    if report is None or not report_state_has(report, "building") or report.version != number:
        with unit_of_work():
            background.mark_failed(job, _l("The report changed since the build was asked for; publish it again."))
        return "failed"
    existing = db.session.scalar(sa.select(ReportVersion).where(ReportVersion.report_id == report.id, ReportVersion.number == number))
    if existing is not None:
        # Built by an earlier run of this job that stopped before recording the job as finished.
        with unit_of_work():
            apply_into(report, "released", BuildActor(job), built=None)
        return "finished"

    built = None
    try:
        # One unit from reading the report to recording the version: on any failure it rolls back (a failed
        # query leaves the session's transaction unusable), so the failure is recorded from a clean one.
        with unit_of_work():
            built = build.build_version(report, number, progress=lambda value: background.set_progress(job, value))
            apply_into(report, "released", BuildActor(job), built=built)
    except Exception as error:  # the build failed: the report goes back to draft, the error to the editor
        if built is not None:
            build.discard(built)
        current_app.logger.exception("Building report %s version %s failed", job.subject_id, number)
        _record_failure(job_id, error)
        return "failed"
    return "finished"


def _record_failure(job_id, error):
    message = str(_l("The build failed: %(error)s", error=f"{type(error).__name__}: {error}"))
    with unit_of_work():
        job = background.get(job_id)
        report = db.session.get(Report, job.subject_id) if job is not None and job.subject_type == "report" else None
        if report is not None and report_state_has(report, "building"):
            apply_into(report, "editable", BuildActor(job), comment=message[:1000], message=message)
        if job is not None:
            background.mark_failed(job, message)


def retry_queued_builds(older_than=None, may_queue=None):
    """Enqueue again every build still waiting: queued (e.g. asked for while Redis was down) or started by a
    worker that died long ago. Returns how many.

    The workers' sweep (app.sweep.sweep) passes `older_than` and `may_queue(job_key)` (no job left in RQ,
    not queued by another sweep); `reports retry-builds` takes them all.
    """
    queued = [
        job.id
        for job in background.waiting_jobs(BUILD_JOB_KIND, older_than)
        if may_queue is None or may_queue(f"report-build-{job.id}")  # the RQ id enqueue_build gives it
    ]
    for job_id in queued:
        enqueue_build(job_id)
    return len(queued)
