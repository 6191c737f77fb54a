"""Preferences from a signed link, no account: areas, topics, language; one-click unsubscribe; links that do not work answer 410."""

import re

import pytest

from app.extensions import db
from tests.subscriptions.support import announce, confirm, stored, subscribe, subscribed, workshop
from tests.support import csrf_token, flashes, link_in, post_form


def ticked(html, name):
    """The values of the ticked boxes named `name` on a page."""
    boxes = re.findall(r"<input[^>]*>", html)
    return [re.search(r'value="([^"]*)"', box).group(1) for box in boxes if f'name="{name}"' in box and " checked" in box]


@pytest.fixture
def preferences_link(app):
    """preferences_link(email) -> the path a subscriber's e-mails link to."""
    from app.subscriptions import services

    def link(email):
        with app.test_request_context():
            return "/subscriptions/preferences/" + services.preferences_token(email)

    return link


def test_confirming_lands_on_the_preferences_page(app, client, mailbox):
    response = confirm(client, subscribe(client, mailbox, "ana@example.eu", ["BM"], topics=["reports", "workshop_calls"]))
    assert response.location.startswith("/subscriptions/preferences/")
    page = client.get(response.location).get_data(as_text=True)
    assert "Your subscription is confirmed" in " ".join(flashes(page))
    assert stored(app, "ana@example.eu") == ("active", ["BM"], ["reports", "workshop_calls"], "en")


def test_the_confirmation_email_links_to_the_preferences_which_work_once_confirmed(app, client, mailbox):
    message = subscribe(client, mailbox, "ana@example.eu", ["BM"])
    preferences = link_in(message, "/subscriptions/preferences/")
    assert app.test_client().get(preferences).status_code == 410, "nothing is stored before the address is confirmed"
    confirm(client, message)
    assert app.test_client().get(preferences).status_code == 200


def test_a_subscriber_changes_areas_topics_and_language_from_the_link_without_an_account(app, preferences_link):
    subscribed(app, "ana@example.eu", ["BM"], topics=["reports"])
    visitor = app.test_client()
    link = preferences_link("ana@example.eu")
    page = visitor.get(link).get_data(as_text=True)
    assert ticked(page, "areas") == ["BM"] and ticked(page, "topics") == ["reports"]

    response = post_form(visitor, link, {"areas": ["CS", "DRS"], "topics": ["workshop_calls"], "locale": "fr"}, token_from=link)
    assert response.status_code == 302
    assert "Your preferences are saved." in " ".join(flashes(visitor.get(response.location).get_data(as_text=True)))
    assert stored(app, "ana@example.eu") == ("active", ["CS", "DRS"], ["workshop_calls"], "fr")
    # And the change is what counts: a CS call reaches them now, a BM one does not.
    assert announce(app, workshop(app, areas=["BM"])) == []
    assert announce(app, workshop(app, title="Ransomware response", areas=["CS"])) == ["ana@example.eu"]


def test_preferences_need_a_topic_and_an_area(app, preferences_link):
    subscribed(app, "ana@example.eu", ["BM"])
    visitor = app.test_client()
    link = preferences_link("ana@example.eu")
    response = post_form(visitor, link, {"areas": [], "topics": [], "locale": ""}, token_from=link)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose at least one thematic area." in html and "Choose at least one thing to hear about." in html
    assert stored(app, "ana@example.eu") == ("active", ["BM"], ["reports"], "")


def test_the_preferences_form_needs_its_csrf_token(app, preferences_link):
    subscribed(app, "ana@example.eu", ["BM"])
    response = app.test_client().post(preferences_link("ana@example.eu"), data={"areas": ["CS"], "topics": ["reports"]})
    assert response.status_code == 400
    assert stored(app, "ana@example.eu") == ("active", ["BM"], ["reports"], "")


def test_unsubscribing_from_the_preferences_page(app, preferences_link):
    subscribed(app, "ana@example.eu", ["BM"])
    visitor = app.test_client()
    link = preferences_link("ana@example.eu")
    page = visitor.get(link).get_data(as_text=True)
    action = page.split('<form method="post" action="', 1)[1].split('"', 1)[0]
    assert action.startswith("/subscriptions/unsubscribe/")
    response = visitor.post(action, data={"csrf_token": csrf_token(visitor, link)})
    assert response.status_code == 200
    assert stored(app, "ana@example.eu")[0] == "unsubscribed"
    # The link now says so, and changes nothing: starting again is subscribing again (double opt-in).
    page = visitor.get(link)
    assert page.status_code == 200 and "You are unsubscribed" in page.get_data(as_text=True)
    assert post_form(visitor, link, {"areas": ["BM"], "topics": ["reports"]}, token_from="/subscribe").status_code == 200
    assert stored(app, "ana@example.eu")[0] == "unsubscribed"


@pytest.mark.parametrize("tamper", [lambda link: link[:-3] + "abc", lambda link: "/subscriptions/preferences/not-a-token"])
def test_a_bad_preferences_link_is_refused(app, preferences_link, tamper):
    subscribed(app, "ana@example.eu", ["BM"])
    link = tamper(preferences_link("ana@example.eu"))
    visitor = app.test_client()
    assert visitor.get(link).status_code == 410
    assert post_form(visitor, link, {"areas": ["CS"], "topics": ["reports"]}, token_from="/subscribe").status_code == 410
    assert stored(app, "ana@example.eu") == ("active", ["BM"], ["reports"], "")


def test_an_expired_preferences_link_is_refused(app, preferences_link, monkeypatch):
    subscribed(app, "ana@example.eu", ["BM"])
    link = preferences_link("ana@example.eu")
    monkeypatch.setitem(app.config, "SUBSCRIPTION_PREFERENCES_MAX_AGE", -1)  # every link is older than that
    response = app.test_client().get(link)
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)


def test_a_preferences_link_for_one_address_is_no_key_to_another(app, preferences_link):
    """The link names the address; signing it for another purpose (the unsubscribe link) does not make it one."""
    from app.subscriptions import services
    from app.subscriptions.models import Subscription

    subscription_id = subscribed(app, "ana@example.eu", ["BM"])
    with app.test_request_context():
        unsubscribe_token = services.unsubscribe_token(db.session.get(Subscription, subscription_id))
    assert app.test_client().get("/subscriptions/preferences/" + unsubscribe_token).status_code == 410


def test_a_tampered_unsubscribe_link_is_refused(app, mailbox):
    subscribed(app, "bm@example.eu", ["BM"], topics=["workshop_calls"])
    announce(app, workshop(app))
    (message,) = mailbox.wait_for(1, recipient="bm@example.eu")
    link = link_in(message, "/subscriptions/unsubscribe/")[:-3] + "abc"
    visitor = app.test_client()
    assert visitor.get(link).status_code == 410
    assert visitor.post(link).status_code == 410
    assert stored(app, "bm@example.eu")[0] == "active"


def test_admins_reading_the_outbox_never_see_a_preferences_token(app, preferences_link):
    from app.mail.services import masked_text

    link = preferences_link("ana@example.eu")
    with app.test_request_context():
        assert masked_text(f"Manage: http://127.0.0.1:5000{link}\n") == "Manage: http://127.0.0.1:5000/subscriptions/preferences/…\n"
