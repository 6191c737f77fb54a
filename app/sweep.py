"""The sweep: work that waits in the database with no job in the queue, queued again by every `jobs worker`.

Apart from app.jobs (the queue itself) because it knows the services whose
work waits: those services enqueue through app.jobs, so app.jobs must not know them.
"""

import logging
import threading
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError

from app.extensions import db
from app.jobs import live_job_ids, redis_connection
from app.mail.services import requeue_waiting
from app.reports.services import retry_queued_builds
from app.subscriptions.services import requeue_call_announcements
from app.timeutil import utcnow

logger = logging.getLogger(__name__)


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

    A workshop call for inputs opens with time, no one acting: the sweep
    queues the announcement to subscribers of each open call not yet
    announced (the job claims the workshop, so it is told once).

    Without Redis (the embedded default) jobs run in-process as they are
    asked for, so nothing waits unless it failed; called there, the sweep
    runs the waiting work itself, in this process.
    """
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
        "workshop_calls": requeue_call_announcements(may_queue),
    }


def sweep_once(app):
    """One sweep in `app`'s context; logs rather than raises (Redis or the database may be down)."""
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
