"""Refusals of services not yet converted to app.service_errors, answered like service errors (a bridge while they are).

A class registered here that is (or becomes) a ServiceError is left to the one
mapping in app/errors.py; the others are answered here with the same shape
and status, after the same rollback, so no API handler catches them itself.
"""
from app.api import bp
from app.errors import api_error
from app.extensions import db
from app.service_errors import ServiceError

_STATUSES = {}


def answer_unconverted_refusals(statuses):
    """{old error class: HTTP status, or None when the error carries its own `status`}."""
    for error_class, status in statuses.items():
        if issubclass(error_class, ServiceError) or error_class in _STATUSES:
            continue
        _STATUSES[error_class] = status
        bp.register_error_handler(error_class, _refused)


def _refused(error):
    db.session.rollback()
    status = next((status for cls, status in _STATUSES.items() if isinstance(error, cls) and status), None)
    fields = {name: str(text) for name, text in (getattr(error, "fields", None) or {}).items()}
    return api_error(status or getattr(error, "status", 409), getattr(error, "message", None) or str(error), fields or None)
