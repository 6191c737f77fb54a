from app.jobs import job
from app.mail.services import send_message


@job
def send_outbox_message(message_id):
    """Send one outbox message; safe to run twice (the second run finds it sent)."""
    return send_message(message_id)
