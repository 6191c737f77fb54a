"""Credentials that must not outlive a password change or a sign-out, and passwords too common to accept."""

import pytest

from app import jobs
from app.auth import password_reset, services
from app.auth.models import User
from app.demo import DEMO_PASSWORD
from app.extensions import db
from tests.factories import PASSWORD
from tests.support import link_in, post_form

NEW_PASSWORD = "a fresh long password"
COMMON = "This password is one of the most common ones, which attackers try first. Choose another."


def sign_in_remembered(app, user):
    client = app.test_client()
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD, "remember": "y"}, token_from="/login")
    assert response.status_code == 302
    return client


def remember_cookie(client):
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.value
    return cookie.value


def signs_in_with(app, remember_value):
    """Does a fresh browser holding only this remember-me cookie get in?"""
    client = app.test_client()
    client.set_cookie("remember_token", remember_value)
    return client.get("/profile").status_code == 200


def change_password_on_profile(client, new=NEW_PASSWORD, current=PASSWORD):
    return post_form(
        client,
        "/profile",
        {"form": "password", "password-current_password": current, "password-password": new, "password-confirm": new},
        token_from="/profile",
    )


def sign_out(client):
    response = post_form(client, "/logout", {}, token_from="/profile")
    assert response.status_code == 302
    return response


def api_token(client, user):
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201
    return response.get_json()["token"]


def me_status(client, token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def reset_link(client, mailbox, email):
    post_form(client, "/password/forgot", {"email": email}, token_from="/password/forgot")
    (message,) = mailbox.wait_for(1, recipient=email)
    return link_in(message, "/password/reset/")


def choose_password(client, path, password=NEW_PASSWORD):
    return post_form(client, path, {"password": password, "confirm": password}, token_from=path)


# --- API tokens ---------------------------------------------------------------------------


def test_password_change_revokes_the_users_api_tokens(app, contributor, signed_in):
    client = signed_in(contributor)
    token = api_token(client, contributor)
    assert me_status(client, token) == 200

    assert change_password_on_profile(client).status_code == 302
    assert me_status(app.test_client(), token) == 401


def test_password_reset_revokes_the_users_api_tokens(app, client, contributor, mailbox):
    token = api_token(client, contributor)
    assert me_status(client, token) == 200

    path = reset_link(client, mailbox, contributor.email)
    assert choose_password(app.test_client(), path).status_code == 302
    assert me_status(app.test_client(), token) == 401


def test_password_change_leaves_other_users_tokens_alone(app, contributor, reviewer, signed_in):
    client = signed_in(contributor)
    others = api_token(app.test_client(), reviewer)
    change_password_on_profile(client)
    assert me_status(app.test_client(), others) == 200


# --- remember-me cookies ---------------------------------------------------------------------


def test_old_remember_cookie_signs_in_nobody_after_a_password_change(app, contributor):
    device = sign_in_remembered(app, contributor)
    copied = remember_cookie(device)
    assert signs_in_with(app, copied)  # the copy works until the change

    assert change_password_on_profile(device).status_code == 302
    assert not signs_in_with(app, copied)


def test_old_remember_cookie_signs_in_nobody_after_a_password_reset(app, client, contributor, mailbox):
    copied = remember_cookie(sign_in_remembered(app, contributor))
    path = reset_link(client, mailbox, contributor.email)
    assert choose_password(app.test_client(), path).status_code == 302
    assert not signs_in_with(app, copied)


def test_the_device_that_changed_the_password_stays_remembered(app, contributor):
    device = sign_in_remembered(app, contributor)
    change_password_on_profile(device)
    # The browser closes (its session cookie goes); the new remember-me cookie brings it back.
    device.delete_cookie("session")
    assert device.get("/profile").status_code == 200


def test_copied_remember_cookie_signs_in_nobody_after_its_owner_signs_out(app, contributor):
    device = sign_in_remembered(app, contributor)
    copied = remember_cookie(device)
    assert signs_in_with(app, copied)

    sign_out(device)
    assert not signs_in_with(app, copied)


def test_sign_out_ends_the_users_other_sessions(app, contributor, signed_in):
    here, elsewhere = signed_in(contributor), signed_in(contributor)
    sign_out(here)
    assert elsewhere.get("/profile").status_code == 302


def test_sign_out_leaves_other_users_signed_in(app, contributor, reviewer, signed_in):
    mine, theirs = signed_in(contributor), signed_in(reviewer)
    sign_out(mine)
    assert theirs.get("/profile").status_code == 200


def test_user_signs_in_again_after_signing_out(app, contributor, signed_in):
    sign_out(signed_in(contributor))
    assert signed_in(contributor).get("/profile").status_code == 200


def test_sign_out_does_not_spend_a_pending_reset_link(app, client, contributor, signed_in, mailbox):
    path = reset_link(client, mailbox, contributor.email)
    sign_out(signed_in(contributor))
    assert choose_password(app.test_client(), path).status_code == 302


# --- reset links work once ------------------------------------------------------------------------


def test_used_reset_link_answers_410_already_used(app, client, contributor, mailbox):
    path = reset_link(client, mailbox, contributor.email)
    assert choose_password(app.test_client(), path).status_code == 302

    for response in (app.test_client().get(path), choose_password(app.test_client(), path, "yet another long one")):
        assert response.status_code == 410
        assert "This reset link has already been used" in response.get_data(as_text=True)


def test_reset_link_claimed_by_a_concurrent_submission_answers_410(app, client, contributor, mailbox, monkeypatch):
    """Two submissions pass the link check together; the second to write finds the link spent."""
    path = reset_link(client, mailbox, contributor.email)
    token = path.rsplit("/", 1)[-1]
    real_check = password_reset.check_password_policy

    def meanwhile_the_other_submission_wins(password):
        real_check(password)
        monkeypatch.setattr(password_reset, "check_password_policy", real_check)
        with app.app_context():  # the other request: a session and transaction of its own
            services.reset_password(token, "the winning password")

    monkeypatch.setattr(password_reset, "check_password_policy", meanwhile_the_other_submission_wins)
    response = choose_password(app.test_client(), path)
    assert response.status_code == 410
    with app.app_context():
        assert db.session.get(User, contributor.id).check_password("the winning password")


# --- forgotten password: same work for every address -----------------------------------------------------


def test_forgot_password_queues_the_same_job_for_known_and_unknown_addresses(app, contributor, mailbox, monkeypatch):
    queued = []
    real_enqueue = jobs.enqueue

    def recording_enqueue(job_func, *args, **kwargs):
        queued.append((job_func.__name__, args))
        return real_enqueue(job_func, *args, **kwargs)

    monkeypatch.setattr(jobs, "enqueue", recording_enqueue)
    responses = [
        post_form(app.test_client(), "/password/forgot", {"email": email}, token_from="/password/forgot")
        for email in ("nobody@example.eu", contributor.email)
    ]

    # (Sending the known address's e-mail is a job of its own, queued by this one.)
    resets = [entry for entry in queued if entry[0] == "send_password_reset_email"]
    assert resets == [("send_password_reset_email", ("nobody@example.eu",)), ("send_password_reset_email", (contributor.email,))]
    assert [(r.status_code, r.location) for r in responses] == [(302, "/login")] * 2
    mailbox.wait_for(1, recipient=contributor.email)
    assert mailbox.to("nobody@example.eu") == []


# --- common passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "QwertyUIOP"])
def test_common_password_is_refused_on_reset_and_the_link_stays_usable(app, client, contributor, mailbox, password):
    path = reset_link(client, mailbox, contributor.email)
    response = choose_password(client, path, password)
    assert response.status_code == 422
    assert COMMON in response.get_data(as_text=True)
    assert choose_password(client, path).status_code == 302


def test_common_password_is_refused_on_change_password(app, contributor, signed_in):
    client = signed_in(contributor)
    response = change_password_on_profile(client, "Password123")
    assert response.status_code == 422
    assert COMMON in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, contributor.id).check_password(PASSWORD)


def test_common_password_is_refused_on_invitation_acceptance(app, mailbox):
    with app.app_context():
        services.invite("marta@example.eu", ["contributor"], None)
    (message,) = mailbox.wait_for(1, recipient="marta@example.eu")
    path = link_in(message, "/invitations/accept/")
    client = app.test_client()
    response = post_form(
        client,
        path,
        {"name": "Marta", "organisation": "Border Guard", "password": "qwertyuiop", "confirm": "qwertyuiop"},
        token_from=path,
    )
    assert response.status_code == 422
    assert COMMON in response.get_data(as_text=True)
    with app.app_context():
        assert services.find_user_by_email("marta@example.eu") is None


def test_common_password_is_refused_by_users_create(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "common@example.eu", "--role", "contributor", "--password", "password123"]
    )
    assert result.exit_code != 0
    assert COMMON in result.output
    with app.app_context():
        assert services.find_user_by_email("common@example.eu") is None


@pytest.mark.parametrize("password", [PASSWORD, DEMO_PASSWORD, NEW_PASSWORD])
def test_fixture_and_demo_passwords_pass_the_policy(app_context, password):
    services.check_password_policy(password)
