"""Stay tuned: subscribe with double opt-in, unsubscribe in one click, tell subscribers of published reports.

Double opt-in: asking to subscribe stores nothing; it e-mails a signed,
time-limited link carrying the address and the areas. Only opening that
link and confirming stores the subscription. Every e-mail to a subscriber
carries a signed unsubscribe link that works in one click, forever.
"""

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired

from app.community.services import areas_for_codes
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.mail import services as mail
from app.service_errors import Invalid
from app.subscriptions.models import Subscription, subscription_areas
from app.timeutil import utcnow
from app.unit_of_work import transactional, unit_of_work
from app.urls import external_url, lasting_serializer, signed_serializer


class SubscriptionError(Invalid):
    """A subscription request or link the rules refuse (422); `field` names the input at fault."""

    def __init__(self, message, field=None, status=None):
        super().__init__(message, fields={field: message} if field else None, status=status)
        self.field = field


def _confirm_serializer():
    return signed_serializer("subscription-confirm")


def _unsubscribe_serializer():
    return lasting_serializer("subscription-unsubscribe")


def _normalise(email):
    return (email or "").strip().lower()


def _areas(codes):
    # Codes naming no area (one removed since the link was sent) are left out; none left is refused.
    areas, _unknown = areas_for_codes(codes)
    if not areas:
        raise SubscriptionError(_l("Choose at least one thematic area."), "areas")
    return areas


@transactional
def request_subscription(email, area_codes, locale=""):
    """E-mail a confirmation link for these areas (sent once committed). Same outcome whether or not the address is subscribed."""
    email = _normalise(email)
    if not email or "@" not in email or len(email) > 254:
        raise SubscriptionError(_l("Enter a valid e-mail address."), "email")
    areas = _areas(area_codes)
    token = _confirm_serializer().dumps({"e": email, "a": [area.code for area in areas], "l": locale or ""})
    message = mail.queue_email(
        email,
        str(_l("Confirm your CERIS Exchange subscription")),
        "subscription_confirm",
        "subscription_confirm",
        link=external_url("subscriptions.confirm", token=token),
        areas=areas,
        max_age_days=max(1, current_app.config["SUBSCRIPTION_CONFIRM_MAX_AGE"] // 86400),
    )
    return message


def read_confirmation(token):
    """(email, areas, locale) from a confirmation link; raises SubscriptionError when it is not usable."""
    try:
        data = _confirm_serializer().loads(token, max_age=current_app.config["SUBSCRIPTION_CONFIRM_MAX_AGE"])
    except SignatureExpired:
        raise SubscriptionError(_l("This confirmation link has expired. Please subscribe again.")) from None
    except BadSignature:
        raise SubscriptionError(_l("This confirmation link is not valid.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str) or not isinstance(data.get("a"), list):
        raise SubscriptionError(_l("This confirmation link is not valid."))
    return data["e"], _areas(data["a"]), data.get("l") or ""


def confirm(token):
    """Store (or renew) the subscription the link asks for; its areas replace earlier ones."""
    email, areas, locale = read_confirmation(token)
    try:
        with unit_of_work():
            subscription = subscription_for(email)
            if subscription is None:
                subscription = Subscription(email=email)
                db.session.add(subscription)
            subscription.areas = areas
            subscription.state = "active"
            subscription.locale = locale[:5]
            subscription.confirmed_at = utcnow()
            subscription.unsubscribed_at = None
            db.session.flush()
    except sa.exc.IntegrityError:  # the same link confirmed twice at once (the unit has rolled back)
        return subscription_for(email)
    return subscription


def subscription_for(email):
    return db.session.scalar(sa.select(Subscription).where(Subscription.email == _normalise(email)))


def unsubscribe_token(subscription):
    return _unsubscribe_serializer().dumps({"s": subscription.id, "e": subscription.email})


def unsubscribe_link(subscription):
    return external_url("subscriptions.unsubscribe", token=unsubscribe_token(subscription))


@transactional
def unsubscribe(token):
    """One click: the subscription the link names stops (again, harmlessly, if it had). Returns it."""
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature:
        raise SubscriptionError(_l("This unsubscribe link is not valid.")) from None
    subscription = db.session.get(Subscription, data.get("s")) if isinstance(data, dict) else None
    if subscription is None or subscription.email != data.get("e"):
        raise SubscriptionError(_l("This unsubscribe link is not valid."))
    if subscription.state != "unsubscribed":
        subscription.state = "unsubscribed"
        subscription.unsubscribed_at = utcnow()
    return subscription


def subscribers_of(area_ids):
    """Active subscriptions to any of these areas, each once."""
    if not area_ids:
        return []
    return db.session.scalars(
        sa.select(Subscription)
        .where(
            Subscription.state == "active",
            sa.exists().where(subscription_areas.c.subscription_id == Subscription.id, subscription_areas.c.area_id.in_(area_ids)),
        )
        .order_by(Subscription.id)
    ).all()


def notify_report_published(report, version):
    """Put one e-mail per subscriber of the report's areas in the outbox; returns them.

    In the caller's unit of work they are sent once it commits (see `mail.queue_email`).
    """
    link = external_url("reports.version", report_id=report.id, number=version.number)
    messages = []
    for subscription in subscribers_of([area.id for area in report.areas]):
        shared = [area for area in report.areas if area in subscription.areas]
        messages.append(
            mail.queue_email(
                subscription.email,
                str(_l("New CERIS report: %(title)s", title=report.title)),
                "report_published",
                "report_published",
                report=report,
                version=version,
                areas=shared,
                link=link,
                unsubscribe_link=unsubscribe_link(subscription),
            )
        )
    return messages
