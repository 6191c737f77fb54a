"""Password reset end to end: the e-mail at the SMTP server, a link that works once, old sessions ended."""

import sqlalchemy as sa

from app.auth import services
from app.auth.models import User
from app.extensions import db
from app.mail.models import OutboxMessage
from tests.factories import PASSWORD
from tests.support import flashes, link_in, post_form

NEW_PASSWORD = "a fresh long password"
RESET_PATH = "/password/reset/"
SAME_ANSWER = "If an account uses this address, a reset link is on its way."


def ask_for_reset(client, email):
    return post_form(client, "/password/forgot", {"email": email}, token_from="/password/forgot")


def reset_link(mailbox, email):
    (message,) = mailbox.wait_for(1, recipient=email)
    return link_in(message, RESET_PATH)


def choose_password(client, path, password=NEW_PASSWORD):
    return post_form(client, path, {"password": password, "confirm": password}, token_from=path)


def can_sign_in(app, email, password):
    client = app.test_client()
    return post_form(client, "/login", {"email": email, "password": password}, token_from="/login").status_code == 302


def outbox_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_reset_email_arrives_and_its_link_sets_a_new_password(app, client, contributor, mailbox):
    response = ask_for_reset(client, contributor.email)
    assert response.status_code == 302 and response.location == "/login"

    (message,) = mailbox.wait_for(1, recipient=contributor.email)
    assert message["Subject"] == "Reset your CERIS Exchange password"
    path = link_in(message, RESET_PATH)
    stranger = app.test_client()
    assert stranger.get(path).status_code == 200
    response = choose_password(stranger, path)
    assert response.status_code == 302 and response.location == "/login"

    assert can_sign_in(app, contributor.email, NEW_PASSWORD)
    assert not can_sign_in(app, contributor.email, PASSWORD)


def test_reset_link_works_only_once(app, client, contributor, mailbox):
    ask_for_reset(client, contributor.email)
    path = reset_link(mailbox, contributor.email)
    assert choose_password(app.test_client(), path).status_code == 302

    again = app.test_client()
    response = again.get(path)
    assert response.status_code == 410
    assert "This reset link has already been used" in response.get_data(as_text=True)
    assert choose_password(again, path, "yet another password").status_code == 410
    assert can_sign_in(app, contributor.email, NEW_PASSWORD)


def test_reset_ends_every_existing_session(app, contributor, signed_in, mailbox):
    old_session = signed_in(contributor)
    assert old_session.get("/profile").status_code == 200

    requester = app.test_client()
    ask_for_reset(requester, contributor.email)
    choose_password(requester, reset_link(mailbox, contributor.email))

    assert old_session.get("/profile").status_code == 302


def test_reset_link_dies_when_the_password_changes_otherwise(app, client, contributor, mailbox):
    ask_for_reset(client, contributor.email)
    path = reset_link(mailbox, contributor.email)
    with app.app_context():
        services.change_password(db.session.get(User, contributor.id), PASSWORD, "changed on the profile")
    assert app.test_client().get(path).status_code == 410


def test_expired_reset_link_is_refused(app, client, contributor, mailbox, monkeypatch):
    ask_for_reset(client, contributor.email)
    path = reset_link(mailbox, contributor.email)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = app.test_client().get(path)
    assert response.status_code == 410
    assert "This reset link has expired." in response.get_data(as_text=True)


def test_too_short_new_password_is_refused_and_the_link_stays_usable(app, client, contributor, mailbox):
    ask_for_reset(client, contributor.email)
    path = reset_link(mailbox, contributor.email)
    response = choose_password(client, path, "short")
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert choose_password(client, path).status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_email(app, contributor, mailbox):
    unknown, known = app.test_client(), app.test_client()
    unknown_response = ask_for_reset(unknown, "nobody@example.eu")
    known_response = ask_for_reset(known, contributor.email)

    assert (unknown_response.status_code, unknown_response.location) == (known_response.status_code, known_response.location)
    assert flashes(unknown.get("/login").get_data(as_text=True)) == [SAME_ANSWER]
    assert flashes(known.get("/login").get_data(as_text=True)) == [SAME_ANSWER]

    # Jobs run in order, so once the known address's e-mail is in, any e-mail
    # for the unknown one would be too.
    mailbox.wait_for(1, recipient=contributor.email)
    assert mailbox.to("nobody@example.eu") == []
    assert len(mailbox.messages) == 1
    with app.app_context():
        assert outbox_count() == 1


def test_deactivated_account_gets_no_reset_email(app, client, contributor, mailbox):
    with app.app_context():
        services.set_active(db.session.get(User, contributor.id), False)
    response = ask_for_reset(client, contributor.email)
    assert response.status_code == 302
    with app.app_context():
        assert outbox_count() == 0
    assert mailbox.messages == []
