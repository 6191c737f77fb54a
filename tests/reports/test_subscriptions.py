"""Stay tuned: double opt-in, one-click unsubscribe, and one e-mail per subscriber of a report's areas on publication."""

import sqlalchemy as sa

from app.extensions import db
from tests.reports.support import bearer, create_report, publish_and_wait
from tests.support import flashes, link_in, post_form, text_body


def _subscribe(client, mailbox, email, areas):
    response = post_form(client, "/subscribe", {"email": email, "areas": areas, "topics": ["reports"]}, token_from="/subscribe")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    (message,) = mailbox.wait_for(1, recipient=email)
    return link_in(message, "/subscriptions/confirm/")


def _confirm(client, link):
    page = client.get(link)
    assert page.status_code == 200
    response = post_form(client, link, {}, token_from=link)
    assert response.status_code == 302
    return response


def _subscriptions(app):
    from app.subscriptions.models import Subscription

    with app.app_context():
        return {row.email: (row.state, [area.code for area in row.areas]) for row in db.session.scalars(sa.select(Subscription))}


def test_subscribing_needs_the_emailed_confirmation(app, client, mailbox):
    link = _subscribe(client, mailbox, "Ana@Example.eu", ["BM", "CS"])
    assert _subscriptions(app) == {}, "nothing is stored before the address is confirmed"
    assert "Confirm my subscription" in client.get(link).get_data(as_text=True)
    assert _subscriptions(app) == {}, "opening the link (a mail scanner would) confirms nothing"

    response = _confirm(client, link)
    assert "Your subscription is confirmed" in " ".join(flashes(client.get(response.location).get_data(as_text=True)))
    assert _subscriptions(app) == {"ana@example.eu": ("active", ["BM", "CS"])}


def test_a_tampered_confirmation_link_is_refused(client, mailbox, app):
    link = _subscribe(client, mailbox, "eve@example.eu", ["BM"])
    assert client.get(link[:-3] + "abc").status_code == 410
    assert _subscriptions(app) == {}


def test_subscribing_needs_an_address_and_an_area(client, mailbox):
    response = post_form(client, "/subscribe", {"email": "not-an-address", "areas": []}, token_from="/subscribe")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a valid e-mail address." in html and "Choose at least one thematic area." in html
    assert mailbox.messages == []


def test_subscribers_of_the_areas_get_one_email_on_publication_and_can_unsubscribe_in_one_click(app, client, mailbox, editor):
    from app.mail.models import OutboxMessage

    _confirm(client, _subscribe(client, mailbox, "bm@example.eu", ["BM"]))
    _confirm(client, _subscribe(client, mailbox, "both@example.eu", ["BM", "CS"]))
    _confirm(client, _subscribe(client, mailbox, "cs@example.eu", ["CS"]))
    _subscribe(client, mailbox, "unconfirmed@example.eu", ["BM"])
    mailbox.clear()

    headers = bearer(app, editor)
    report = create_report(client, headers)
    publish_and_wait(client, headers, report["id"])

    with app.app_context():
        sent = db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.kind == "report_published")).all()
    assert sorted(sent) == ["bm@example.eu", "both@example.eu"]  # one each; CS and unconfirmed ones none
    (message,) = mailbox.wait_for(1, recipient="bm@example.eu")
    mailbox.wait_for(1, recipient="both@example.eu")
    assert report["title"] in message["Subject"]
    assert f"/reports/{report['id']}/versions/1" in text_body(message)

    unsubscribe = link_in(message, "/subscriptions/unsubscribe/")
    assert client.get(unsubscribe).status_code == 200
    assert _subscriptions(app)["bm@example.eu"][0] == "active", "opening the link (a mail scanner would) changes nothing"
    page = client.post(unsubscribe)
    assert page.status_code == 200 and "You are unsubscribed" in page.get_data(as_text=True)
    assert _subscriptions(app)["bm@example.eu"][0] == "unsubscribed"
    assert client.post(unsubscribe).status_code == 200  # a second click is harmless

    # The next version reaches only the one still subscribed.
    client.patch(f"/api/v1/reports/{report['id']}", json={"title": "Border management, second edition"}, headers=headers)
    publish_and_wait(client, headers, report["id"])
    with app.app_context():
        sent = db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.kind == "report_published")).all()
    assert sorted(sent) == ["bm@example.eu", "both@example.eu", "both@example.eu"]
