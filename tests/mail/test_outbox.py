"""The outbox: persisted first, sent at most once, failures recorded, nothing lost when Redis is down."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Invitation
from app.extensions import db
from app.jobs import enqueue
from app.mail import services as mail
from app.mail.jobs import send_outbox_message
from app.mail.models import OutboxMessage
from app.timeutil import utcnow
from tests.factories import PASSWORD, OutboxMessageFactory
from tests.support import UNREACHABLE_REDIS_URL, closed_port, post_form, sign_in, wait_for


@pytest.fixture
def offline_app(make_app):
    """The platform with its Redis gone (nothing listens there) but SMTP up."""
    return make_app(REDIS_URL=UNREACHABLE_REDIS_URL)


def new_message(app, **fields):
    with app.app_context():
        return OutboxMessageFactory(**fields).id


def outbox_row(app, message_id):
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        return {
            "state": message.state,
            "attempts": message.attempts,
            "last_error": message.last_error,
            "claimed_at": message.claimed_at,
            "sent_at": message.sent_at,
        }


def invite_through(app, inviter, email):
    client = app.test_client()
    sign_in(client, inviter.email, PASSWORD)
    return post_form(client, "/invitations", {"email": email, "roles": ["contributor"], "network_id": "0"}, token_from="/invitations")


def flush(app):
    return app.test_cli_runner().invoke(args=["outbox", "flush"])


def wait_until_settled(app, message_id):
    """Jobs on a real worker finish on their own time: wait until nobody holds the message."""
    return wait_for(lambda: outbox_row(app, message_id)["state"] != "sending" and outbox_row(app, message_id), message="message settled")


# --- Redis out of reach ------------------------------------------------------------


def test_with_redis_down_an_invitation_is_recorded_and_its_email_waits_pending(offline_app, admin, mailbox):
    response = invite_through(offline_app, admin, "waiting@example.eu")
    assert response.status_code == 302

    with offline_app.app_context():
        invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "waiting@example.eu"))
        assert invitation is not None and invitation.accepted_at is None
        (message,) = db.session.scalars(sa.select(OutboxMessage)).all()
        assert (message.recipient, message.kind, message.state, message.attempts) == (
            "waiting@example.eu",
            "invitation",
            "pending",
            0,
        )
    assert mailbox.messages == []


def test_enqueue_with_redis_down_returns_no_job_and_raises_nothing(offline_app):
    message_id = new_message(offline_app)
    with offline_app.app_context():
        assert enqueue(send_outbox_message, message_id) is None
    assert outbox_row(offline_app, message_id)["state"] == "pending"


def test_outbox_flush_sends_what_waited_while_redis_was_down(offline_app, admin, mailbox):
    invite_through(offline_app, admin, "waiting@example.eu")

    result = flush(offline_app)
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed" in result.output
    (message,) = mailbox.wait_for(1, recipient="waiting@example.eu")
    assert message["Subject"] == "You are invited to CERIS Exchange"
    with offline_app.app_context():
        assert db.session.scalars(sa.select(OutboxMessage.state)).all() == ["sent"]


def test_a_second_flush_sends_nothing_more(offline_app, admin, mailbox):
    invite_through(offline_app, admin, "waiting@example.eu")
    assert flush(offline_app).exit_code == 0
    mailbox.wait_for(1, recipient="waiting@example.eu")

    result = flush(offline_app)
    assert result.exit_code == 0 and "0 sent, 0 failed" in result.output
    assert len(mailbox.messages) == 1


def test_flush_while_smtp_is_also_down_fails_keeps_the_email_and_a_later_flush_sends_it(make_app, admin, mailbox):
    nothing_up = make_app(REDIS_URL=UNREACHABLE_REDIS_URL, MAIL_PORT=closed_port())
    invite_through(nothing_up, admin, "patient@example.eu")

    result = flush(nothing_up)
    assert result.exit_code == 1 and "0 sent, 1 failed" in result.output
    with nothing_up.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        assert (message.state, message.attempts) == ("pending", 1)
        assert "ConnectionRefusedError" in message.last_error
    assert mailbox.messages == []

    smtp_back = make_app(REDIS_URL=UNREACHABLE_REDIS_URL)
    assert "1 sent" in flush(smtp_back).output
    mailbox.wait_for(1, recipient="patient@example.eu")
    assert len(mailbox.messages) == 1


def test_flush_without_a_mail_server_says_so_and_fails(make_app):
    result = flush(make_app(MAIL_SERVER=None))
    assert result.exit_code != 0
    assert "MAIL_SERVER is not set" in result.output


# --- at most once -------------------------------------------------------------------


def test_the_same_message_dispatched_twice_is_delivered_once(app, mailbox):
    message_id = new_message(app, recipient="once@example.eu")
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        first = mail.dispatch(message)
        second = mail.dispatch(message)
    if app.config["REDIS_URL"]:
        assert first != second, "two separate jobs"
        _wait_for_jobs(app, first + second)

    mailbox.wait_for(1, recipient="once@example.eu")
    row = wait_until_settled(app, message_id)
    assert (row["state"], row["attempts"]) == ("sent", 1)
    assert len(mailbox.messages) == 1


def _wait_for_jobs(app, job_ids):
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from app.jobs import redis_connection

    with app.app_context():
        connection = redis_connection()

        def finished():
            jobs = [Job.fetch(job_id, connection=connection, serializer=JSONSerializer) for job_id in job_ids]
            return jobs if all(job.get_status() == "finished" for job in jobs) else None

        jobs = wait_for(finished, message="both jobs finished")
        assert sorted(job.return_value() for job in jobs) == ["sent", "skipped"]


def test_a_sent_message_is_skipped_when_sent_again(app, mailbox):
    message_id = new_message(app)
    with app.app_context():
        assert mail.send_message(message_id) == "sent"
        assert mail.send_message(message_id) == "skipped"
    assert len(mailbox.messages) == 1


def test_only_one_of_many_concurrent_senders_claims_a_message(app):
    message_id = new_message(app)
    contenders = 6
    barrier = threading.Barrier(contenders)
    results, errors = [], []

    def contend():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results.append(mail.claim(message_id))
                db.session.remove()
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=contend) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [False] * (contenders - 1) + [True]
    assert outbox_row(app, message_id)["state"] == "sending"


def test_a_message_claimed_by_a_sender_that_died_is_sent_after_a_while(app, mailbox):
    stale = new_message(app, recipient="stale@example.eu", state="sending", claimed_at=utcnow() - timedelta(minutes=11))
    busy = new_message(app, recipient="busy@example.eu", state="sending", claimed_at=utcnow() - timedelta(minutes=1))
    with app.app_context():
        assert mail.flush_outbox() == (1, 0, 0)
    mailbox.wait_for(1, recipient="stale@example.eu")
    assert outbox_row(app, stale)["state"] == "sent"
    assert outbox_row(app, busy)["state"] == "sending"
    assert mailbox.to("busy@example.eu") == []


# --- failures -------------------------------------------------------------------------


def test_smtp_failure_records_the_attempt_and_error_keeps_the_message_pending_and_the_job_raises(make_app, mailbox):
    smtp_down = make_app(REDIS_URL=UNREACHABLE_REDIS_URL, MAIL_PORT=closed_port())
    message_id = new_message(smtp_down)
    # Raising is what makes RQ retry the job.
    with smtp_down.app_context(), pytest.raises(ConnectionRefusedError):
        send_outbox_message(message_id)
    row = outbox_row(smtp_down, message_id)
    assert (row["state"], row["attempts"], row["claimed_at"], row["sent_at"]) == ("pending", 1, None, None)
    assert row["last_error"].startswith("ConnectionRefusedError")
    assert mailbox.messages == []


def test_a_refused_recipient_is_recorded_as_a_failed_attempt(app, mailbox):
    message_id = new_message(app, recipient="nobody+refuse@example.eu")
    with app.app_context(), pytest.raises(Exception) as raised:
        send_outbox_message(message_id)
    assert type(raised.value).__name__ == "SMTPRecipientsRefused"
    row = outbox_row(app, message_id)
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert "SMTPRecipientsRefused" in row["last_error"]


def test_a_failed_attempt_is_retried_and_its_error_cleared_on_success(make_app, app, mailbox):
    message_id = new_message(app, recipient="later@example.eu")
    with make_app(MAIL_PORT=closed_port()).app_context(), pytest.raises(OSError):
        send_outbox_message(message_id)
    with app.app_context():
        assert mail.flush_outbox() == (1, 0, 0)
    mailbox.wait_for(1, recipient="later@example.eu")
    row = outbox_row(app, message_id)
    assert (row["state"], row["attempts"], row["last_error"]) == ("sent", 2, "")


def test_the_last_allowed_attempt_marks_the_message_failed(make_app):
    smtp_down = make_app(REDIS_URL=UNREACHABLE_REDIS_URL, MAIL_PORT=closed_port())
    with smtp_down.app_context():
        last = mail.max_attempts()
        assert last == len(smtp_down.config["JOB_RETRY_INTERVALS"]) + 1
    message_id = new_message(smtp_down, attempts=last - 1)
    with smtp_down.app_context(), pytest.raises(OSError):
        send_outbox_message(message_id)
    assert outbox_row(smtp_down, message_id)["state"] == "failed"


def test_flush_leaves_failed_messages_alone(app, mailbox):
    new_message(app, state="failed", attempts=6)
    with app.app_context():
        assert mail.flush_outbox() == (0, 0, 0)
    assert mailbox.messages == []


def test_retrying_a_failed_message_sends_it(app, mailbox):
    message_id = new_message(app, recipient="retry@example.eu", state="failed", attempts=6, last_error="SMTPServerDisconnected")
    with app.app_context():
        assert mail.retry_failed(message_id) is not None
    mailbox.wait_for(1, recipient="retry@example.eu")
    assert wait_until_settled(app, message_id)["state"] == "sent"


def test_an_in_process_send_failure_does_not_break_the_request(make_app, admin, mailbox):
    """Without Redis the job runs inside the request: SMTP down must not turn the invitation into an error page."""
    embedded = make_app(REDIS_URL=None, MAIL_PORT=closed_port())
    response = invite_through(embedded, admin, "unlucky@example.eu")
    assert response.status_code == 302
    with embedded.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        assert (message.state, message.attempts) == ("pending", 1)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 1


def test_without_a_mail_server_emails_stay_in_the_outbox(make_app, mailbox):
    embedded = make_app(REDIS_URL=None, MAIL_SERVER=None)
    message_id = new_message(embedded)
    with embedded.app_context():
        assert mail.send_message(message_id) == "held"
    assert outbox_row(embedded, message_id)["state"] == "pending"
    assert mailbox.messages == []


# --- the e-mail itself ------------------------------------------------------------------


def test_the_email_has_text_and_html_parts_and_a_stable_message_id(app, mailbox):
    message_id = new_message(app, recipient="parts@example.eu", subject="Parts")
    with app.app_context():
        mail.send_message(message_id)
        message = db.session.get(OutboxMessage, message_id)
        expected_id = mail.message_id_for(message, "ceris.example.eu")
    (received,) = mailbox.wait_for(1, recipient="parts@example.eu")
    assert received["Subject"] == "Parts"
    assert received["From"] == "CERIS Exchange <no-reply@ceris.example.eu>"
    assert received["Message-ID"] == expected_id
    assert "Hello from the CERIS Exchange outbox." in received.get_body(("plain",)).get_content()
    assert "<p>Hello from the CERIS Exchange outbox.</p>" in received.get_body(("html",)).get_content()
