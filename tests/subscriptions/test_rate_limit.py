"""The subscription form is rate-limited per client address, and per address written in (no mailbox flooding from many places)."""

from tests.support import post_form


def _ask(client, address, email="ana@example.eu", areas=("BM",)):
    environ = {"REMOTE_ADDR": address}
    return post_form(
        client, "/subscribe", {"email": email, "areas": list(areas), "topics": ["reports"]}, token_from="/subscribe", environ_base=environ
    )


def test_one_client_address_gets_429_after_ten_requests_a_minute(app):
    client = app.test_client()
    for number in range(10):
        # Refused requests (no area) count too: the limit is on asking, whatever the answer.
        assert _ask(client, "192.0.2.10", email=f"person{number}@example.eu", areas=()).status_code == 422
    response = _ask(client, "192.0.2.10")
    assert response.status_code == 429
    assert "Too many" in response.get_data(as_text=True)
    assert _ask(app.test_client(), "192.0.2.11").status_code == 302, "another client is not held back"


def test_one_email_address_gets_429_after_five_requests_an_hour_from_anywhere(app, mailbox):
    for number in range(5):
        assert _ask(app.test_client(), f"192.0.2.{20 + number}", email="victim@example.eu").status_code == 302
    assert _ask(app.test_client(), "192.0.2.40", email="victim@example.eu").status_code == 429
    assert _ask(app.test_client(), "192.0.2.40", email="someone.else@example.eu").status_code == 302
    mailbox.wait_for(5, recipient="victim@example.eu")
