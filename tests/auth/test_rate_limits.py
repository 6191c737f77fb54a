"""Sign-in throttling: LOGIN_FAILURES_PER_MINUTE failures per address and per account at one address, on the form and the API
alike; failures on an account from anywhere only slow it down (a bounded, growing delay), never lock its owner out."""

import re

import pytest

from app.auth import limits
from config import Config
from tests.factories import PASSWORD

LIMIT = 10
WRONG = "not the password"


@pytest.fixture
def form_login(app):
    """form_login(email, password, address) -> status of a login form post from that address."""
    clients = {}

    def post(email, password, address="192.0.2.1"):
        client = clients.setdefault(address, app.test_client())
        environ = {"REMOTE_ADDR": address}
        token = csrf_token_from(client, environ)
        response = client.post("/login", data={"csrf_token": token, "email": email, "password": password}, environ_base=environ)
        if response.status_code == 302:
            # Sign out again so the next attempt is a real one.
            client.post("/logout", data={"csrf_token": csrf_token_from(client, environ)}, environ_base=environ)
        return response

    return post


def csrf_token_from(client, environ):
    html = client.get("/login", environ_base=environ).get_data(as_text=True)
    if 'name="csrf_token"' not in html:  # signed in: /login redirects, read the token elsewhere
        html = client.get("/profile", environ_base=environ).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def api_login(client):
    def post(email, password, address="192.0.2.1"):
        return client.post("/api/v1/tokens", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})

    return post


def test_the_limit_is_ten_failures_a_minute(app):
    assert app.config["LOGIN_FAILURES_PER_MINUTE"] == LIMIT


def test_after_ten_failures_from_one_address_the_login_form_refuses_even_the_right_password(form_login, contributor):
    for _ in range(LIMIT):
        assert form_login(contributor.email, WRONG).status_code == 401
    response = form_login(contributor.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_failures_from_one_address_block_other_accounts_from_that_address(form_login, make_user):
    first, second = make_user(), make_user()
    for _ in range(LIMIT):
        form_login(first.email, WRONG)
    assert form_login(second.email, PASSWORD).status_code == 429


def test_after_ten_failures_from_one_address_the_token_endpoint_refuses_even_the_right_password(api_login, contributor):
    for _ in range(LIMIT):
        assert api_login(contributor.email, WRONG).status_code == 401
    response = api_login(contributor.email, PASSWORD)
    assert response.status_code == 429
    assert response.is_json and "error" in response.get_json()


def test_failures_on_one_account_from_many_addresses_do_not_lock_its_owner_out_of_the_form(form_login, contributor):
    for number in range(LIMIT):
        assert form_login(contributor.email, WRONG, address=f"198.51.100.{number + 1}").status_code == 401
    assert form_login(contributor.email, PASSWORD, address="203.0.113.99").status_code == 302


def test_failures_on_one_account_from_many_addresses_do_not_lock_its_owner_out_of_the_api(api_login, contributor):
    for number in range(LIMIT):
        assert api_login(contributor.email, WRONG, address=f"198.51.100.{number + 1}").status_code == 401
    assert api_login(contributor.email, PASSWORD, address="203.0.113.99").status_code == 201


def test_fifty_failures_from_other_addresses_leave_the_owner_signing_in_with_a_bounded_delay(app, form_login, contributor, monkeypatch):
    for number in range(50):
        assert form_login(contributor.email, WRONG, address=f"198.51.{100 + number // 200}.{number % 200 + 1}").status_code == 401
    with app.app_context():
        assert limits.account_failures(contributor.email) == 50
        assert limits.delay_for_account(contributor.email) == app.config["LOGIN_ACCOUNT_MAX_DELAY"]
    slept = record_sleeps(monkeypatch)
    assert form_login(contributor.email, PASSWORD, address="203.0.113.99").status_code == 302
    assert slept == [app.config["LOGIN_ACCOUNT_MAX_DELAY"]]


def test_a_blocked_account_does_not_block_others_from_a_fresh_address(api_login, make_user):
    target, bystander = make_user(), make_user()
    for number in range(LIMIT):
        api_login(target.email, WRONG, address=f"198.51.100.{number + 1}")
    assert api_login(bystander.email, PASSWORD, address="203.0.113.99").status_code == 201


def test_failures_on_an_account_count_whatever_the_case_of_the_address(app, api_login, contributor):
    for number in range(LIMIT):
        api_login(contributor.email.upper(), WRONG, address=f"198.51.100.{number + 1}")
    with app.app_context():
        assert limits.account_failures(contributor.email) == LIMIT


def test_the_account_delay_starts_after_the_free_failures_grows_and_stays_under_its_cap():
    maximum = Config.LOGIN_ACCOUNT_MAX_DELAY
    assert 0 < maximum <= 5
    delays = [limits.account_delay(failures, LIMIT, maximum) for failures in range(0, 60)]
    assert delays[:LIMIT] == [0.0] * LIMIT
    assert 0 < delays[LIMIT] < delays[LIMIT + 1] < delays[LIMIT + 2]
    assert delays == sorted(delays)
    assert max(delays) == maximum
    assert limits.account_delay(10**9, LIMIT, maximum) == maximum


def test_no_delay_before_the_free_failures_are_used(app, form_login, contributor, monkeypatch):
    for number in range(LIMIT - 1):
        form_login(contributor.email, WRONG, address=f"198.51.100.{number + 1}")
    slept = record_sleeps(monkeypatch)
    assert form_login(contributor.email, PASSWORD, address="203.0.113.99").status_code == 302
    assert slept == []


def record_sleeps(monkeypatch):
    """The delays the sign-in sleeps (still really slept)."""
    slept = []
    real_sleep = limits.time.sleep

    def sleep(seconds):
        slept.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(limits.time, "sleep", sleep)
    return slept


# --- behind a proxy ---------------------------------------------------------------

PROXY = "10.0.0.1"


def api_login_via_proxy(app, email, password, client_address):
    return app.test_client().post(
        "/api/v1/tokens",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": PROXY},
        headers={"X-Forwarded-For": client_address},
    )


def test_behind_a_trusted_proxy_each_client_address_is_counted_on_its_own(make_app, make_user):
    app = make_app(TRUSTED_PROXIES=1)
    attacked, other = make_user(), make_user()
    for _ in range(LIMIT):
        assert api_login_via_proxy(app, attacked.email, WRONG, "198.51.100.1").status_code == 401
    assert api_login_via_proxy(app, other.email, PASSWORD, "198.51.100.1").status_code == 429
    assert api_login_via_proxy(app, other.email, PASSWORD, "198.51.100.2").status_code == 201


def test_without_trusted_proxies_x_forwarded_for_is_ignored(make_app, make_user):
    app = make_app(TRUSTED_PROXIES=0)
    attacked, other = make_user(), make_user()
    for number in range(LIMIT):
        # A different forged address each time changes nothing: they all come from the proxy.
        assert api_login_via_proxy(app, attacked.email, WRONG, f"198.51.100.{number + 1}").status_code == 401
    assert api_login_via_proxy(app, other.email, PASSWORD, "198.51.100.200").status_code == 429


def test_a_trusted_proxy_is_only_believed_for_the_last_hop(make_app, make_user):
    app = make_app(TRUSTED_PROXIES=1)
    attacked, other = make_user(), make_user()
    for number in range(LIMIT):
        # The client forges an earlier hop; the proxy appends the real address.
        assert api_login_via_proxy(app, attacked.email, WRONG, f"192.0.2.{number + 1}, 198.51.100.1").status_code == 401
    assert api_login_via_proxy(app, other.email, PASSWORD, "198.51.100.1").status_code == 429


def test_form_and_api_failures_count_together(form_login, api_login, contributor):
    for _ in range(LIMIT // 2):
        form_login(contributor.email, WRONG)
        api_login(contributor.email, WRONG)
    assert api_login(contributor.email, PASSWORD).status_code == 429
    assert form_login(contributor.email, PASSWORD).status_code == 429


def test_successful_sign_ins_do_not_count(form_login, api_login, contributor):
    for _ in range(LIMIT - 1):
        assert form_login(contributor.email, WRONG).status_code == 401
    for _ in range(LIMIT + 2):
        assert api_login(contributor.email, PASSWORD).status_code == 201
    for _ in range(3):
        assert form_login(contributor.email, PASSWORD).status_code == 302
    # Still one failure left before the block.
    assert form_login(contributor.email, WRONG).status_code == 401
    assert form_login(contributor.email, PASSWORD).status_code == 429


def test_invalid_form_posts_do_not_count(form_login, contributor):
    for _ in range(LIMIT + 2):
        assert form_login("", "").status_code == 422
    assert form_login(contributor.email, PASSWORD).status_code == 302


def test_viewing_the_login_page_is_never_limited(client, contributor, form_login):
    for _ in range(LIMIT):
        form_login(contributor.email, WRONG)
    assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200
