"""Administration forms. Choices that come from the database are filled in by the views."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SearchField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from app.admin.audit import AUDIT_KINDS
from app.auth.models import ROLES
from app.community.models import NETWORK_KINDS
from app.countries import country_select_choices
from app.forms import MultiCheckboxField, record_id, select_choices
from app.i18n import lazy_gettext as _l

USER_STATUS_LABELS = {"active": _l("Active"), "deactivated": _l("Deactivated")}
OUTBOX_STATE_LABELS = {"pending": _l("Pending"), "sending": _l("Sending"), "sent": _l("Sent"), "failed": _l("Failed")}
ACCESS_REQUEST_STATE_LABELS = {"pending": _l("Pending"), "approved": _l("Approved"), "rejected": _l("Rejected")}


class FilterForm(FlaskForm):
    """A GET form filtering a list: no CSRF token (it changes nothing), read from the query string."""

    class Meta:
        csrf = False


class UserFilterForm(FilterForm):
    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=select_choices([("", _l("Any role")), *ROLES.items()]), validators=[Optional()], default="")
    status = SelectField(_l("Status"), choices=select_choices([("", _l("Active or deactivated")), *USER_STATUS_LABELS.items()]), default="")


class NetworkFilterForm(FilterForm):
    q = SearchField(_l("Search by name"), validators=[Optional(), Length(max=200)])


class OutboxFilterForm(FilterForm):
    state = SelectField(_l("State"), choices=select_choices([("", _l("Any state")), *OUTBOX_STATE_LABELS.items()]), default="")


class AuditFilterForm(FilterForm):
    kind = SelectField(_l("What"), choices=select_choices([("", _l("Everything")), *AUDIT_KINDS.items()]), default="")
    person = SearchField(_l("Who"), validators=[Optional(), Length(max=200)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end of the period comes before its start."))


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class UserAccessForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles"), choices=select_choices(ROLES.items()), validators=[DataRequired(message=_l("Choose at least one role."))]
    )
    areas = MultiCheckboxField(_l("Thematic areas (for reviewers and editors)"), choices=[], coerce=record_id)
    networks = MultiCheckboxField(_l("Networks"), choices=[], coerce=record_id)


class ApproveAccessForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles to grant"),
        choices=select_choices(ROLES.items()),
        validators=[DataRequired(message=_l("Choose at least one role."))],
        default=["contributor"],
    )
    areas = MultiCheckboxField(_l("Thematic areas (for reviewers and editors)"), choices=[])
    # "" for none, "named" for the network the applicant named when it is not known yet, else a network's id.
    network = SelectField(_l("Network"), choices=[], default="")


class RejectAccessForm(FlaskForm):
    note = TextAreaField(
        _l("Reason for rejecting"),
        validators=[DataRequired(message=_l("Say why the request is rejected.")), Length(max=2000)],
    )


class NetworkForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=select_choices(NETWORK_KINDS.items()), default="other")
    country = SelectField(_l("Country"), choices=[])
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=500),
            URL(message=_l("Enter a full web address starting with https:// or http://.")),
        ],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_select_choices(_l("Several countries, or none"), current=getattr(kwargs.get("obj"), "country", ""))


class AreaForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class ProjectImportForm(FlaskForm):
    file = FileField(_l("CORDIS file"), validators=[FileRequired(_l("Choose a file to import."))])
