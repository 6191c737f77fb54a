"""The project import job (RQ, or in-process in the embedded default): the same import as the command line,
on a file uploaded by an admin, recording progress, then the summary or the refusal on the job row."""

import contextlib
import os

import sqlalchemy as sa
from flask import current_app

from app.background import services as background
from app.background.models import BackgroundJob
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.jobs import enqueue, job
from app.projects import services
from app.service_errors import NotFound
from app.timeutil import utcnow
from app.unit_of_work import after_commit, unit_of_work

IMPORT_JOB_KIND = "projects_import"


def queue_import(stored_name, filename, kind, actor):
    """The job row for an uploaded file, in the caller's unit of work; queued once committed."""
    import_job = background.new_job(IMPORT_JOB_KIND, created_by=actor, file=stored_name, filename=filename, file_kind=kind)
    job_id = import_job.id
    after_commit(lambda: enqueue_import(job_id))
    return import_job


def enqueue_import(job_id):
    # The RQ id is the job's own: queuing it twice is one RQ job.
    return enqueue(import_projects, job_id, job_id=f"projects-import-{job_id}")


@job
def import_projects(job_id):
    """Import the file a BackgroundJob names; safe to run twice (a finished job is left alone)."""
    return run_import(job_id)


def _progress_recorder(job_id):
    """Progress committed beside the import's own transaction, so whoever polls sees it.

    PostgreSQL: on a connection of its own. SQLite locks the whole database for
    the import's transaction, so there the job shows its progress only at the end.
    """
    if db.engine.dialect.name == "sqlite":
        return None
    table = BackgroundJob.__table__

    def record(percent):
        with db.engine.begin() as connection:
            connection.execute(
                sa.update(table)
                .where(table.c.id == job_id, table.c.state == "started")
                .values(progress=max(1, min(99, percent)), updated_at=utcnow())
            )

    return record


def run_import(job_id):
    import_job = background.get(job_id)
    if import_job is None or import_job.done:
        return import_job.state if import_job is not None else None
    if not background.claim(job_id):
        return "skipped"
    db.session.refresh(import_job)
    params = import_job.params or {}
    path = os.path.join(services.import_upload_folder(), os.path.basename(params.get("file", "")))
    try:
        summary = services.import_file(path, progress=_progress_recorder(job_id))
    except services.ImportRefused as refused:
        with unit_of_work():
            background.mark_failed(background.get(job_id), refused.message)
            _remove_after_commit(path)
        return "failed"
    except Exception as error:  # an error of ours, not of the file: recorded for the admin, logged for the operator
        current_app.logger.exception("Project import job %s failed", job_id)
        db.session.rollback()
        with unit_of_work():
            background.mark_failed(background.get(job_id), _l("The import failed: %(error)s", error=type(error).__name__))
            _remove_after_commit(path)
        return "failed"
    with unit_of_work():
        background.mark_finished(background.get(job_id), summary=summary, message=services.summary_text(summary))
        _remove_after_commit(path)
    return "finished"


def _remove_after_commit(path):
    def remove():
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)

    after_commit(remove)


def start_import(filename, stream, actor):
    """An admin's upload: checked and kept, then imported by the job (the same import as the command line)."""
    stored, kind = services.save_upload(filename, stream, actor)
    try:
        with unit_of_work():
            return queue_import(stored, filename, kind, actor)
    except BaseException:
        services.remove_upload(os.path.join(services.import_upload_folder(), stored))
        raise


def import_job_for(user, job_id):
    """The project import `user` may follow, or NotFound (another kind of job, or someone else's, answers alike)."""
    job = background.get(job_id) if "\x00" not in job_id else None
    if job is None or job.kind != IMPORT_JOB_KIND or not background.can_follow_job(user, job):
        raise NotFound(_l("There is no such import."))
    return job
