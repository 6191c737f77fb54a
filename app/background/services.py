"""Recording background jobs: queued in the caller's transaction, moved on by the job itself."""

import secrets
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from app.background.models import BackgroundJob
from app.extensions import db
from app.timeutil import utcnow
from app.unit_of_work import transactional

# A job marked started this long ago whose worker never finished (killed
# mid-run) may be claimed again by a retry.
STALE_START = timedelta(minutes=30)


def new_job(kind, subject_type="", subject_id=None, created_by=None, **params):
    """A queued job row, added to the caller's unit of work (which enqueues it with `after_commit`)."""
    job = BackgroundJob(
        id=secrets.token_hex(16),
        kind=kind,
        state="queued",
        progress=0,
        subject_type=subject_type,
        subject_id=subject_id,
        params=params,
        result={},
        created_by_id=created_by.id if created_by is not None else None,
    )
    db.session.add(job)
    return job


# Who besides its creator and admins may follow a job about a subject: `subject_type` -> rule(user, subject_id),
# registered by the subject's feature (reports: the editors of the report), so this module knows no feature.
_FOLLOWERS: dict[str, Callable] = {}


def followers_of(subject_type):
    """Decorator registering the rule saying who may follow the jobs about `subject_type`."""

    def register(rule):
        _FOLLOWERS[subject_type] = rule
        return rule

    return register


def can_follow_job(user, job):
    """May `user` see this job's progress and outcome? Its creator, admins, and whom its subject's feature names."""
    if job is None or user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", True):
        return False
    if job.created_by_id == user.id or user.has_role("admin"):
        return True
    rule = _FOLLOWERS.get(job.subject_type)
    return bool(rule is not None and job.subject_id is not None and rule(user, job.subject_id))


def get(job_id):
    if not isinstance(job_id, str) or len(job_id) > 64:
        return None
    return db.session.get(BackgroundJob, job_id)


@transactional
def claim(job_id):
    """Mark the job started by us (committed at once); False if it is done or another worker runs it."""
    now = utcnow()
    result = db.session.execute(
        sa.update(BackgroundJob)
        .where(
            BackgroundJob.id == job_id,
            sa.or_(
                BackgroundJob.state == "queued",
                sa.and_(BackgroundJob.state == "started", BackgroundJob.updated_at < now - STALE_START),
            ),
        )
        .values(state="started", started_at=now, updated_at=now, progress=1, error="")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@transactional
def set_progress(job, progress):
    """Record progress (0-100), committed at once so whoever polls sees it."""
    job.progress = max(0, min(100, int(progress)))
    job.updated_at = utcnow()


def mark_finished(job, **result):
    """Finished, in the caller's unit of work."""
    job.state = "finished"
    job.progress = 100
    job.error = ""
    job.result = {**(job.result or {}), **result}
    job.finished_at = job.updated_at = utcnow()


def mark_failed(job, error):
    """Failed with a message for people, in the caller's unit of work."""
    job.state = "failed"
    job.error = str(error)[:4000]
    job.finished_at = job.updated_at = utcnow()


def waiting_jobs(kind, older_than=None):
    """Jobs of `kind` still to do, oldest first: queued (e.g. enqueued while Redis was down), or started
    so long ago that their worker must have died (`claim` lets a retry take them over).

    `older_than` leaves out those asked for since (their first job may be on its way).
    """
    statement = (
        sa.select(BackgroundJob)
        .where(
            BackgroundJob.kind == kind,
            sa.or_(
                BackgroundJob.state == "queued",
                sa.and_(BackgroundJob.state == "started", BackgroundJob.updated_at < utcnow() - STALE_START),
            ),
        )
        .order_by(BackgroundJob.created_at)
    )
    if older_than is not None:
        statement = statement.where(BackgroundJob.created_at < older_than)
    return db.session.scalars(statement).all()
