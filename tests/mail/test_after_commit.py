"""An e-mail leaves only with the work it reports: queued in a unit of work, it is sent once the unit commits."""

import pytest
import sqlalchemy as sa

from app.auth import services as auth_services
from app.auth.models import Invitation, User
from app.extensions import db
from app.mail import services as mail
from app.mail.models import OutboxMessage
from app.unit_of_work import unit_of_work


class Boom(Exception):
    pass


def _queue(recipient, person):
    return mail.queue_email(recipient, "Hello", "notification", "notification", person=person, message="A message.", link="")


def _outbox_recipients():
    return db.session.scalars(sa.select(OutboxMessage.recipient)).all()


def test_an_email_queued_in_a_unit_is_sent_once_the_unit_commits_without_a_dispatch_call(app, contributor, mailbox):
    with app.app_context():
        with unit_of_work():
            _queue("committed@example.eu", db.session.get(User, contributor.id))
        assert _outbox_recipients() == ["committed@example.eu"]
    (received,) = mailbox.wait_for(1, recipient="committed@example.eu")
    assert received["Subject"] == "Hello"


def test_an_email_queued_in_a_unit_that_then_fails_is_neither_stored_nor_sent(app, contributor, mailbox):
    with app.app_context():
        person = db.session.get(User, contributor.id)
        with pytest.raises(Boom), unit_of_work():
            _queue("rolled-back@example.eu", person)
            db.session.flush()  # written to the database inside the transaction, then undone
            raise Boom()
        assert _outbox_recipients() == []
        # A later unit's e-mail goes out; by then the first would have been sent too, had it been queued.
        with unit_of_work():
            _queue("later@example.eu", db.session.get(User, contributor.id))
    mailbox.wait_for(1, recipient="later@example.eu")
    assert mailbox.to("rolled-back@example.eu") == []


def test_an_invitation_in_a_unit_that_fails_leaves_no_invitation_and_sends_nothing(app, admin, mailbox):
    with app.app_context():
        with pytest.raises(Boom), unit_of_work():
            auth_services.invite("nobody@example.eu", ["contributor"], db.session.get(User, admin.id))
            raise Boom()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
        assert _outbox_recipients() == []
        auth_services.invite("somebody@example.eu", ["contributor"], db.session.get(User, admin.id))
    mailbox.wait_for(1, recipient="somebody@example.eu")
    assert mailbox.to("nobody@example.eu") == []


def test_dispatching_a_message_its_unit_will_send_queues_no_second_job(app, contributor, monkeypatch):
    # Callers not yet converted still call dispatch(); the unit sends the message once, on commit.
    queued = []
    monkeypatch.setattr(mail, "enqueue", lambda job_func, *args, **kwargs: queued.append(args))
    with app.app_context():
        with unit_of_work():
            message = _queue("once@example.eu", db.session.get(User, contributor.id))
            db.session.flush()
            assert mail.dispatch(message) == []
        assert len(queued) == 1
