from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from app.countries import country_select_choices
from app.forms import MultiCheckboxField, record_id
from app.i18n import lazy_gettext as _l


def strip(value):
    """Pasted addresses often carry spaces; the Email validator would refuse them."""
    return value.strip() if isinstance(value, str) else value


EMAIL_FILTERS = [strip]


class CountryMixin:
    """A country chosen from the one list of countries (app/countries.py), by name in the reader's language."""

    # Codes typed by hand or by scripts ("fr") are read as the list's ("FR").
    country = SelectField(_l("Country"), choices=[], default="", coerce=lambda value: (value or "").strip().upper())

    def _fill_country_choices(self, current=""):
        self.country.choices = country_select_choices(_l("Not given"), current=current)


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), filters=EMAIL_FILTERS, validators=[DataRequired(), Email()], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(_l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


class LogoutForm(FlaskForm):
    pass


class NewPasswordMixin:
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "organization"})


class RequestAccessForm(CountryMixin, FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    email = EmailField(
        _l("E-mail address"),
        filters=EMAIL_FILTERS,
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "organization"})
    network_name = StringField(_l("Network or project you belong to"), validators=[Optional(), Length(max=200)])
    motivation = TextAreaField(_l("Why do you want to contribute?"), validators=[DataRequired(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fill_country_choices()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), filters=EMAIL_FILTERS, validators=[DataRequired(), Email()], render_kw={"autocomplete": "email"}
    )


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class ProfileForm(CountryMixin, FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)], render_kw={"autocomplete": "organization"})
    locale = SelectField(_l("Preferred language"), choices=[], validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fill_country_choices(getattr(kwargs.get("obj"), "country", ""))


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"})


class NewTokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=100)])


class RevokeTokenForm(FlaskForm):
    pass


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), filters=EMAIL_FILTERS, validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=200)])
    organisation = StringField(_l("Organisation (optional)"), validators=[Optional(), Length(max=200)])
    roles = MultiCheckboxField(_l("Roles"), choices=[], validators=[DataRequired()])
    areas = MultiCheckboxField(_l("Thematic areas (reviewers and editors)"), choices=[])
    network_id = SelectField(_l("Network"), choices=[], coerce=record_id)
