"""One unit of work per request, command or job: commit once, then run the side effects.

    with unit_of_work():
        contribution.title = title
        after_commit(lambda: enqueue(send_mail, message_id))

Services do their work inside it; it commits or rolls back once. Callbacks
registered with `after_commit` (outbox dispatch, job enqueue) run only after
a successful commit, so a rolled-back change never sends an e-mail, and a
missing Redis never loses what was committed (it is persisted first). Units
nest: an inner one joins the outer, and only the outermost commits.
"""

from contextlib import contextmanager
from functools import wraps

from flask import current_app

from app.extensions import db

_DEPTH = "ceris_uow_depth"
_CALLBACKS = "ceris_after_commit"


def _info():
    return db.session().info


@contextmanager
def unit_of_work():
    info = _info()
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    if depth == 0:
        info[_CALLBACKS] = []
    try:
        yield db.session
        if depth == 0:
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
            info[_CALLBACKS] = []
        raise
    finally:
        info[_DEPTH] = depth
    if depth == 0:
        callbacks, info[_CALLBACKS] = info.get(_CALLBACKS, []), []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the change is committed; a failed side effect is retried by its own job
                current_app.logger.exception("after-commit callback failed")


def transactional(service):
    """Run a service function in its own unit of work (or the caller's, when one is open)."""

    @wraps(service)
    def run(*args, **kwargs):
        with unit_of_work():
            return service(*args, **kwargs)

    return run


def after_commit(callback):
    """Run `callback()` once the current unit of work has committed."""
    info = _info()
    if info.get(_DEPTH, 0) == 0:
        # Running it now could send an e-mail about a change that is never committed.
        raise RuntimeError("after_commit() needs an open unit_of_work()")
    info.setdefault(_CALLBACKS, []).append(callback)


def in_unit_of_work():
    return _info().get(_DEPTH, 0) > 0
