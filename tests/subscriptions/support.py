"""Stay tuned in tests: subscribing through the pages as a person does, confirmed subscriptions made directly, workshops."""

from datetime import timedelta

import sqlalchemy as sa

from app.community.models import ThematicArea
from app.extensions import db
from app.mail.models import OutboxMessage
from app.timeutil import utcnow
from app.workshops.models import Workshop
from tests.support import link_in, post_form

HOUR = timedelta(hours=1)


def subscribe(client, mailbox, email, areas, topics=("reports",), environ=None):
    """Ask to subscribe on the page; returns the confirmation e-mail."""
    response = post_form(
        client,
        "/subscribe",
        {"email": email, "areas": list(areas), "topics": list(topics)},
        token_from="/subscribe",
        environ_base=environ or {},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    (message,) = mailbox.wait_for(1, recipient=email)
    return message


def confirm(client, message):
    """Open the confirmation link of `message` and press the button, as the address owner does; returns the response."""
    link = link_in(message, "/subscriptions/confirm/")
    assert client.get(link).status_code == 200
    response = post_form(client, link, {}, token_from=link)
    assert response.status_code == 302
    return response


def subscribed(app, email, areas, topics=("reports",), locale="", state="active"):
    """A confirmed subscription, stored directly (as confirming stores it); returns its id."""
    from app.subscriptions.models import Subscription

    with app.app_context():
        subscription = Subscription(email=email, state=state, locale=locale, confirmed_at=utcnow())
        subscription.topics = list(topics)
        subscription.areas = db.session.scalars(sa.select(ThematicArea).where(ThematicArea.code.in_(list(areas)))).all()
        db.session.add(subscription)
        db.session.commit()
        return subscription.id


def workshop(app, title="Drones at the green border", areas=("BM",), call=(-1, 48), starts_in=240, time_zone="Europe/Brussels"):
    """A workshop stored directly (no save through the services, so nothing is announced); its call opens and
    closes at `call` hours from now. Returns its id."""
    with app.app_context():
        now = utcnow()
        item = Workshop(
            title=title,
            starts_at=now + starts_in * HOUR,
            ends_at=now + (starts_in + 8) * HOUR,
            time_zone=time_zone,
            place="Brussels",
            call_opens_at=now + call[0] * HOUR if call else None,
            call_closes_at=now + call[1] * HOUR if call else None,
            call_types=["capability_gap", "technology"] if call else [],
        )
        item.areas = db.session.scalars(sa.select(ThematicArea).where(ThematicArea.code.in_(list(areas)))).all()
        db.session.add(item)
        db.session.commit()
        return item.id


def announce(app, workshop_id, now=None):
    """Run the announcement as the job does; returns the recipients of the e-mails it wrote."""
    from app.subscriptions import services

    with app.app_context():
        return sorted(message.recipient for message in services.announce_call(workshop_id, now=now))


def call_emails(app):
    """Recipients of the call announcements in the outbox."""
    with app.app_context():
        return sorted(db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.kind == "workshop_call_opened")))


def announced_at(app, workshop_id):
    with app.app_context():
        return db.session.scalar(sa.select(Workshop.call_announced_at).where(Workshop.id == workshop_id))


def stored(app, email):
    """(state, area codes, topics, locale) of the subscription of `email`, or None."""
    from app.subscriptions.models import Subscription

    with app.app_context():
        row = db.session.scalar(sa.select(Subscription).where(Subscription.email == email))
        return None if row is None else (row.state, [area.code for area in row.areas], row.topics, row.locale)
