"""Account work done in the background, so that a page answers in the same time whatever the outcome.

The job lives beside the reset flow (app/auth/password_reset.py), which queues it without importing this
module back; the name stays importable here, where RQ jobs queued before found it.
"""

from app.auth.password_reset import send_password_reset_email  # noqa: F401
