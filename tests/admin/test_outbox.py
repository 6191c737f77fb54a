"""Outbox: list and filter e-mails, read one, retry failed ones, send pending ones now."""

import re

import pytest

from app.extensions import db
from app.mail.models import OutboxMessage
from tests.support import link_in, post_form, wait_for


def _state(in_app, message_id):
    return in_app(lambda: db.session.get(OutboxMessage, message_id).state)


def _subjects(html):
    return re.findall(r'<th scope="row"><a href="/admin/outbox/\d+">([^<]+)</a></th>', html)


@pytest.fixture
def no_smtp(app, monkeypatch):
    """The embedded default: no MAIL_SERVER and jobs in-process (so no worker sends behind the page's back)."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def test_list_shows_each_message(admin_client, make_message):
    make_message(
        state="failed",
        recipient="fay@example.eu",
        subject="Your invitation",
        kind="invitation",
        attempts=8,
        last_error="SMTPServerDisconnected: gone",
    )
    html = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert _subjects(html) == ["Your invitation"]
    for text in ("fay@example.eu", "invitation", "Failed", "SMTPServerDisconnected: gone", '<td class="numeric">8</td>'):
        assert text in html


def test_filter_by_state(admin_client, make_message):
    make_message(state="failed", subject="Broken one")
    make_message(state="sent", subject="Delivered one")
    html = admin_client.get("/admin/outbox", query_string={"state": "failed"}).get_data(as_text=True)
    assert _subjects(html) == ["Broken one"]


def test_list_is_paginated_newest_first(admin_client, make_message):
    for number in range(27):
        make_message(state="sent", subject=f"Message {number:02d}")
    first = _subjects(admin_client.get("/admin/outbox").get_data(as_text=True))
    second = _subjects(admin_client.get("/admin/outbox", query_string={"page": 2}).get_data(as_text=True))
    assert len(first) == 25 and first[0] == "Message 26"
    assert second == ["Message 01", "Message 00"]


def test_message_page_shows_the_text_body_escaped(admin_client, make_message):
    message_id = make_message(body_text="Open <script>alert(1)</script> https://x.example/reports/12")
    html = admin_client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert '<pre class="mail-body">Open &lt;script&gt;alert(1)&lt;/script&gt; https://x.example/reports/12</pre>' in html


def _mail_body_shown(html):
    return re.search(r'<pre class="mail-body">([^<]*)</pre>', html).group(1)


@pytest.mark.parametrize("path", ["/password/reset/", "/invitations/accept/", "/subscriptions/confirm/", "/subscriptions/unsubscribe/"])
def test_message_page_masks_the_token_of_secret_links(admin_client, make_message, path):
    message_id = make_message(body_text=f"Open this link:\nhttp://127.0.0.1:5000{path}eyJpZCI6MX0.Zm9v-bar_baz\nThanks.")
    body = _mail_body_shown(admin_client.get(f"/admin/outbox/{message_id}").get_data(as_text=True))
    assert body == f"Open this link:\nhttp://127.0.0.1:5000{path}…\nThanks."


def test_admin_never_sees_a_reset_link_that_the_user_receives_whole(app, admin_client, contributor, mailbox, in_app):
    post_form(app.test_client(), "/password/forgot", {"email": contributor.email}, token_from="/password/forgot")
    (received,) = mailbox.wait_for(1, recipient=contributor.email)
    token = link_in(received, "/password/reset/").rsplit("/", 1)[-1]
    assert len(token) > 20

    message_id = in_app(lambda: db.session.scalar(db.select(OutboxMessage.id).filter_by(recipient=contributor.email)))
    for page in ("/admin/outbox", f"/admin/outbox/{message_id}"):
        html = admin_client.get(page).get_data(as_text=True)
        assert token not in html and token[:12] not in html
    assert "/password/reset/…" in html


def test_without_smtp_the_invitation_link_is_masked_too(no_smtp, admin_client, make_access_request, in_app):
    request_id = make_access_request(email="ana@example.eu")
    post_form(admin_client, f"/admin/access-requests/{request_id}/approve", {"roles": ["contributor"]}, token_from="/admin/")
    message_id = in_app(lambda: db.session.scalar(db.select(OutboxMessage.id).filter_by(recipient="ana@example.eu")))
    assert _state(in_app, message_id) == "pending"
    stored = in_app(lambda: db.session.get(OutboxMessage, message_id).body_text)
    token = re.search(r"/invitations/accept/([\w.-]+)", stored).group(1)
    html = admin_client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "http://127.0.0.1:5000/invitations/accept/…" in _mail_body_shown(html)
    assert token not in html


def test_retry_sends_a_failed_message(admin_client, make_message, mailbox, in_app):
    message_id = make_message(state="failed", recipient="fay@example.eu", subject="Try again", attempts=8)
    response = post_form(admin_client, f"/admin/outbox/{message_id}/retry", {}, token_from=f"/admin/outbox/{message_id}")
    assert response.status_code == 302
    (received,) = mailbox.wait_for(1, recipient="fay@example.eu")
    assert received["Subject"] == "Try again"
    # The worker marks it sent once the SMTP server has answered: a moment after the e-mail arrives.
    wait_for(lambda: _state(in_app, message_id) == "sent", message="the message marked sent")


def test_retry_of_a_message_that_is_not_failed_is_a_conflict(admin_client, make_message, in_app):
    message_id = make_message(state="sent")
    response = post_form(admin_client, f"/admin/outbox/{message_id}/retry", {}, token_from="/admin/")
    assert response.status_code == 409
    assert "Only failed e-mails can be retried" in response.get_data(as_text=True)
    assert _state(in_app, message_id) == "sent"


def test_send_pending_now(admin_client, make_message, mailbox, in_app):
    message_id = make_message(state="pending", recipient="pat@example.eu", subject="Queued")
    response = post_form(admin_client, "/admin/outbox/flush", {}, token_from="/admin/outbox")
    assert response.status_code == 302
    assert mailbox.wait_for(1, recipient="pat@example.eu")[0]["Subject"] == "Queued"
    assert _state(in_app, message_id) == "sent"
    assert "1 e-mail sent." in admin_client.get(response.location).get_data(as_text=True)


def test_send_pending_now_without_smtp_keeps_them_in_the_outbox(no_smtp, admin_client, make_message, mailbox, in_app):
    message_id = make_message(state="pending", recipient="pat@example.eu")
    response = post_form(admin_client, "/admin/outbox/flush", {}, token_from="/admin/outbox")
    html = admin_client.get(response.location).get_data(as_text=True)
    assert "e-mails are kept in the outbox" in html
    assert _state(in_app, message_id) == "pending"
    assert mailbox.to("pat@example.eu") == []


# --- reads like a mail list ------------------------------------------------------------


def _kind_cells(html):
    return re.findall(r'<td class="mail-kind">([^<]*)</td>', html)


def test_list_shows_the_kind_in_words(admin_client, make_message):
    make_message(kind="password_reset", subject="Reset")
    html = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert _kind_cells(html) == ["Password reset"]


def test_a_workflow_step_kind_reads_as_the_steps_label(admin_client, make_message, app):
    with app.app_context():
        definition = next(iter(app.extensions["workflows"].values()))
        name, transition = next(iter(definition.transitions.items()))
    make_message(kind=f"contribution_{name}", subject="Step")
    html = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert _kind_cells(html) == [f"Contribution: {transition.label}"]


def test_message_page_shows_the_kind_in_words(admin_client, make_message):
    message_id = make_message(kind="review_request")
    html = admin_client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "<dd>Request to review</dd>" in html


def test_send_now_is_offered_when_sending_is_configured(admin_client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.eu")
    assert 'action="/admin/outbox/flush"' in admin_client.get("/admin/outbox").get_data(as_text=True)


def test_send_now_is_not_offered_without_sending(no_smtp, admin_client):
    assert 'action="/admin/outbox/flush"' not in admin_client.get("/admin/outbox").get_data(as_text=True)
