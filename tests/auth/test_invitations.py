"""Invitations end to end: the form, the e-mail at the SMTP server, the link, the new account."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth import services
from app.auth.models import Invitation, User
from app.extensions import db
from app.mail.models import OutboxMessage
from app.timeutil import utcnow
from tests.factories import PASSWORD, NetworkFactory
from tests.support import csrf_token, link_in, post_form, sign_in

NEW_PASSWORD = "a new long password"
ACCEPT_PATH = "/invitations/accept/"


def invite_through_form(client, email, roles, areas=(), network_id=0, **extra):
    return post_form(
        client,
        "/invitations",
        {"email": email, "roles": list(roles), "areas": list(areas), "network_id": str(network_id), **extra},
        token_from="/invitations",
    )


def accept(client, path, name="Marta Kowalska", organisation="Polish Border Guard", password=NEW_PASSWORD):
    return post_form(
        client,
        path,
        {"name": name, "organisation": organisation, "password": password, "confirm": password},
        token_from=path,
    )


def invitation_link(mailbox, email):
    (message,) = mailbox.wait_for(1, recipient=email)
    return link_in(message, ACCEPT_PATH)


def user_named(app, email):
    with app.app_context():
        user = services.find_user_by_email(email)
        if user is None:
            return None
        return {
            "roles": user.roles,
            "areas": [area.code for area in user.areas],
            "networks": [network.name for network in user.networks],
            "name": user.name,
            "organisation": user.organisation,
        }


def test_admin_invitation_email_link_creates_the_account_signed_in_with_roles_areas_network(app, admin, signed_in, mailbox):
    with app.app_context():
        network_id = NetworkFactory(name="ENLETS").id
    response = invite_through_form(signed_in(admin), "marta@example.eu", ["editor", "reviewer"], areas=["BM", "CS"], network_id=network_id)
    assert response.status_code == 302

    path = invitation_link(mailbox, "marta@example.eu")
    invitee = app.test_client()
    assert invitee.get(path).status_code == 200
    response = accept(invitee, path)
    assert response.status_code == 302 and response.location == "/profile"

    profile = invitee.get("/profile")
    assert profile.status_code == 200 and "marta@example.eu" in profile.get_data(as_text=True)
    assert user_named(app, "marta@example.eu") == {
        "roles": ["editor", "reviewer"],
        "areas": ["BM", "CS"],
        "networks": ["ENLETS"],
        "name": "Marta Kowalska",
        "organisation": "Polish Border Guard",
    }


def test_invitation_email_names_the_roles_and_the_inviter(app, make_user, signed_in, mailbox):
    inviter = make_user(["admin"], name="Ana Admin")
    invite_through_form(signed_in(inviter), "jonas@example.eu", ["contributor"])
    (message,) = mailbox.wait_for(1, recipient="jonas@example.eu")
    assert message["Subject"] == "You are invited to CERIS Exchange"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Ana Admin invites you to CERIS Exchange as Contributor." in text


def test_editor_invites_a_reviewer_who_signs_up_from_the_email(app, editor, signed_in, mailbox):
    response = invite_through_form(signed_in(editor), "liis@example.eu", ["reviewer"], areas=["DRS"])
    assert response.status_code == 302

    invitee = app.test_client()
    assert accept(invitee, invitation_link(mailbox, "liis@example.eu")).status_code == 302
    assert invitee.get("/profile").status_code == 200
    assert user_named(app, "liis@example.eu")["roles"] == ["reviewer"]
    assert user_named(app, "liis@example.eu")["areas"] == ["DRS"]


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editor_cannot_invite_editors_or_admins(app, editor, signed_in, role):
    client = signed_in(editor)
    response = invite_through_form(client, "someone@example.eu", [role])
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_editor_sees_only_contributor_and_reviewer_on_the_form(editor, signed_in):
    html = signed_in(editor).get("/invitations").get_data(as_text=True)
    assert 'value="contributor"' in html and 'value="reviewer"' in html
    assert 'value="editor"' not in html and 'value="admin"' not in html


def test_invite_service_refuses_roles_beyond_the_inviters_reach(app, editor):
    with app.app_context():
        acting = db.session.get(User, editor.id)
        with pytest.raises(services.AccountError) as refused:
            services.invite("someone@example.eu", ["reviewer", "admin"], acting)
        assert refused.value.field == "roles"


def test_contributor_cannot_invite(contributor, signed_in):
    client = signed_in(contributor)
    assert client.get("/invitations").status_code == 403
    token = csrf_token(client, "/profile")
    response = client.post("/invitations", data={"csrf_token": token, "email": "x@example.eu", "roles": "contributor"})
    assert response.status_code == 403


def test_inviting_an_existing_user_is_refused_with_a_message(admin, make_user, signed_in, mailbox):
    existing = make_user(["contributor"])
    response = invite_through_form(signed_in(admin), existing.email, ["reviewer"])
    assert response.status_code == 422
    assert "A user with this e-mail address already exists." in response.get_data(as_text=True)


def test_invitation_link_cannot_be_used_twice(app, admin, signed_in, mailbox):
    invite_through_form(signed_in(admin), "petr@example.eu", ["contributor"])
    path = invitation_link(mailbox, "petr@example.eu")
    assert accept(app.test_client(), path).status_code == 302

    second = app.test_client()
    response = second.get(path)
    assert response.status_code == 410
    assert "This invitation has already been used." in response.get_data(as_text=True)
    token = csrf_token(second, "/login")
    again = second.post(
        path, data={"csrf_token": token, "name": "X", "organisation": "Y", "password": "another password", "confirm": "another password"}
    )
    assert again.status_code == 410
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == "petr@example.eu")) == 1


def test_expired_invitation_link_is_refused(app, admin, signed_in, mailbox):
    invite_through_form(signed_in(admin), "late@example.eu", ["contributor"])
    path = invitation_link(mailbox, "late@example.eu")
    with app.app_context():
        invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "late@example.eu"))
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

    invitee = app.test_client()
    response = invitee.get(path)
    assert response.status_code == 410
    assert "This invitation has expired." in response.get_data(as_text=True)
    token = csrf_token(invitee, "/login")
    response = invitee.post(
        path, data={"csrf_token": token, "name": "X", "organisation": "Y", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert user_named(app, "late@example.eu") is None


def test_invitation_older_than_invitation_max_age_is_refused(app, admin, signed_in, mailbox, monkeypatch):
    invite_through_form(signed_in(admin), "old@example.eu", ["contributor"])
    path = invitation_link(mailbox, "old@example.eu")
    # The signed link carries its own age: with a max age below it, the link is too old.
    monkeypatch.setitem(app.config, "INVITATION_MAX_AGE", -1)
    response = app.test_client().get(path)
    assert response.status_code == 410
    assert "This invitation has expired." in response.get_data(as_text=True)


def test_withdrawn_invitation_link_is_refused(app, admin, signed_in, mailbox):
    client = signed_in(admin)
    invite_through_form(client, "gone@example.eu", ["contributor"])
    path = invitation_link(mailbox, "gone@example.eu")
    with app.app_context():
        invitation_id = db.session.scalar(sa.select(Invitation.id).where(Invitation.email == "gone@example.eu"))
    assert post_form(client, f"/invitations/{invitation_id}/revoke", {}, token_from="/invitations").status_code == 302

    response = app.test_client().get(path)
    assert response.status_code == 410
    assert "This invitation has been withdrawn." in response.get_data(as_text=True)


def test_tampered_invitation_link_is_refused(app, admin, signed_in, mailbox):
    invite_through_form(signed_in(admin), "tamper@example.eu", ["contributor"])
    path = invitation_link(mailbox, "tamper@example.eu")
    response = app.test_client().get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert response.status_code == 410
    assert "This invitation link is not valid." in response.get_data(as_text=True)


def test_too_short_password_is_refused_and_the_link_stays_usable(app, admin, signed_in, mailbox):
    invite_through_form(signed_in(admin), "short@example.eu", ["contributor"])
    path = invitation_link(mailbox, "short@example.eu")
    invitee = app.test_client()
    response = accept(invitee, path, password="short")
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert user_named(app, "short@example.eu") is None
    assert accept(invitee, path).status_code == 302


def test_accepting_one_of_two_invitations_closes_the_other(app, admin, signed_in, mailbox):
    client = signed_in(admin)
    invite_through_form(client, "twice@example.eu", ["contributor"])
    # A second open invitation is refused now; rows from before that rule may still exist.
    first_id = _invitation_id(app, "twice@example.eu")
    _set_revoked(app, first_id, utcnow())
    invite_through_form(client, "twice@example.eu", ["contributor"])
    _set_revoked(app, first_id, None)
    first, second = (link_in(message, ACCEPT_PATH) for message in mailbox.wait_for(2, recipient="twice@example.eu"))
    assert accept(app.test_client(), first).status_code == 302

    response = app.test_client().get(second)
    assert response.status_code == 410
    assert "This invitation has already been used." in response.get_data(as_text=True)


# --- who sees and withdraws which invitations -----------------------------------


def _invitation_id(app, email):
    with app.app_context():
        return db.session.scalar(sa.select(Invitation.id).where(Invitation.email == email))


def _set_revoked(app, invitation_id, moment):
    with app.app_context():
        db.session.get(Invitation, invitation_id).revoked_at = moment
        db.session.commit()


def _revoked(app, invitation_id):
    with app.app_context():
        return db.session.get(Invitation, invitation_id).revoked_at is not None


def test_editor_does_not_see_an_admins_invitation(app, admin, editor, signed_in, mailbox):
    invite_through_form(signed_in(admin), "new.admin@example.eu", ["admin"])
    editor_client = signed_in(editor)
    invite_through_form(editor_client, "own.reviewer@example.eu", ["reviewer"], areas=["BM"])
    page = editor_client.get("/invitations").get_data(as_text=True)
    assert "own.reviewer@example.eu" in page
    assert "new.admin@example.eu" not in page


def test_admin_sees_every_invitation(app, admin, editor, signed_in, mailbox):
    invite_through_form(signed_in(editor), "own.reviewer@example.eu", ["reviewer"], areas=["BM"])
    assert "own.reviewer@example.eu" in signed_in(admin).get("/invitations").get_data(as_text=True)


def test_editor_cannot_withdraw_an_admins_invitation(app, admin, editor, signed_in, mailbox):
    invite_through_form(signed_in(admin), "new.admin@example.eu", ["admin"])
    invitation_id = _invitation_id(app, "new.admin@example.eu")
    response = post_form(signed_in(editor), f"/invitations/{invitation_id}/revoke", {}, token_from="/invitations")
    assert response.status_code == 404
    assert not _revoked(app, invitation_id)


def test_editor_cannot_withdraw_another_editors_invitation(app, make_user, signed_in, mailbox):
    first, second = make_user(["editor"], area_codes=["BM"]), make_user(["editor"], area_codes=["CS"])
    invite_through_form(signed_in(first), "their.reviewer@example.eu", ["reviewer"], areas=["BM"])
    invitation_id = _invitation_id(app, "their.reviewer@example.eu")
    response = post_form(signed_in(second), f"/invitations/{invitation_id}/revoke", {}, token_from="/invitations")
    assert response.status_code == 404
    assert not _revoked(app, invitation_id)


def test_editor_withdraws_their_own_invitation(app, editor, signed_in, mailbox):
    client = signed_in(editor)
    invite_through_form(client, "own.reviewer@example.eu", ["reviewer"], areas=["BM"])
    invitation_id = _invitation_id(app, "own.reviewer@example.eu")
    assert post_form(client, f"/invitations/{invitation_id}/revoke", {}, token_from="/invitations").status_code == 302
    assert _revoked(app, invitation_id)


def test_revoke_service_refuses_an_editor_on_someone_elses_invitation(app, admin, editor):
    with app.app_context():
        inviter = db.session.get(User, admin.id)
        invitation = services.invite("new.admin@example.eu", ["admin"], inviter)
        db.session.commit()
        with pytest.raises(services.AccountError):
            services.revoke_invitation(invitation, db.session.get(User, editor.id))
        assert invitation.revoked_at is None


# --- installations that send no e-mail ---------------------------------------------


def test_without_mail_server_the_inviter_is_shown_the_link_once_and_it_works(make_app, admin):
    # The outbox masks secret links, so the inviter's confirmation is the only place to get it.
    no_mail = make_app(MAIL_SERVER=None, REDIS_URL=None)
    client = no_mail.test_client()
    sign_in(client, admin.email, PASSWORD)
    response = invite_through_form(client, "offline@example.eu", ["contributor"])
    assert response.status_code == 302
    page = client.get("/invitations").get_data(as_text=True)
    match = re.search(r"(/invitations/accept/[A-Za-z0-9._-]+)", page)
    assert match, "the invitation link is shown to the inviter"
    assert no_mail.test_client().get(match.group(1)).status_code == 200
    # Shown once: the next page view no longer carries it.
    assert ACCEPT_PATH not in client.get("/invitations").get_data(as_text=True)


def test_with_mail_server_the_link_is_not_shown_to_the_inviter(admin, signed_in, mailbox):
    client = signed_in(admin)
    invite_through_form(client, "online@example.eu", ["contributor"])
    assert ACCEPT_PATH not in client.get("/invitations").get_data(as_text=True)
    assert invitation_link(mailbox, "online@example.eu")
