"""Background jobs: with Redis they run on the real `rq worker` process; without it, in-process."""

import pytest

from app.extensions import db
from app.jobs import enqueue
from app.mail import services as mail
from app.mail.jobs import send_outbox_message
from app.mail.models import OutboxMessage
from tests.conftest import WITH_REDIS
from tests.factories import OutboxMessageFactory
from tests.support import wait_for

needs_redis = pytest.mark.skipif(not WITH_REDIS, reason="needs Redis and the rq worker (set TEST_REDIS_URL)")
without_redis = pytest.mark.skipif(WITH_REDIS, reason="the in-process path runs when TEST_REDIS_URL is not set")


def new_message(app, **fields):
    with app.app_context():
        return OutboxMessageFactory(**fields).id


def message_state(app, message_id):
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        return message.state, message.attempts, message.last_error


def fetch_job(app, job_id):
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from app.jobs import redis_connection

    with app.app_context():
        return Job.fetch(job_id, connection=redis_connection(), serializer=JSONSerializer)


def worker_of(app, pid):
    from rq import Worker

    from app.jobs import redis_connection

    with app.app_context():
        (worker,) = [worker for worker in Worker.all(connection=redis_connection()) if worker.pid == pid]
        return worker


@needs_redis
def test_enqueue_returns_a_job_id_and_the_rq_worker_process_runs_it(app, rq_worker, mailbox):
    message_id = new_message(app, recipient="worker@example.eu")
    with app.app_context():
        job_id = enqueue(send_outbox_message, message_id)
    assert job_id

    mailbox.wait_for(1, recipient="worker@example.eu")
    job = wait_for(lambda: (job := fetch_job(app, job_id)).get_status() == "finished" and job, message="job finished")
    assert job.return_value() == "sent"
    assert job.worker_name == worker_of(app, rq_worker.pid).name
    assert message_state(app, message_id)[0] == "sent"


@needs_redis
def test_emails_are_sent_by_the_worker_not_by_the_test_process(app, mailbox, monkeypatch):
    def not_here(_email):
        raise AssertionError("the test process tried to send an e-mail itself")

    # Only this process is patched: the worker process sends as usual.
    monkeypatch.setattr(mail, "_smtp_send", not_here)
    message_id = new_message(app, recipient="elsewhere@example.eu")
    with app.app_context():
        (job_id,) = mail.dispatch(db.session.get(OutboxMessage, message_id))
    assert job_id and job_id.startswith(f"outbox-{message_id}-")
    mailbox.wait_for(1, recipient="elsewhere@example.eu")
    wait_for(lambda: message_state(app, message_id)[0] == "sent", message="message marked sent")


@needs_redis
def test_a_failing_job_records_the_attempt_and_is_scheduled_for_a_retry(app, mailbox):
    message_id = new_message(app, recipient="nobody+refuse@example.eu")
    with app.app_context():
        (job_id,) = mail.dispatch(db.session.get(OutboxMessage, message_id))
        retries = len(app.config["JOB_RETRY_INTERVALS"])

    state, _attempts, last_error = wait_for(
        lambda: (row := message_state(app, message_id))[1] == 1 and row, message="first attempt recorded"
    )
    assert state == "pending" and "SMTPRecipientsRefused" in last_error
    job = wait_for(lambda: (job := fetch_job(app, job_id)).get_status() == "scheduled" and job, message="job scheduled for retry")
    assert job.retries_left == retries - 1
    assert mailbox.messages == []


@needs_redis
def test_invitation_email_goes_through_the_queue(app, admin, mailbox, monkeypatch):
    from app.auth import services as auth_services
    from app.auth.models import User

    monkeypatch.setattr(mail, "_smtp_send", lambda _email: pytest.fail("sent in the request"))
    with app.test_request_context():
        auth_services.invite("queued@example.eu", ["contributor"], db.session.get(User, admin.id))
    mailbox.wait_for(1, recipient="queued@example.eu")


@without_redis
def test_without_redis_jobs_run_in_process_before_enqueue_returns(app, mailbox):
    message_id = new_message(app, recipient="inline@example.eu")
    with app.app_context():
        assert enqueue(send_outbox_message, message_id) is None
    assert message_state(app, message_id)[0] == "sent"
    assert len(mailbox.to("inline@example.eu")) == 1


@without_redis
def test_without_redis_a_failing_job_is_logged_not_raised(make_app, caplog):
    from tests.support import closed_port

    smtp_down = make_app(REDIS_URL=None, MAIL_PORT=closed_port())
    message_id = new_message(smtp_down)
    with smtp_down.app_context():
        assert enqueue(send_outbox_message, message_id) is None
    assert message_state(smtp_down, message_id)[:2] == ("pending", 1)
    assert any("In-process job send_outbox_message" in record.getMessage() for record in caplog.records)
