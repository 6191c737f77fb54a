"""The one error type of the services: what went wrong, as a sentence for people, with an HTTP status.

Services raise these; they know nothing of requests. The API maps them onto
its JSON error shape in one place (app/errors.py) and the pages onto their
forms in one place (app/forms.py `show_service_error`). Messages may be lazy
translations: they are rendered in the reader's language when shown.
"""


class ServiceError(Exception):
    """A request the rules refuse. `fields` maps input names to messages about them."""

    status = 422

    def __init__(self, message, fields=None, status=None):
        super().__init__(str(message))
        self._message = message
        self.fields = dict(fields or {})
        if status is not None:
            self.status = status

    @property
    def message(self):
        return str(self._message)

    def field_messages(self):
        """The field messages as plain strings (lazy translations rendered now)."""
        return {name: str(text) for name, text in self.fields.items()}

    def __str__(self):
        return self.message


class Invalid(ServiceError):
    """The input is not acceptable (422); `fields` say which and why."""

    status = 422


class NotFound(ServiceError):
    """Nothing the caller may see answers to this (404): absent and hidden are told apart by nobody."""

    status = 404


class Forbidden(ServiceError):
    """The caller's role or ownership forbids it (403)."""

    status = 403


class Conflict(ServiceError):
    """The current state forbids it: a workflow state, a guard, a stale version, a duplicate (409)."""

    status = 409


class TooLarge(ServiceError):
    """The input is over a size limit (413); the message states the limit."""

    status = 413
