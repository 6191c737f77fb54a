"""Opening a workshop call tells each confirmed subscriber of its areas who asked for workshop calls, once (issue 11, acceptance 2)."""

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from app.auth.models import User
from app.extensions import db
from app.timeutil import utcnow
from tests.conftest import ON_POSTGRES
from tests.subscriptions.support import (
    announce,
    announced_at,
    call_emails,
    confirm,
    stored,
    subscribe,
    subscribed,
    workshop,
)
from tests.support import html_body, link_in, text_body, wait_for

BASE = "http://127.0.0.1:5000"


def test_a_confirmed_bm_subscriber_hears_once_of_a_bm_call_never_of_a_cs_call_and_unsubscribes_without_signing_in(app, client, mailbox):
    confirm(client, subscribe(client, mailbox, "bm@example.eu", ["BM"], topics=["workshop_calls"]))
    subscribe(client, mailbox, "unconfirmed@example.eu", ["BM"], topics=["workshop_calls"])
    mailbox.clear()
    bm_call = workshop(app, title="Drones at the green border", areas=["BM"])
    cs_call = workshop(app, title="Ransomware response", areas=["CS"])

    assert announce(app, cs_call) == []
    assert announce(app, bm_call) == ["bm@example.eu"]
    assert announce(app, bm_call) == [], "a call is announced once"

    assert call_emails(app) == ["bm@example.eu"], "one e-mail in all; none to the unconfirmed address"
    (message,) = mailbox.wait_for(1, recipient="bm@example.eu")
    assert "Drones at the green border" in message["Subject"]
    assert f"{BASE}/workshops/{bm_call}" in text_body(message)
    assert mailbox.to("unconfirmed@example.eu") == []

    visitor = app.test_client()  # not signed in, no session, no CSRF token
    unsubscribe = link_in(message, "/subscriptions/unsubscribe/")
    page = visitor.get(unsubscribe)
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    assert stored(app, "bm@example.eu")[0] == "active", "opening the link (a mail scanner does) unsubscribes no one"
    response = visitor.post(unsubscribe)
    assert response.status_code == 200 and "You are unsubscribed" in response.get_data(as_text=True)
    assert stored(app, "bm@example.eu")[0] == "unsubscribed"


def test_the_email_carries_the_list_unsubscribe_headers_and_one_click_post_unsubscribes(app, mailbox):
    subscribed(app, "bm@example.eu", ["BM"], topics=["workshop_calls"])
    announce(app, workshop(app))
    (message,) = mailbox.wait_for(1, recipient="bm@example.eu")

    unsubscribe = link_in(message, "/subscriptions/unsubscribe/")
    assert message["List-Unsubscribe"] == f"<{BASE}{unsubscribe}>"
    assert dict(message.raw_items())["List-Unsubscribe"] == f"<{BASE}{unsubscribe}>", "one line as sent, not RFC 2047-encoded"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # RFC 8058: the mail program POSTs this body to the header's URL, with nothing of ours.
    response = app.test_client().post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert stored(app, "bm@example.eu")[0] == "unsubscribed"


def test_the_email_carries_a_preferences_link(app, mailbox):
    subscribed(app, "bm@example.eu", ["BM"], topics=["workshop_calls"])
    announce(app, workshop(app))
    (message,) = mailbox.wait_for(1, recipient="bm@example.eu")
    page = app.test_client().get(link_in(message, "/subscriptions/preferences/"))
    assert page.status_code == 200 and "Save my preferences" in page.get_data(as_text=True)


def test_a_subscriber_of_several_matching_areas_gets_one_email(app):
    subscribed(app, "both@example.eu", ["BM", "CS"], topics=["workshop_calls"])
    assert announce(app, workshop(app, areas=["BM", "CS"])) == ["both@example.eu"]


def test_only_active_subscribers_who_asked_for_workshop_calls_hear_of_them(app):
    subscribed(app, "calls@example.eu", ["BM"], topics=["workshop_calls"])
    subscribed(app, "everything@example.eu", ["BM"], topics=["reports", "workshop_calls"])
    subscribed(app, "reports@example.eu", ["BM"], topics=["reports"])
    subscribed(app, "gone@example.eu", ["BM"], topics=["workshop_calls"], state="unsubscribed")
    assert announce(app, workshop(app)) == ["calls@example.eu", "everything@example.eu"]


def test_report_news_goes_only_to_subscribers_who_asked_for_reports(app):
    from app.community.models import ThematicArea
    from app.subscriptions import services

    subscribed(app, "calls@example.eu", ["BM"], topics=["workshop_calls"])
    subscribed(app, "reports@example.eu", ["BM"], topics=["reports"])
    with app.app_context():
        bm = db.session.scalar(sa.select(ThematicArea.id).where(ThematicArea.code == "BM"))
        assert [row.email for row in services.subscribers_of([bm], "reports")] == ["reports@example.eu"]
        assert [row.email for row in services.subscribers_of([bm], "workshop_calls")] == ["calls@example.eu"]


def test_a_call_not_open_yet_is_not_announced_until_it_opens(app):
    subscribed(app, "bm@example.eu", ["BM"], topics=["workshop_calls"])
    later = workshop(app, call=(2, 48))
    assert announce(app, later) == []
    assert announced_at(app, later) is None, "not claimed: it is announced when it opens"
    assert announce(app, later, now=utcnow() + timedelta(hours=3)) == ["bm@example.eu"]
    assert announced_at(app, later) is not None


def test_a_call_that_has_closed_is_not_announced(app):
    subscribed(app, "bm@example.eu", ["BM"], topics=["workshop_calls"])
    assert announce(app, workshop(app, call=(-48, -1))) == []


def test_the_email_is_in_the_subscribers_language(app, mailbox):
    subscribed(app, "de@example.eu", ["BM"], topics=["workshop_calls"], locale="de")
    workshop_id = workshop(app)
    announce(app, workshop_id)
    (message,) = mailbox.wait_for(1, recipient="de@example.eu")
    with app.app_context():
        from app.workshops.models import Workshop

        opens = db.session.get(Workshop, workshop_id).call_opens_at.astimezone(ZoneInfo("Europe/Brussels"))
    assert format_date(opens, "long", locale="de") in text_body(message)
    assert '<html lang="de">' in html_body(message)


def test_two_runs_at_once_announce_once(app):
    subscribed(app, "bm@example.eu", ["BM"], topics=["workshop_calls"])
    subscribed(app, "both@example.eu", ["BM", "CS"], topics=["workshop_calls"])
    workshop_id = workshop(app)
    start = threading.Barrier(2)
    results, failures = [], []

    def run():
        from app.subscriptions import services

        with app.app_context():
            start.wait()
            try:
                results.append(len(services.announce_call(workshop_id)))
            except sa.exc.OperationalError as error:  # SQLite: the loser may find the database locked instead
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results, reverse=True)[:1] == [2] and sum(results) == 2, "one winner writes both e-mails"
    if ON_POSTGRES:
        assert failures == [] and sorted(results) == [0, 2]
    assert call_emails(app) == ["bm@example.eu", "both@example.eu"]


# --- right after an editor saves a workshop whose call is open ------------------------------------


def _payload(call_opens_in, title="Border checks with biometrics"):
    now = utcnow().replace(microsecond=0)
    return {
        "title": title,
        "areas": ["BM"],
        "place": "Brussels",
        "time_zone": "Europe/Brussels",
        "starts_at": now + timedelta(days=10),
        "ends_at": now + timedelta(days=10, hours=8),
        "call_opens_at": now + timedelta(hours=call_opens_in),
        "call_closes_at": now + timedelta(days=5),
        "call_types": ["capability_gap"],
    }


@pytest.fixture
def save_workshop(app, editor):
    """save_workshop(payload, workshop_id=None) -> id, through the workshop services as the edit page does."""
    from app.workshops import services
    from app.workshops.models import Workshop

    def save(payload, workshop_id=None):
        with app.app_context():
            actor = db.session.get(User, editor.id)
            if workshop_id is None:
                return services.create_workshop(actor, payload).id
            return services.update_workshop(actor, db.session.get(Workshop, workshop_id), payload).id

    return save


def test_creating_a_workshop_whose_call_is_open_announces_it(app, mailbox, save_workshop):
    subscribed(app, "bm@example.eu", ["BM"], topics=["workshop_calls"])
    workshop_id = save_workshop(_payload(call_opens_in=-1))
    mailbox.wait_for(1, recipient="bm@example.eu")  # the job may run on the worker
    wait_for(lambda: announced_at(app, workshop_id), message="the call marked announced")
    assert call_emails(app) == ["bm@example.eu"]


def test_saving_a_workshop_announces_its_call_once_it_is_open(app, mailbox, save_workshop):
    subscribed(app, "bm@example.eu", ["BM"], topics=["workshop_calls"])
    workshop_id = save_workshop(_payload(call_opens_in=24))
    assert announced_at(app, workshop_id) is None and call_emails(app) == []

    save_workshop(_payload(call_opens_in=-1), workshop_id)
    mailbox.wait_for(1, recipient="bm@example.eu")
    save_workshop(_payload(call_opens_in=-1, title="Border checks, agenda updated"), workshop_id)
    assert call_emails(app) == ["bm@example.eu"], "saving again announces nothing more"
