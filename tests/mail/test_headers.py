"""Extra header lines on an outbox message (e.g. List-Unsubscribe) reach the e-mail sent; they cannot replace the usual ones."""

from types import SimpleNamespace

import pytest

from app.extensions import db
from app.mail import services as mail
from app.mail.models import OutboxMessage
from app.unit_of_work import unit_of_work


def _queue(app, extra_headers=None):
    """Queue a message; returns its stored headers."""
    with app.test_request_context():
        with unit_of_work():
            message = mail.queue_email(
                "ana@example.eu",
                "Hello",
                "password_reset",
                "test",
                extra_headers=extra_headers,
                user=SimpleNamespace(display_name="Ana"),
                valid_minutes=30,
                link="https://x.example/",
            )
        return db.session.get(OutboxMessage, message.id).headers


def test_extra_headers_are_kept_with_the_message_and_sent(app, mailbox):
    link = "<https://ceris.example.eu/subscriptions/unsubscribe/" + "a1B2c3D4e5" * 12 + ">"  # longer than a folded line
    headers = {"List-Unsubscribe": link, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    stored = _queue(app, headers)
    (received,) = mailbox.wait_for(1, recipient="ana@example.eu")
    assert received["List-Unsubscribe"] == link
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As written on the wire: one line, not RFC 2047-encoded (mail programs read the link as it is).
    assert dict(received.raw_items())["List-Unsubscribe"] == link
    assert stored == headers


def test_a_message_without_extra_headers_stores_none(app, mailbox):
    assert _queue(app) is None
    (received,) = mailbox.wait_for(1, recipient="ana@example.eu")
    assert received["List-Unsubscribe"] is None


@pytest.mark.parametrize(
    "headers",
    [
        {"To": "someone.else@example.eu"},
        {"subject": "Other"},
        {"Bad Name": "x"},
        {"X-Note": "one\r\nBcc: someone.else@example.eu"},
        {"X-Note": "one\nline"},
    ],
)
def test_headers_that_would_replace_the_usual_ones_or_inject_lines_are_refused(app, headers):
    with pytest.raises(ValueError):
        _queue(app, headers)
