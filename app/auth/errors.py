"""The account rules' refusals: kinds of the one service error (app/service_errors.py).

`AccountError` keeps its old name and its `field` argument so callers written
against it keep working; the kind (invalid, conflict, forbidden) gives the
HTTP status wherever it is not caught.
"""

from app.service_errors import Conflict, Forbidden, Invalid


class AccountError(Invalid):
    """A request the account rules refuse (422); `field` names the input at fault, if one is."""

    def __init__(self, message, field=None, status=None):
        super().__init__(message, fields={field: message} if field else None, status=status)
        self.field = field


class AccountConflict(AccountError, Conflict):
    """The account's current state refuses it: the address is taken, the link or request is already used (409)."""

    status = Conflict.status


class AccountForbidden(AccountError, Forbidden):
    """The acting user may not do this (403)."""

    status = Forbidden.status
