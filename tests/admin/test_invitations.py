"""Admins' invitations: one open invitation per address; reviewers and editors are invited into an area."""

import sqlalchemy as sa

from app.auth.models import Invitation, User
from app.extensions import db
from app.timeutil import utcnow
from tests.support import post_form


def _invite(client, email, roles, areas=()):
    return post_form(
        client,
        "/invitations",
        {"email": email, "roles": list(roles), "areas": list(areas), "network_id": "0"},
        token_from="/invitations",
    )


def _invitations_to(in_app, email):
    return in_app(lambda: db.session.scalars(sa.select(Invitation).where(Invitation.email == email)).all())


def test_a_second_open_invitation_to_the_same_address_is_refused(admin_client, in_app):
    assert _invite(admin_client, "once@example.eu", ["contributor"]).status_code == 302
    response = _invite(admin_client, "Once@Example.eu", ["contributor"])
    assert response.status_code == 422
    assert "An invitation to this address is still open" in response.get_data(as_text=True)
    assert len(_invitations_to(in_app, "once@example.eu")) == 1


def test_an_address_whose_invitation_was_withdrawn_can_be_invited_again(admin_client, in_app):
    assert _invite(admin_client, "again@example.eu", ["contributor"]).status_code == 302

    def withdraw():
        db.session.scalar(sa.select(Invitation)).revoked_at = utcnow()
        db.session.commit()

    in_app(withdraw)
    assert _invite(admin_client, "again@example.eu", ["contributor"]).status_code == 302
    assert len(_invitations_to(in_app, "again@example.eu")) == 2


def test_the_service_names_the_email_field(app, admin):
    from app.auth import services

    with app.app_context():
        acting = db.session.get(User, admin.id)
        services.invite("field@example.eu", ["contributor"], acting)
        try:
            services.invite("field@example.eu", ["contributor"], acting)
        except services.AccountError as error:
            assert error.status == 422 and set(error.fields) == {"email"}
        else:
            raise AssertionError("the second invitation was accepted")


def test_a_reviewer_invitation_without_an_area_is_refused(admin_client, in_app):
    response = _invite(admin_client, "reviewer@example.eu", ["reviewer"])
    assert response.status_code == 422
    assert "choose at least one" in response.get_data(as_text=True)
    assert _invitations_to(in_app, "reviewer@example.eu") == []


def test_an_editor_invitation_without_an_area_is_refused(admin_client, in_app):
    assert _invite(admin_client, "editor@example.eu", ["contributor", "editor"]).status_code == 422
    assert _invitations_to(in_app, "editor@example.eu") == []


def test_a_reviewer_invitation_with_an_area_is_sent(admin_client, in_app):
    assert _invite(admin_client, "reviewer@example.eu", ["reviewer"], areas=["BM"]).status_code == 302
    (invitation,) = _invitations_to(in_app, "reviewer@example.eu")
    assert invitation.area_codes == ["BM"]


def test_a_contributor_invitation_needs_no_area(admin_client, in_app):
    assert _invite(admin_client, "contributor@example.eu", ["contributor"]).status_code == 302
