from babel import Locale
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from app.forms import select_choices
from app.i18n import lazy_gettext as _l


def language_choices():
    # Each language named in itself, as the Commission's sites do.
    return [(code, Locale.parse(code).get_display_name(code).capitalize()) for code in current_app.config["LANGUAGES"]]


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[])
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = select_choices(language_choices())
