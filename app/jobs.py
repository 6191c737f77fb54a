"""Background jobs: one `enqueue()` that uses RQ when REDIS_URL is set and runs in-process otherwise.

Jobs take ids, not objects, are idempotent, and always run inside an app
context: in-process they share the caller's; in an `rq worker` the `@job`
wrapper builds the app once per worker process from the environment.

Work is written to the database before it is queued, so when Redis is down
it waits there; `app.sweep.sweep()`, run by every `jobs worker` every
SWEEP_INTERVAL_SECONDS, queues it again once Redis is back.
"""

import functools
import logging

from flask import current_app, has_app_context

logger = logging.getLogger(__name__)

_worker_app = None


def _app_for_worker():
    global _worker_app
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    return _worker_app


def job(func):
    """Make `func` runnable as a background job inside an application context."""

    @functools.wraps(func)
    def run_in_app_context(*args, **kwargs):
        if has_app_context():
            return func(*args, **kwargs)
        with _app_for_worker().app_context():
            return func(*args, **kwargs)

    return run_in_app_context


def redis_connection():
    """The app's Redis connection (short time-outs, so a dead Redis fails fast), or None."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    connection = current_app.extensions.get("ceris_redis")
    if connection is None:
        from redis import Redis

        connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        current_app.extensions["ceris_redis"] = connection
    return connection


def queue():
    from rq import Queue
    from rq.serializers import JSONSerializer

    return Queue(
        current_app.config["RQ_QUEUE"],
        connection=redis_connection(),
        serializer=JSONSerializer,
        default_timeout=600,
    )


def enqueue(job_func, *args, job_id=None):
    """Run `job_func(*args)` in the background; returns the RQ job id, or None.

    Callers persist their work before calling this, so when Redis is down the
    job is only delayed: the row it was given stays pending and the workers'
    `sweep()` queues it again once Redis is back.
    """
    if not current_app.config.get("REDIS_URL"):
        _run_in_process(job_func, args)
        return None

    from redis.exceptions import RedisError
    from rq import Retry

    intervals = current_app.config["JOB_RETRY_INTERVALS"]
    try:
        rq_job = queue().enqueue_call(
            job_func,
            args=args,
            job_id=job_id,
            retry=Retry(max=len(intervals), interval=intervals),
            failure_ttl=7 * 24 * 3600,
        )
    except RedisError:
        logger.warning("Redis unreachable: %s%r stays pending for a later retry", job_func.__name__, args, exc_info=True)
        return None
    return rq_job.id


def _run_in_process(job_func, args):
    try:
        job_func(*args)
    except Exception:
        # The job has recorded its own failure on the row it works on (and
        # the row stays pending), so the caller's request goes on; the
        # traceback goes to the log for the operator.
        logger.exception("In-process job %s%r failed", job_func.__name__, args)


# --- what RQ still holds (the sweep, app/sweep.py, leaves that work alone) ---------------


def live_job_ids():
    """Ids of the jobs RQ still holds for the app's queue: waiting, being taken, running, deferred, or scheduled for a retry."""
    rq_queue = queue()
    ids = set(rq_queue.get_job_ids())
    ids.update(rq_queue.intermediate_queue.get_job_ids())
    for registry in (rq_queue.started_job_registry, rq_queue.scheduled_job_registry, rq_queue.deferred_job_registry):
        ids.update(registry.get_job_ids(cleanup=False))
    return ids
