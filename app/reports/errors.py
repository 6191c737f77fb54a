"""Report refusals: the service error kinds (app/service_errors.py) under the names report code has always caught."""

from functools import wraps

from sqlalchemy.orm.exc import StaleDataError

from app.i18n import lazy_gettext as _l
from app.service_errors import Conflict, Forbidden, Invalid, ServiceError
from app.unit_of_work import unit_of_work


class ReportError(ServiceError):
    """A report rule refused the request (kept as a name for callers that still catch it)."""

    status = 409


class ReportForbidden(ReportError, Forbidden):
    status = 403


class ReportConflict(ReportError, Conflict):
    status = 409


class ReportInputError(ReportError, Invalid):
    status = 422

    def __init__(self, fields, message=None):
        super().__init__(message or _l("Some answers are not valid."), fields)


def changed_meanwhile():
    return ReportConflict(_l("Someone else changed or published the report meanwhile; reload it."))


def transactional(service):
    """`app.unit_of_work.transactional` for report services: a report row changed by someone else since it was
    read (its row_version) is a 409, not a crash."""

    @wraps(service)
    def run(*args, **kwargs):
        try:
            with unit_of_work():
                return service(*args, **kwargs)
        except StaleDataError:
            raise changed_meanwhile() from None

    return run
