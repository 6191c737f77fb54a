"""Signing in and out: the login form, logout by POST with CSRF, remember-me, session protection."""

from http.cookies import SimpleCookie

from app.auth import services
from app.auth.models import User
from app.extensions import db
from tests.factories import PASSWORD
from tests.support import csrf_token, flashes, post_form, sign_in


def login(client, email, password, **extra):
    return post_form(client, "/login", {"email": email, "password": password, **extra}, token_from="/login")


def is_signed_in(client):
    return client.get("/profile").status_code == 200


def set_cookies(response):
    cookies = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookies.load(header)
    return cookies


def test_right_password_signs_in(client, contributor):
    response = login(client, contributor.email, PASSWORD)
    assert response.status_code == 302 and response.location == "/"
    assert is_signed_in(client)


def test_email_is_matched_whatever_its_case_and_spaces(client, contributor):
    assert login(client, f"  {contributor.email.upper()} ", PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_sign_in_returns_to_the_page_asked_for(client, contributor):
    response = post_form(client, "/login?next=/profile", {"email": contributor.email, "password": PASSWORD}, token_from="/login")
    assert response.location == "/profile"


def test_sign_in_never_redirects_off_site(client, contributor):
    response = post_form(client, "/login?next=//evil.example/x", {"email": contributor.email, "password": PASSWORD}, token_from="/login")
    assert response.location == "/"


def test_wrong_password_is_refused_with_a_message(client, contributor):
    response = login(client, contributor.email, "not the password")
    assert response.status_code == 401
    assert "The e-mail address or password is not correct" in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, contributor):
    wrong = login(client, contributor.email, "not the password")
    unknown = login(client, "nobody@example.eu", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    message = "The e-mail address or password is not correct, or the account is deactivated."
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)


def test_missing_fields_are_422(client):
    assert login(client, "", "").status_code == 422


def test_login_without_csrf_token_is_refused(client, contributor):
    response = client.post("/login", data={"email": contributor.email, "password": PASSWORD})
    assert response.status_code == 400
    assert not is_signed_in(client)


def test_deactivated_user_cannot_sign_in(app, client, contributor):
    with app.app_context():
        services.set_active(db.session.get(User, contributor.id), False)
    response = login(client, contributor.email, PASSWORD)
    assert response.status_code == 401
    assert not is_signed_in(client)


def test_deactivating_ends_the_users_session(app, contributor, signed_in):
    client = signed_in(contributor)
    with app.app_context():
        services.set_active(db.session.get(User, contributor.id), False)
    assert not is_signed_in(client)


def test_sign_in_records_the_time(app, client, contributor):
    login(client, contributor.email, PASSWORD)
    with app.app_context():
        assert db.session.get(User, contributor.id).last_login_at is not None


def test_logout_by_post_with_csrf_ends_the_session(contributor, signed_in):
    client = signed_in(contributor)
    response = post_form(client, "/logout", {}, token_from="/profile")
    assert response.status_code == 302
    assert not is_signed_in(client)


def test_logout_says_so(contributor, signed_in):
    client = signed_in(contributor)
    response = post_form(client, "/logout", {}, token_from="/profile", follow_redirects=True)
    assert "You are signed out. Your other devices are signed out too." in flashes(response.get_data(as_text=True))


def test_logout_by_get_is_not_allowed(contributor, signed_in):
    client = signed_in(contributor)
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)


def test_logout_without_csrf_token_keeps_the_session(contributor, signed_in):
    client = signed_in(contributor)
    assert client.post("/logout").status_code == 400
    assert is_signed_in(client)


def test_remember_me_sets_a_lasting_cookie(app, client, contributor):
    response = login(client, contributor.email, PASSWORD, remember="y")
    cookie = set_cookies(response)["remember_token"]
    assert cookie.value and cookie["httponly"]
    assert cookie["expires"] or cookie["max-age"]


def test_no_remember_cookie_unless_asked(client, contributor):
    response = login(client, contributor.email, PASSWORD)
    cookie = set_cookies(response).get("remember_token")
    # Flask-Login may send a deletion (an empty cookie); never a token.
    assert cookie is None or cookie.value == ""


def test_remember_cookie_signs_in_again_after_the_session_cookie_is_gone(client, contributor):
    login(client, contributor.email, PASSWORD, remember="y")
    client.delete_cookie("session")
    assert is_signed_in(client)


def test_without_remember_me_the_session_ends_with_its_cookie(client, contributor):
    login(client, contributor.email, PASSWORD)
    client.delete_cookie("session")
    assert not is_signed_in(client)


def test_remember_cookie_stops_working_after_a_password_change(app, client, contributor):
    login(client, contributor.email, PASSWORD, remember="y")
    with app.app_context():
        services.change_password(db.session.get(User, contributor.id), PASSWORD, "a brand new password")
    client.delete_cookie("session")
    assert not is_signed_in(client)


def test_session_moved_to_another_browser_is_dropped(client, contributor):
    """Session protection ("strong"): a session cookie replayed from another user agent is not honoured."""
    client.get("/login", headers={"User-Agent": "Firefox"})
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "email": contributor.email, "password": PASSWORD}, headers={"User-Agent": "Firefox"})
    assert client.get("/profile", headers={"User-Agent": "Firefox"}).status_code == 200
    assert client.get("/profile", headers={"User-Agent": "curl/8.0"}).status_code == 302


def test_session_moved_to_another_address_is_dropped(client, contributor):
    sign_in(client, contributor.email, PASSWORD)
    assert client.get("/profile", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302


def test_password_change_keeps_this_session_and_ends_the_others(app, contributor, signed_in):
    here, elsewhere = signed_in(contributor), signed_in(contributor)
    response = post_form(
        here,
        "/profile",
        {
            "form": "password",
            "password-current_password": PASSWORD,
            "password-password": "a brand new password",
            "password-confirm": "a brand new password",
        },
        token_from="/profile",
    )
    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)


def test_profile_edit_is_saved(app, contributor, signed_in):
    client = signed_in(contributor)
    response = post_form(
        client,
        "/profile",
        {
            "form": "profile",
            "profile-name": "Claire Dubois",
            "profile-organisation": "Gendarmerie",
            "profile-country": "fr",
            "profile-locale": "",
        },
        token_from="/profile",
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, contributor.id)
        assert (user.name, user.organisation, user.country) == ("Claire Dubois", "Gendarmerie", "FR")
