from flask_wtf import FlaskForm
from wtforms import EmailField
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


class ConfirmSubscriptionForm(FlaskForm):
    """The confirmation button: confirming is a POST, so a mail scanner opening the link confirms nothing."""
