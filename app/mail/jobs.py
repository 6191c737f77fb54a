"""The outbox's background job. It lives beside the outbox (app/mail/services.py), which queues it
without importing this module back; the name stays importable here, where RQ jobs queued before found it."""

from app.mail.services import send_outbox_message  # noqa: F401
