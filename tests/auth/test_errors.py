"""The account rules refuse with kinds of the one service error, so every caller maps them the same way."""

import pytest

from app.auth import services
from app.auth.models import User
from app.community import services as community_services
from app.extensions import db
from app.service_errors import Conflict, Forbidden, Invalid, ServiceError
from app.subscriptions import services as subscription_services
from tests.factories import PASSWORD
from tests.support import post_form


def test_the_old_error_names_are_service_errors():
    assert issubclass(services.AccountError, Invalid)
    assert issubclass(community_services.CommunityError, Invalid)
    assert issubclass(subscription_services.SubscriptionError, Invalid)


def test_a_taken_address_is_a_conflict(app, contributor):
    with app.app_context(), pytest.raises(Conflict) as refused:
        services.create_user(contributor.email, PASSWORD, ["contributor"])
    assert isinstance(refused.value, services.AccountError)
    assert refused.value.status == 409
    assert refused.value.field_messages() == {"email": "A user with this e-mail address already exists."}


def test_granting_a_role_one_may_not_grant_is_forbidden(app, editor):
    with app.app_context(), pytest.raises(Forbidden) as refused:
        services.invite("someone@example.eu", ["admin"], db.session.get(User, editor.id))
    assert refused.value.status == 403


def test_a_weak_password_is_invalid_on_its_field(app):
    with app.app_context(), pytest.raises(ServiceError) as refused:
        services.check_password_policy("short")
    assert refused.value.status == 422
    assert list(refused.value.fields) == ["password"]


def test_a_refusal_about_an_input_the_form_lacks_is_shown_without_its_key(admin, signed_in):
    # Deactivating oneself is refused about "active", which the page's form does not have.
    client = signed_in(admin)
    response = post_form(client, f"/admin/users/{admin.id}/deactivate", {}, token_from=f"/admin/users/{admin.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "You cannot deactivate your own account." in page
    assert "active:" not in page


def test_a_duplicate_network_name_is_shown_beside_the_name(admin, signed_in, app):
    client = signed_in(admin)
    data = {"name": "ILEAnet", "kind": "practitioners", "country": "", "website": "", "description": ""}
    post_form(client, "/admin/networks/new", data, token_from="/admin/networks/new")
    response = post_form(client, "/admin/networks/new", dict(data, name="ileanet"), token_from="/admin/networks/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A network called “ileanet” already exists." in page
    assert "name:" not in page
