from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Email, Length

from app.forms import MultiCheckboxField
from app.i18n import lazy_gettext as _l


class SubscribeForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Email(message=_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    areas = MultiCheckboxField(
        _l("Thematic areas"), choices=[], validators=[DataRequired(message=_l("Choose at least one thematic area."))]
    )
    # Published reports are ticked on a new form: what "stay tuned" always meant.
    topics = MultiCheckboxField(
        _l("Tell me about"),
        choices=[],
        default=["reports"],
        validators=[DataRequired(message=_l("Choose at least one thing to hear about."))],
    )


class PreferencesForm(FlaskForm):
    """What a subscriber changes from the signed link in their e-mails (no account)."""

    areas = MultiCheckboxField(
        _l("Thematic areas"), choices=[], validators=[DataRequired(message=_l("Choose at least one thematic area."))]
    )
    topics = MultiCheckboxField(
        _l("Tell me about"), choices=[], validators=[DataRequired(message=_l("Choose at least one thing to hear about."))]
    )
    locale = SelectField(_l("Language of the e-mails"), choices=[], validate_choice=True)


class ConfirmSubscriptionForm(FlaskForm):
    """The confirmation button: confirming is a POST, so a mail scanner opening the link confirms nothing."""


class UnsubscribeForm(FlaskForm):
    """The unsubscribe button: unsubscribing is a POST, so a mail scanner opening the link unsubscribes no one.

    Its endpoint takes the POST without a CSRF token too (RFC 8058 one-click, sent by mail programs): see the view.
    """
