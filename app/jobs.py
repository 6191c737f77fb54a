"""Background jobs: one `enqueue()` that uses RQ when REDIS_URL is set and runs in-process otherwise.

Jobs take ids, not objects, are idempotent, and always run inside an app
context: in-process they share the caller's; in an `rq worker` the `@job`
wrapper builds the app once per worker process from the environment.

Work is written to the database before it is queued, so when Redis is down
it waits there; `sweep()`, run by every `jobs worker` every
SWEEP_INTERVAL_SECONDS, queues it again once Redis is back.
"""
import functools
import logging
import threading
from datetime import timedelta

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


# --- the sweep: work that waits in the database with no job in the queue ---------------

def live_job_ids():
    """Ids of the jobs RQ still holds for the app's queue: waiting, being taken, running, deferred, or scheduled for a retry."""
    rq_queue = queue()
    ids = set(rq_queue.get_job_ids())
    ids.update(rq_queue.intermediate_queue.get_job_ids())
    for registry in (rq_queue.started_job_registry, rq_queue.scheduled_job_registry, rq_queue.deferred_job_registry):
        ids.update(registry.get_job_ids(cleanup=False))
    return ids


def sweep():
    """Queue again the work that waits with no job left for it; returns how many of each.

    Waiting work is an e-mail still pending or a report build never picked up
    (Redis was down when it was asked for, or its job was lost), or one whose
    worker died. Each service picks its own (the same selection as `outbox
    flush` and `reports retry-builds`), leaving alone what was written within
    the last interval or still has a job in RQ (waiting, running or scheduled
    for a retry, so RQ's back-off is kept). Several workers sweep: an item is
    claimed in Redis (SET NX, for one interval) before it is queued, so it is
    queued once per interval whoever sweeps; running it twice would still send
    or build once, as the jobs are idempotent. Raises RedisError while Redis is down.

    Without Redis (the embedded default) jobs run in-process as they are
    asked for, so nothing waits unless it failed; called there, the sweep
    runs the waiting work itself, in this process.
    """
    from app.community.models import utcnow
    from app.mail.services import requeue_waiting
    from app.reports.services import retry_queued_builds

    period = max(1, int(current_app.config["SWEEP_INTERVAL_SECONDS"]))
    connection = redis_connection()
    if connection is None:
        def may_queue(job_key):
            return True
    else:
        live = live_job_ids()
        prefix = f"ceris:sweep:{current_app.config['RQ_QUEUE']}"

        def may_queue(job_key):
            """`job_key`: how the RQ ids of the item's jobs begin (e.g. "outbox-12-")."""
            if any(job_id.startswith(job_key) for job_id in live):
                return False
            return bool(connection.set(f"{prefix}:{job_key}", 1, nx=True, ex=period))

    older_than = utcnow() - timedelta(seconds=period)
    return {
        "outbox": requeue_waiting(older_than, may_queue),
        "report_builds": retry_queued_builds(older_than, may_queue),
    }


def sweep_once(app):
    """One sweep in `app`'s context; logs rather than raises (Redis or the database may be down)."""
    from redis.exceptions import RedisError

    from app.extensions import db

    with app.app_context():
        try:
            queued = sweep()
            if queued and any(queued.values()):
                logger.info("Sweep: queued again %r", queued)
            return queued
        except RedisError:
            logger.warning("Sweep: Redis unreachable; waiting work stays in the database until it is back")
        except Exception:
            logger.exception("Sweep failed; tried again in the next interval")
        finally:
            db.session.remove()
            # No database connection is kept between sweeps: none is there to be
            # inherited by the work horses the worker forks.
            db.engine.dispose()
    return None


def start_sweeping(app):
    """Sweep now and then every SWEEP_INTERVAL_SECONDS, in a daemon thread of this process (0 turns it off).

    `app` is the thread's own app (own database engine), not the worker's:
    the worker forks a work horse per job, and a horse must never share a
    pooled connection with this thread.
    """
    period = app.config["SWEEP_INTERVAL_SECONDS"]
    if not period or period <= 0:
        return None
    stop = threading.Event()

    def run():
        while not stop.is_set():
            sweep_once(app)
            stop.wait(period)

    thread = threading.Thread(target=run, name="ceris-sweep", daemon=True)
    thread.stop = stop
    thread.start()
    return thread
