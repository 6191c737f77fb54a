"""E-mailed links always use the configured public address; production refuses to start without its secrets."""

import os
import re
import stat
import threading

import pytest

from app import ConfigurationError, _instance_secret_key, create_app
from tests.support import URL_IN_TEXT, text_body

PUBLIC = "http://127.0.0.1:5000"  # PUBLIC_BASE_URL in the test settings
RESET_PATH = "/password/reset/"
SERVER_DATABASE = "postgresql://ceris@127.0.0.1:1/ceris"  # never connected to: the app refuses first


def ask_for_reset(client, email, **request):
    html = client.get("/password/forgot", **request).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    return client.post("/password/forgot", data={"csrf_token": token, "email": email}, **request)


def reset_links(mailbox, email):
    (message,) = mailbox.wait_for(1, recipient=email)
    return [url for url in URL_IN_TEXT.findall(text_body(message)) if RESET_PATH in url]


def test_the_test_settings_name_the_public_address(app):
    assert app.config["PUBLIC_BASE_URL"] == PUBLIC


def test_a_reset_asked_for_with_a_forged_host_mails_a_link_on_the_public_address(app, contributor, mailbox):
    response = ask_for_reset(app.test_client(), contributor.email, base_url="http://evil.example")
    assert response.status_code == 302
    (link,) = reset_links(mailbox, contributor.email)
    assert link.startswith(PUBLIC + RESET_PATH)
    assert "evil.example" not in text_body(mailbox.to(contributor.email)[0])


@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_a_reset_asked_for_with_a_forged_forwarded_host_mails_a_link_on_the_public_address(make_app, contributor, mailbox, trusted_proxies):
    app = make_app(TRUSTED_PROXIES=trusted_proxies)
    headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.7"}
    response = ask_for_reset(app.test_client(), contributor.email, headers=headers)
    assert response.status_code == 302
    (link,) = reset_links(mailbox, contributor.email)
    assert link.startswith(PUBLIC + RESET_PATH)


def production(**settings):
    return {"SQLALCHEMY_DATABASE_URI": SERVER_DATABASE, "SECRET_KEY": "k" * 64, "PUBLIC_BASE_URL": "https://ceris.example.eu", **settings}


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(production(SECRET_KEY=None), instance_path=str(tmp_path))
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_to_start_without_a_public_address(tmp_path):
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        create_app(production(PUBLIC_BASE_URL=None), instance_path=str(tmp_path))


def test_a_public_address_that_is_not_http_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        create_app(production(PUBLIC_BASE_URL="ceris.example.eu"), instance_path=str(tmp_path))


def test_production_with_both_settings_starts(tmp_path):
    app = create_app(production(), instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "k" * 64
    assert app.config["PUBLIC_BASE_URL"] == "https://ceris.example.eu"


def embedded(**settings):
    # Nothing set: no database URL, no key, no public address.
    return {"SQLALCHEMY_DATABASE_URI": None, "SECRET_KEY": None, "PUBLIC_BASE_URL": None, "REDIS_URL": None, **settings}


def test_the_embedded_default_starts_without_settings_and_keeps_its_key_in_the_instance_folder(tmp_path):
    first = create_app(embedded(), instance_path=str(tmp_path))
    second = create_app(embedded(), instance_path=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert len(first.config["SECRET_KEY"]) >= 64
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert first.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///" + str(tmp_path))


def test_another_instance_folder_gets_another_key(tmp_path):
    one = create_app(embedded(), instance_path=str(tmp_path / "one"))
    other = create_app(embedded(), instance_path=str(tmp_path / "other"))
    assert one.config["SECRET_KEY"] != other.config["SECRET_KEY"]


def test_processes_starting_together_agree_on_the_key(tmp_path):
    start = threading.Barrier(8)
    keys = []

    def read_key():
        start.wait()
        keys.append(_instance_secret_key(str(tmp_path)))

    threads = [threading.Thread(target=read_key) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert sorted(os.listdir(tmp_path)) == ["secret_key"]  # no temporary file left behind


def test_the_embedded_default_links_to_where_it_serves_never_to_the_request_host(tmp_path):
    from app.urls import external_url

    app = create_app(embedded(PORT=8123), instance_path=str(tmp_path))
    with app.test_request_context("/", base_url="http://evil.example", headers={"X-Forwarded-Host": "evil.example"}):
        assert external_url("auth.login") == "http://127.0.0.1:8123/login"
