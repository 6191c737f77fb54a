"""Stay tuned: the public subscribe page, the confirmation link, the preferences and one-click unsubscribe links."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_limiter.util import get_remote_address

from app.community import services as community_services
from app.extensions import csrf, limiter
from app.forms import select_choices, show_service_error
from app.i18n import gettext as _
from app.main.forms import language_choices
from app.service_errors import Invalid
from app.subscriptions import services
from app.subscriptions.forms import ConfirmSubscriptionForm, PreferencesForm, SubscribeForm, UnsubscribeForm

bp = Blueprint("subscriptions", __name__)

# Asking to subscribe e-mails a confirmation link: limited per client address (as sign-in is, through the same
# limiter, which reads the address TRUSTED_PROXIES allows), and per address written in, so the form cannot be
# used to flood someone's mailbox from many places.
SUBSCRIBE_LIMIT_PER_CLIENT = "10 per minute; 60 per hour"
SUBSCRIBE_LIMIT_PER_RECIPIENT = "5 per hour"


def _recipient_key():
    email = request.form.get("email", "")
    email = email.strip().lower() if isinstance(email, str) else ""
    return f"recipient:{email}" if email else f"client:{get_remote_address()}"


def _area_choices():
    return select_choices((area.code, _(area.name)) for area in community_services.thematic_areas())


def _topic_choices():
    return select_choices((code, str(label)) for code, label in services.topic_choices())


@bp.route("/subscribe", methods=["GET", "POST"])
@limiter.limit(SUBSCRIBE_LIMIT_PER_CLIENT, methods=["POST"])
@limiter.limit(SUBSCRIBE_LIMIT_PER_RECIPIENT, key_func=_recipient_key, methods=["POST"])
def subscribe():
    form = SubscribeForm()
    form.areas.choices = _area_choices()
    form.topics.choices = _topic_choices()
    if form.validate_on_submit():
        try:
            services.request_subscription(form.email.data, form.areas.data, form.topics.data, locale=str(get_locale() or ""))
        except services.SubscriptionError as error:
            show_service_error(form, error)
        else:
            flash(
                _("Almost done: we sent a confirmation link to %(email)s. Open it to start receiving news.", email=form.email.data),
                "success",
            )
            return redirect(url_for("subscriptions.subscribe"))
    return render_template("subscriptions/subscribe.html", form=form), 422 if form.errors or form.form_errors else 200


def _invalid(error):
    return render_template("subscriptions/link_invalid.html", message=error.message), 410


@bp.route("/subscriptions/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    try:
        email, areas, topics, _locale = services.read_confirmation(token)
    except services.SubscriptionError as error:
        return _invalid(error)
    form = ConfirmSubscriptionForm()
    if form.validate_on_submit():
        try:
            subscription = services.confirm(token)
        except services.SubscriptionError as error:
            return _invalid(error)
        flash(_("Your subscription is confirmed. Every e-mail we send has a link to unsubscribe in one click."), "success")
        # Its preferences page: where the subscriber sees and changes what they chose (the link is in every e-mail too).
        return redirect(url_for("subscriptions.preferences", token=services.preferences_token(subscription.email)))
    return render_template("subscriptions/confirm.html", form=form, email=email, areas=areas, topics=services.topic_labels(topics))


@bp.route("/subscriptions/preferences/<token>", methods=["GET", "POST"])
def preferences(token):
    try:
        subscription = services.subscription_from_preferences(token)
    except services.SubscriptionError as error:
        return _invalid(error)
    if not services.can_manage_preferences(subscription):
        return render_template("subscriptions/unsubscribed.html", subscription=subscription)
    form = PreferencesForm(
        data=None
        if request.method == "POST"
        else {
            "areas": [area.code for area in subscription.areas],
            "topics": subscription.topics,
            "locale": subscription.locale,
        }
    )
    form.areas.choices = _area_choices()
    form.topics.choices = _topic_choices()
    form.locale.choices = select_choices([("", _("The site's default (English)")), *language_choices()])
    status = 200
    if form.validate_on_submit():
        try:
            services.update_preferences(token, form.areas.data, form.topics.data, form.locale.data)
        except services.SubscriptionError as error:
            if error.status == 410:
                return _invalid(error)
            show_service_error(form, error)
        except Invalid as error:
            show_service_error(form, error)
        else:
            flash(_("Your preferences are saved."), "success")
            return redirect(url_for("subscriptions.preferences", token=token))
    if form.errors or form.form_errors:
        status = 422
    unsubscribe_form = UnsubscribeForm()
    return render_template(
        "subscriptions/preferences.html",
        form=form,
        unsubscribe_form=unsubscribe_form,
        subscription=subscription,
        unsubscribe_url=url_for("subscriptions.unsubscribe", token=services.unsubscribe_token(subscription)),
        default_locale=current_app.config["BABEL_DEFAULT_LOCALE"],
    ), status


@bp.route("/subscriptions/unsubscribe/<token>", methods=["GET", "POST"])
# The one view without CSRF protection, on purpose: RFC 8058 one-click unsubscribe has mail programs POST
# "List-Unsubscribe=One-Click" to this URL themselves, with no page, session or token of ours. The signed
# token in the URL is what authorises it (only the address's mailbox ever received it, and it names that one
# subscription), so a forged cross-site POST would need the token, and at worst it ends a subscription. A GET
# only shows the button: mail scanners open links, and must not unsubscribe anyone.
@csrf.exempt
def unsubscribe(token):
    try:
        subscription = services.subscription_from_unsubscribe(token)
    except services.SubscriptionError as error:
        return _invalid(error)
    if request.method == "POST":
        subscription = services.unsubscribe(token)
        return render_template("subscriptions/unsubscribed.html", subscription=subscription)
    if not subscription.active:
        return render_template("subscriptions/unsubscribed.html", subscription=subscription)
    return render_template("subscriptions/unsubscribe.html", form=UnsubscribeForm(), subscription=subscription)
