"""Stay tuned: the public subscribe page, the confirmation link, the one-click unsubscribe link."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale

from app.community import services as community_services
from app.extensions import limiter
from app.forms import select_choices, show_service_error
from app.i18n import gettext as _
from app.subscriptions import services
from app.subscriptions.forms import ConfirmSubscriptionForm, SubscribeForm

bp = Blueprint("subscriptions", __name__)


@bp.route("/subscribe", methods=["GET", "POST"])
@limiter.limit("10 per minute; 60 per hour", methods=["POST"])
def subscribe():
    form = SubscribeForm()
    form.areas.choices = select_choices((area.code, area.name) for area in community_services.thematic_areas())
    if form.validate_on_submit():
        try:
            services.request_subscription(form.email.data, form.areas.data, locale=str(get_locale() or ""))
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
        email, areas, _locale = services.read_confirmation(token)
    except services.SubscriptionError as error:
        return _invalid(error)
    form = ConfirmSubscriptionForm()
    if form.validate_on_submit():
        try:
            services.confirm(token)
        except services.SubscriptionError as error:
            return _invalid(error)
        flash(_("Your subscription is confirmed. Every e-mail we send has a link to unsubscribe in one click."), "success")
        return redirect(url_for("reports.index"))
    return render_template("subscriptions/confirm.html", form=form, email=email, areas=areas)


@bp.get("/subscriptions/unsubscribe/<token>")
def unsubscribe(token):
    try:
        subscription = services.unsubscribe(token)
    except services.SubscriptionError as error:
        return _invalid(error)
    return render_template("subscriptions/unsubscribed.html", subscription=subscription)
