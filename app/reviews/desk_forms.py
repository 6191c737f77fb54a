"""The forms of the editor's desk and decision page."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, TextAreaField
from wtforms.validators import Length, Optional

from app.i18n import lazy_gettext as _l


class DecisionForm(FlaskForm):
    """One decision: the step (choices are the steps the editor may take now), one letter to the author, a confirmation."""

    decision = RadioField(_l("Decision"), choices=[], validate_choice=False)
    letter = TextAreaField(_l("Letter to the author"), validators=[Optional(), Length(max=10000)])
    confirm = BooleanField(_l("I have read the reviews and confirm this decision"))
    version = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something (unassign, replace, bulk actions): CSRF only."""
