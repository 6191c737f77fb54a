"""HTML forms for workshops. The rules (required answers, times, the call) are checked by the service, which names each field."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import NumberRange, Optional

from app.forms import MultiCheckboxField, record_id, select_choices
from app.i18n import lazy_gettext as _l

_RICH_TEXT = {
    "data-rich-text": "true",
    "rows": 8,
    "data-label-toolbar": _l("Formatting"),
    "data-label-bold": _l("Bold"),
    "data-label-italic": _l("Italic"),
    "data-label-bullets": _l("Bulleted list"),
    "data-label-numbers": _l("Numbered list"),
    "data-label-link": _l("Link"),
    "data-prompt-link": _l("Web address (https://…)"),
}
_MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class WorkshopForm(FlaskForm):
    title = StringField(_l("Title"))
    areas = MultiCheckboxField(_l("Thematic areas"), choices=[])
    description = TextAreaField(_l("Description"), render_kw=_RICH_TEXT)
    time_zone = SelectField(_l("Time zone"), choices=[], description=_l("Where the workshop is held: its times are in this zone."))
    starts_at = DateTimeLocalField(_l("Starts"), format=_MOMENT_FORMATS, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends"), format=_MOMENT_FORMATS, validators=[Optional()])
    place = StringField(_l("Place"), description=_l("Venue and city; leave empty for an online-only workshop."))
    online_url = URLField(_l("Online link"), description=_l("https:// address of the online meeting, if any."))
    agenda = TextAreaField(_l("Agenda"), render_kw=_RICH_TEXT)
    capacity = IntegerField(
        _l("Capacity"), validators=[Optional(), NumberRange(min=1)], description=_l("Places for attendees; empty for no limit.")
    )
    call_opens_at = DateTimeLocalField(_l("Call for inputs opens"), format=_MOMENT_FORMATS, validators=[Optional()])
    call_closes_at = DateTimeLocalField(
        _l("Call for inputs closes"),
        format=_MOMENT_FORMATS,
        validators=[Optional()],
        description=_l("Leave both empty for a workshop without a call for inputs."),
    )
    call_types = MultiCheckboxField(_l("Contribution types the call asks for"), choices=[])
    chair_id = SelectField(_l("Chair"), choices=[], coerce=record_id)
    version = HiddenField()


def workshop_form(areas, time_zones, types, chairs, values=None, formdata=None):
    """The workshop form; `values` fills it (editing), `formdata` is what was posted."""
    form = WorkshopForm(formdata=formdata, data=values or None) if formdata is not None else WorkshopForm(data=values or None)
    form.areas.choices = select_choices((area.code, f"{area.code} – {area.name}") for area in areas)
    form.time_zone.choices = select_choices((name, name.replace("_", " ")) for name in time_zones)
    form.call_types.choices = select_choices((spec.code, spec.name) for spec in types)
    form.chair_id.choices = select_choices([(0, _l("Me, or no one")), *((user.id, user.display_name) for user in chairs)])
    return form


def payload_from(form):
    """The dict the service takes (times as typed: wall-clock times in the chosen zone)."""
    return {
        "title": form.title.data or "",
        "areas": form.areas.data or [],
        "description": form.description.data or "",
        "time_zone": form.time_zone.data or "",
        "starts_at": form.starts_at.data,
        "ends_at": form.ends_at.data,
        "place": form.place.data or "",
        "online_url": form.online_url.data or "",
        "agenda": form.agenda.data or "",
        "capacity": form.capacity.data,
        "call_opens_at": form.call_opens_at.data,
        "call_closes_at": form.call_closes_at.data,
        "call_types": form.call_types.data or [],
        "chair_id": form.chair_id.data or None,
    }


class SendToReviewForm(FlaskForm):
    """The chosen inputs come as repeated `contribution_ids` checkboxes beside each submitted input; this carries the CSRF token."""


class RegistrationForm(FlaskForm):
    """Register to attend, or cancel: the button carries the CSRF token."""


class OutcomeForm(FlaskForm):
    outcome_summary = TextAreaField(
        _l("Outcome summary"),
        render_kw=_RICH_TEXT,
        description=_l("What the workshop found and recommends. The accepted inputs are listed with it automatically."),
    )
    version = HiddenField()
