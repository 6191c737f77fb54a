"""Account work done in the background, so that a page answers in the same time whatever the outcome."""
from app.jobs import job


@job
def send_password_reset_email(email):
    """E-mail a reset link if `email` belongs to an active account; nothing otherwise.

    Returns nothing: the result of an RQ job is kept in Redis, and the link is
    a secret. A retry after a failure before the commit sends one e-mail; a
    failure after it is the outbox's to retry.
    """
    from app.auth.services import send_password_reset

    send_password_reset(email)
