"""Report forms. Choices from the database are filled in by the views; rules live in services."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.contributions.types import TYPES
from app.forms import IdField, MultiCheckboxField, record_id, select_choices
from app.i18n import lazy_gettext as _l
from app.reports.models import KINDS


class FilterForm(FlaskForm):
    """The public list's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    area = SelectField(_l("Thematic area"), choices=[], default="", validators=[Optional()])
    kind = SelectField(
        _l("Kind of report"), choices=select_choices([("", _l("Any kind")), *KINDS.items()]), default="", validators=[Optional()]
    )


class ReportForm(FlaskForm):
    kind = SelectField(_l("Kind of report"), choices=select_choices(KINDS.items()), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("A title is required.")), Length(max=300)])
    areas = MultiCheckboxField(
        _l("Thematic areas"), choices=[], validators=[DataRequired(message=_l("Choose at least one thematic area."))]
    )
    period_start = DateField(_l("Period from (optional)"), validators=[Optional()])
    period_end = DateField(_l("Period to (optional)"), validators=[Optional()])


class ReportDetailsForm(ReportForm):
    """The same fields but the kind, which a report keeps."""

    kind = None


class SectionAddForm(FlaskForm):
    heading = StringField(
        _l("Heading of the new section"), validators=[DataRequired(message=_l("A heading is required.")), Length(max=300)]
    )
    draws_contributions = BooleanField(_l("Draws on contributions"), default=True)


class SectionForm(FlaskForm):
    heading = StringField(_l("Heading"), validators=[DataRequired(message=_l("A heading is required.")), Length(max=300)])
    synthesis = TextAreaField(_l("Synthesis"), validators=[Optional(), Length(max=100_000)])
    draws_contributions = BooleanField(_l("Draws on contributions"))
    areas = MultiCheckboxField(_l("Thematic areas (none ticked: the report's areas)"), choices=[])
    types = MultiCheckboxField(
        _l("Contribution types (none ticked: every type)"), choices=select_choices((code, spec.name) for code, spec in TYPES.items())
    )
    period_start = DateField(_l("Submitted from (optional; empty: the report's period)"), validators=[Optional()])
    period_end = DateField(_l("Submitted until (optional)"), validators=[Optional()])
    workshop_id = SelectField(_l("Workshop"), choices=[], coerce=record_id, default=0)
    network_id = SelectField(_l("Source network"), choices=[], coerce=record_id, default=0)


class ActionForm(FlaskForm):
    """A button that changes something: the CSRF token and what the button says."""

    direction = HiddenField()
    status = HiddenField()
    contribution_id = IdField(validators=[Optional()])
