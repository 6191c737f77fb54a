"""Stay tuned: subscribe with double opt-in, choose what to hear about, change it or unsubscribe from a signed link.

Double opt-in: asking to subscribe stores nothing; it e-mails a signed,
time-limited link carrying the address, the areas, the topics and the
language. Only opening that link and confirming stores the subscription.

Every e-mail to a subscriber is written in the subscriber's language and
carries two signed links that need no account: one to manage preferences
(areas, topics, language; time-limited) and one to unsubscribe (forever,
also as the List-Unsubscribe header with RFC 8058 one-click POST).

Topics: published reports (`notify_report_published`, called when a report
version is published) and workshop calls for inputs opening
(`announce_call`, a job queued by the workers' sweep and right after a
workshop whose call is open is saved; it claims the workshop, so each call
is announced once).

This module is below the features that tell subscribers (reports,
workshops): it imports their models, never their services.
"""

import functools
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, SignatureExpired

from app import dates
from app.community.services import areas_for_codes
from app.contributions.types import TYPES
from app.extensions import db
from app.i18n import gettext
from app.i18n import lazy_gettext as _l
from app.jobs import enqueue, job
from app.mail import services as mail
from app.service_errors import Invalid
from app.subscriptions.models import TOPIC_COLUMNS, Subscription, subscription_areas
from app.timeutil import as_utc, utcnow
from app.unit_of_work import after_commit, transactional, unit_of_work
from app.urls import external_url, lasting_serializer, signed_serializer
from app.workflow import get_workflow
from app.workflow.derived import derived_state
from app.workshops.models import Workshop

# What a subscriber may hear about (the codes are TOPIC_COLUMNS' keys).
TOPICS = {
    "reports": _l("Published CERIS reports"),
    "workshop_calls": _l("Workshop calls for inputs opening"),
}
if set(TOPICS) != set(TOPIC_COLUMNS):
    raise RuntimeError("every topic needs its column in app/subscriptions/models.py TOPIC_COLUMNS")

# What subscriptions made before topics existed heard about, and what an old confirmation link asks for.
DEFAULT_TOPICS = ("reports",)
# Preference links stay valid this long unless SUBSCRIPTION_PREFERENCES_MAX_AGE says otherwise (seconds);
# every e-mail carries a fresh one.
PREFERENCES_MAX_AGE = 90 * 24 * 3600


class SubscriptionError(Invalid):
    """A subscription request or link the rules refuse (422); `field` names the input at fault."""

    def __init__(self, message, field=None, status=None):
        super().__init__(message, fields={field: message} if field else None, status=status)
        self.field = field


def _confirm_serializer():
    return signed_serializer("subscription-confirm")


def _preferences_serializer():
    return signed_serializer("subscription-preferences")


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


def _topics(codes):
    """The topic codes chosen, in TOPICS order; refused when none is a topic or one is unknown."""
    codes = list(codes or [])
    if any(code not in TOPICS for code in codes):
        raise SubscriptionError(_l("Choose what to hear about from the list."), "topics")
    chosen = [code for code in TOPICS if code in codes]
    if not chosen:
        raise SubscriptionError(_l("Choose at least one thing to hear about."), "topics")
    return chosen


def _locale(locale):
    """A language the platform offers, or "" (the default language)."""
    return locale if isinstance(locale, str) and locale in current_app.config["LANGUAGES"] else ""


def topic_choices():
    return list(TOPICS.items())


def topic_labels(codes):
    return [TOPICS[code] for code in codes if code in TOPICS]


# --- subscribing (double opt-in) ----------------------------------------------------------------


@transactional
def request_subscription(email, area_codes, topics=DEFAULT_TOPICS, locale=""):
    """E-mail a confirmation link for these areas and topics (sent once committed).

    Same outcome whether or not the address is subscribed: nothing here tells who is.
    """
    email = _normalise(email)
    if not email or "@" not in email or len(email) > 254:
        raise SubscriptionError(_l("Enter a valid e-mail address."), "email")
    areas = _areas(area_codes)
    topics = _topics(topics)
    locale = _locale(locale)
    token = _confirm_serializer().dumps({"e": email, "a": [area.code for area in areas], "t": topics, "l": locale})
    with force_locale(_mail_locale(locale)):
        return mail.queue_email(
            email,
            str(_l("Confirm your CERIS Exchange subscription")),
            "subscription_confirm",
            "subscription_confirm",
            link=external_url("subscriptions.confirm", token=token),
            preferences_link=preferences_link(email),
            areas=areas,
            topics=topic_labels(topics),
            max_age_days=max(1, current_app.config["SUBSCRIPTION_CONFIRM_MAX_AGE"] // 86400),
        )


def read_confirmation(token):
    """(email, areas, topics, locale) from a confirmation link; raises SubscriptionError when it is not usable."""
    try:
        data = _confirm_serializer().loads(token, max_age=current_app.config["SUBSCRIPTION_CONFIRM_MAX_AGE"])
    except SignatureExpired:
        raise SubscriptionError(_l("This confirmation link has expired. Please subscribe again.")) from None
    except BadSignature:
        raise SubscriptionError(_l("This confirmation link is not valid.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str) or not isinstance(data.get("a"), list):
        raise SubscriptionError(_l("This confirmation link is not valid."))
    # Links sent before topics existed asked for published reports.
    topics = data.get("t") if isinstance(data.get("t"), list) else list(DEFAULT_TOPICS)
    return data["e"], _areas(data["a"]), _topics(topics), _locale(data.get("l"))


def confirm(token):
    """Store (or renew) the subscription the link asks for; its areas and topics replace earlier ones."""
    email, areas, topics, locale = read_confirmation(token)
    try:
        with unit_of_work():
            subscription = subscription_for(email)
            if subscription is None:
                subscription = Subscription(email=email)
                db.session.add(subscription)
            subscription.areas = areas
            subscription.topics = topics
            subscription.state = "active"
            subscription.locale = locale
            subscription.confirmed_at = utcnow()
            subscription.unsubscribed_at = None
            db.session.flush()
    except sa.exc.IntegrityError:  # the same link confirmed twice at once (the unit has rolled back)
        return subscription_for(email)
    return subscription


def subscription_for(email):
    return db.session.scalar(sa.select(Subscription).where(Subscription.email == _normalise(email)))


# --- preferences, from a signed link ------------------------------------------------------------


def preferences_token(email):
    """A signed, time-limited token naming the address: whoever reads its e-mails may manage its subscription."""
    return _preferences_serializer().dumps({"e": _normalise(email)})


def preferences_link(email):
    return external_url("subscriptions.preferences", token=preferences_token(email))


def preferences_max_age():
    return int(current_app.config.get("SUBSCRIPTION_PREFERENCES_MAX_AGE") or PREFERENCES_MAX_AGE)


def subscription_from_preferences(token):
    """The subscription a preferences link names; SubscriptionError (410) when the link is not usable.

    A link to an address that is not (yet) subscribed is refused too: nothing
    is stored before the address owner confirms.
    """
    try:
        data = _preferences_serializer().loads(token, max_age=preferences_max_age())
    except SignatureExpired:
        raise SubscriptionError(
            _l("This link has expired. Use the link in a newer e-mail from us, or subscribe again to change your choices."), status=410
        ) from None
    except BadSignature:
        raise SubscriptionError(_l("This link is not valid."), status=410) from None
    email = data.get("e") if isinstance(data, dict) else None
    subscription = subscription_for(email) if isinstance(email, str) else None
    if subscription is None:
        raise SubscriptionError(_l("This address is not subscribed. Open the confirmation link we sent first."), status=410)
    return subscription


def can_manage_preferences(subscription):
    """A preferences link changes an active subscription; an ended one starts again only by subscribing (double opt-in)."""
    return subscription is not None and subscription.active


def update_preferences(token, area_codes, topics, locale):
    """Change the areas, topics and language of the subscription the preferences link names; returns it."""
    with unit_of_work():
        subscription = subscription_from_preferences(token)
        if not can_manage_preferences(subscription):
            raise SubscriptionError(_l("This address is unsubscribed. Subscribe again to hear from us."), status=410)
        errors = {}
        try:
            areas = _areas(area_codes)
        except SubscriptionError as error:
            errors["areas"] = error.message
        try:
            topics = _topics(topics)
        except SubscriptionError as error:
            errors["topics"] = error.message
        if locale and not _locale(locale):
            errors["locale"] = _l("Choose a language from the list.")
        if errors:
            raise Invalid(_l("Some answers are not valid; see the messages beside them."), fields=errors)
        subscription.areas = areas
        subscription.topics = topics
        subscription.locale = _locale(locale)
    return subscription


# --- unsubscribing ----------------------------------------------------------------------------


def unsubscribe_token(subscription):
    return _unsubscribe_serializer().dumps({"s": subscription.id, "e": subscription.email})


def unsubscribe_link(subscription):
    return external_url("subscriptions.unsubscribe", token=unsubscribe_token(subscription))


def subscription_from_unsubscribe(token):
    """The subscription an unsubscribe link names (active or not); SubscriptionError (410) when the link is not usable."""
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature:
        raise SubscriptionError(_l("This unsubscribe link is not valid."), status=410) from None
    subscription = db.session.get(Subscription, data.get("s")) if isinstance(data, dict) and isinstance(data.get("s"), int) else None
    if subscription is None or subscription.email != data.get("e"):
        raise SubscriptionError(_l("This unsubscribe link is not valid."), status=410)
    return subscription


@transactional
def unsubscribe(token):
    """One click: the subscription the link names stops (again, harmlessly, if it had). Returns it."""
    subscription = subscription_from_unsubscribe(token)
    if subscription.state != "unsubscribed":
        subscription.state = "unsubscribed"
        subscription.unsubscribed_at = utcnow()
    return subscription


def list_headers(subscription):
    """RFC 2369 / RFC 8058 headers: mail programs offer an unsubscribe button that POSTs to the link, no sign-in."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_link(subscription)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- telling subscribers -------------------------------------------------------------------------


def subscribers_of(area_ids, topic):
    """Confirmed, active subscriptions to any of these areas that hear about `topic`, each once."""
    if not area_ids:
        return []
    return db.session.scalars(
        sa.select(Subscription)
        .where(
            Subscription.state == "active",
            Subscription.confirmed_at.is_not(None),
            getattr(Subscription, TOPIC_COLUMNS[topic]).is_(True),
            sa.exists().where(subscription_areas.c.subscription_id == Subscription.id, subscription_areas.c.area_id.in_(area_ids)),
        )
        .order_by(Subscription.id)
    ).all()


def _mail_locale(locale):
    return _locale(locale) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _tell(subscription, subject, template, kind, **context):
    """One e-mail to a subscriber, in their language, with the manage and unsubscribe links and headers.

    `subject` is a lazy string, translated here, as are the names of `areas` (given as `area_names`).
    """
    with force_locale(_mail_locale(subscription.locale)):
        area_names = ", ".join(gettext(area.name) for area in context.get("areas", []))
        return mail.queue_email(
            subscription.email,
            str(subject),
            template,
            kind,
            extra_headers=list_headers(subscription),
            unsubscribe_link=unsubscribe_link(subscription),
            preferences_link=preferences_link(subscription.email),
            area_names=area_names,
            **context,
        )


def notify_report_published(report, version):
    """Put one e-mail per subscriber of the report's areas who hears about reports in the outbox; returns them.

    In the caller's unit of work they are sent once it commits (see `mail.queue_email`).
    """
    link = external_url("reports.version", report_id=report.id, number=version.number)
    messages = []
    for subscription in subscribers_of([area.id for area in report.areas], "reports"):
        shared = [area for area in report.areas if area in subscription.areas]
        messages.append(
            _tell(
                subscription,
                _l("New CERIS report: %(title)s", title=report.title),
                "report_published",
                "report_published",
                report=report,
                version=version,
                areas=shared,
                link=link,
            )
        )
    return messages


# --- workshop calls opening ---------------------------------------------------------------------


def call_is_open(workshop, now=None):
    """Whether the workshop's call for inputs is open at `now`, as its lifecycle (workflows/workshop.toml) says."""
    lifecycle = get_workflow("workshop")
    state = derived_state(lifecycle, workshop, now=as_utc(now) if now is not None else utcnow())
    return lifecycle.state_has(state, "accepts_inputs")


def can_announce_call(workshop, now=None):
    """A call is announced once, while it is open."""
    return workshop is not None and workshop.call_announced_at is None and call_is_open(workshop, now)


def _moment_text(moment, zone_name):
    """ "12 March 2026, 17:00 (Europe/Brussels)" in the language being written."""
    return f"{dates.format_moment(moment, zone_name)} ({zone_name})"


def announce_call(workshop_id, now=None):
    """Tell each subscriber of the workshop's areas who hears about workshop calls that its call is open; returns the e-mails.

    Idempotent: the workshop is claimed (call_announced_at set where it is
    still empty) in the transaction that writes the outbox rows, so a second
    run, or one running at the same time, finds it claimed and writes nothing.
    Nothing is sent for a call that is not open (not yet, or any more).
    """
    now = as_utc(now) if now is not None else utcnow()
    with unit_of_work():
        workshop = db.session.get(Workshop, workshop_id)
        if not can_announce_call(workshop, now):
            return []
        # A plain UPDATE, not the ORM's: the workshop's version (editors' optimistic locking) stays as it is.
        claimed = db.session.execute(
            sa.update(Workshop)
            .where(Workshop.id == workshop_id, Workshop.call_announced_at.is_(None))
            .values(call_announced_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return []
        link = external_url("workshops.detail", workshop_id=workshop.id)
        messages = []
        for subscription in subscribers_of([area.id for area in workshop.areas], "workshop_calls"):
            with force_locale(_mail_locale(subscription.locale)):
                opens = _moment_text(workshop.call_opens_at, workshop.time_zone)
                closes = _moment_text(workshop.call_closes_at, workshop.time_zone)
            messages.append(
                _tell(
                    subscription,
                    _l("Call for inputs open: %(title)s", title=workshop.title),
                    "workshop_call_opened",
                    "workshop_call_opened",
                    workshop=workshop,
                    areas=[area for area in workshop.areas if area in subscription.areas],
                    types=[TYPES[code].name for code in workshop.call_types or [] if code in TYPES],
                    opens=opens,
                    closes=closes,
                    link=link,
                )
            )
    return messages


@job
def announce_workshop_call(workshop_id):
    """The announcement job: safe to run any number of times (see `announce_call`)."""
    return len(announce_call(workshop_id))


def call_job_key(workshop_id):
    """How the RQ ids of a workshop's announcement jobs begin (the sweep looks for them)."""
    return f"workshop-call-{workshop_id}-"


def _queue_announcement(workshop_id):
    return enqueue(announce_workshop_call, workshop_id, job_id=f"{call_job_key(workshop_id)}{secrets.token_hex(4)}")


def announce_call_once_saved(workshop):
    """Called in the unit of work that saves `workshop`: when its call is open and not announced, queue the announcement after commit."""
    if can_announce_call(workshop):
        after_commit(functools.partial(_queue_announcement, workshop.id))


def requeue_call_announcements(may_queue, now=None):
    """Queue an announcement for each workshop whose call is open and not announced that `may_queue(job_key)` lets through
    (the workers' sweep: the opening is time-driven, so no save may come to queue it). Returns how many."""
    now = as_utc(now) if now is not None else utcnow()
    # The window is read in SQL, then each is asked by its lifecycle, so the sweep and the rule agree.
    candidates = db.session.scalars(
        sa.select(Workshop)
        .where(Workshop.call_announced_at.is_(None), Workshop.call_opens_at <= now, Workshop.call_closes_at > now)
        .order_by(Workshop.call_opens_at, Workshop.id)
    ).all()
    ids = [workshop.id for workshop in candidates if can_announce_call(workshop, now) and may_queue(call_job_key(workshop.id))]
    for workshop_id in ids:
        _queue_announcement(workshop_id)
    return len(ids)
