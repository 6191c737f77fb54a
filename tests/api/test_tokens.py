"""Bearer tokens: POST /api/v1/tokens, GET /api/v1/me, revocation and deactivation."""

import re

import sqlalchemy as sa

from app.auth import services
from app.auth.models import ApiToken, User
from app.extensions import db
from tests.factories import PASSWORD, NetworkFactory, UserFactory
from tests.support import post_form

ME_FIELDS = {"id", "email", "name", "roles", "areas", "organisation", "networks"}


def issue(client, email, password=PASSWORD, **extra):
    return client.post("/api/v1/tokens", json={"email": email, "password": password, **extra})


def token_for(client, who):
    """A token for a user (or an e-mail address), through the API."""
    response = issue(client, who if isinstance(who, str) else who.email)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_right_credentials_give_201_with_a_token(client, contributor):
    response = issue(client, contributor.email)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token"} and len(body["token"]) > 30


def test_only_the_tokens_digest_is_stored(app, client, contributor):
    token = token_for(client, contributor)
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken)).one()
        assert token not in (stored.token_hash, stored.prefix)
        assert token.startswith(stored.prefix)


def test_each_request_gets_a_new_token(client, contributor):
    assert token_for(client, contributor) != token_for(client, contributor)


def test_wrong_password_is_401_json(client, contributor):
    response = issue(client, contributor.email, "not the password")
    assert response.status_code == 401
    assert response.is_json and set(response.get_json()) == {"error"}


def test_unknown_email_is_401_like_a_wrong_password(client, contributor):
    unknown = issue(client, "nobody@example.eu", "whatever password")
    wrong = issue(client, contributor.email, "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()


def test_token_works_on_me_with_the_documented_fields(app, client):
    with app.app_context():
        network = NetworkFactory(name="Baltic Sea Region Security Forum", kind="regional_forum")
        user = UserFactory(roles=["reviewer", "editor"], area_codes=["BM", "DRS"], organisation="Estonian Rescue Board", networks=[network])
        network_id, user_id, email = network.id, user.id, user.email
    response = client.get("/api/v1/me", headers=bearer(token_for(client, email)))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == ME_FIELDS
    assert body["id"] == user_id and body["email"] == email
    assert body["roles"] == ["editor", "reviewer"]
    assert body["areas"] == ["BM", "DRS"]
    assert body["organisation"] == "Estonian Rescue Board"
    assert body["networks"] == [{"id": network_id, "name": "Baltic Sea Region Security Forum", "kind": "regional_forum"}]
    assert isinstance(body["name"], str) and body["name"]


def test_me_without_a_token_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.is_json and "error" in response.get_json()


def test_401_names_the_bearer_scheme(client):
    assert client.get("/api/v1/me").headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_unknown_token_is_401(client):
    assert client.get("/api/v1/me", headers=bearer("ceris_made-up")).status_code == 401


def test_other_authorization_schemes_are_401(client, contributor):
    response = client.get("/api/v1/me", headers={"Authorization": f"Basic {contributor.email}:{PASSWORD}"})
    assert response.status_code == 401


def test_a_bad_token_is_refused_even_on_public_endpoints(client):
    assert client.get("/api/v1/thematic-areas").status_code == 200
    assert client.get("/api/v1/thematic-areas", headers=bearer("ceris_made-up")).status_code == 401


def test_web_session_cookie_does_not_authenticate_the_api(contributor, signed_in):
    client = signed_in(contributor)
    assert client.get("/api/v1/me").status_code == 401


def test_token_revoked_on_the_profile_page_gets_401(app, contributor, signed_in):
    api = app.test_client()
    token = token_for(api, contributor)
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 200

    browser = signed_in(contributor)
    html = browser.get("/profile").get_data(as_text=True)
    (revoke_path,) = re.findall(r'action="(/profile/tokens/\d+/revoke)"', html)
    response = post_form(browser, revoke_path, {}, token_from="/profile")
    assert response.status_code == 302
    assert "revoked" in browser.get("/profile").get_data(as_text=True)

    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_cannot_revoke_someone_elses_token(app, contributor, make_user, signed_in):
    token = token_for(app.test_client(), contributor)
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    other = signed_in(make_user())
    response = post_form(other, f"/profile/tokens/{token_id}/revoke", {}, token_from="/profile")
    assert response.status_code == 404
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200


def test_token_made_on_the_profile_page_works_on_the_api(app, contributor, signed_in):
    browser = signed_in(contributor)
    response = post_form(browser, "/profile/tokens", {"token-name": "My script"}, token_from="/profile")
    assert response.status_code == 201
    token = re.search(r'<code class="token">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    me = app.test_client().get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200 and me.get_json()["email"] == contributor.email


def test_deactivated_users_token_gets_401(app, client, contributor):
    token = token_for(client, contributor)
    with app.app_context():
        services.set_active(db.session.get(User, contributor.id), False)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_deactivated_user_gets_no_new_token(app, client, contributor):
    with app.app_context():
        services.set_active(db.session.get(User, contributor.id), False)
    assert issue(client, contributor.email).status_code == 401


def test_tokens_stay_revoked_when_a_deactivated_user_is_reactivated(app, client, contributor):
    token = token_for(client, contributor)
    with app.app_context():
        services.set_active(db.session.get(User, contributor.id), False)
        services.set_active(db.session.get(User, contributor.id), True)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(token_for(client, contributor))).status_code == 200


def test_token_use_is_recorded(app, client, contributor):
    token = token_for(client, contributor)
    client.get("/api/v1/me", headers=bearer(token))
    with app.app_context():
        assert db.session.scalars(sa.select(ApiToken)).one().last_used_at is not None
