"""Forms of the project explorer: an editor's correction of a project's areas, and projects CORDIS does not hold."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.forms import MultiCheckboxField, select_choices
from app.i18n import lazy_gettext as _l
from app.projects.explorer import MANUAL_STATUSES, STATUSES
from app.projects.models import PROGRAMMES


class AreasForm(FlaskForm):
    areas = MultiCheckboxField(_l("Thematic areas"), choices=[])


def areas_form(areas, project=None, formdata=None):
    form = AreasForm(formdata=formdata) if formdata is not None else AreasForm()
    form.areas.choices = select_choices((area.code, f"{area.code} – {_l(area.name)}") for area in areas)
    if project is not None and formdata is None:
        form.areas.data = [area.code for area in project.areas]
    return form


class ManualProjectForm(FlaskForm):
    """The facts; every rule is the explorer service's (app/projects/explorer.py), which reports each field."""

    acronym = StringField(_l("Acronym"))
    title = StringField(_l("Title"))
    programme = SelectField(_l("Programme"), choices=[], validate_choice=False)
    funding_scheme = StringField(_l("Funding scheme"), description=_l("For example: national programme, capacity building, training."))
    call_topic = StringField(_l("Call or topic"))
    legal_basis = StringField(_l("Legal basis"))
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    total_cost = StringField(_l("Total cost (euros)"), render_kw={"inputmode": "decimal"})
    eu_contribution = StringField(_l("EU contribution (euros)"), render_kw={"inputmode": "decimal"})
    coordinator = StringField(_l("Coordinator"))
    coordinator_country = SelectField(_l("Coordinator's country"), choices=[], validate_choice=False)
    objective = TextAreaField(_l("Objective"), render_kw={"rows": 8})
    areas = MultiCheckboxField(_l("Thematic areas"), choices=[])


def manual_project_form(areas, countries, project=None, formdata=None):
    form = ManualProjectForm(formdata=formdata) if formdata is not None else ManualProjectForm()
    # Horizon 2020 and Horizon Europe projects come from CORDIS; the others are added by hand.
    form.programme.choices = select_choices((code, label) for code, label in PROGRAMMES.items() if code not in ("H2020", "HORIZON"))
    if project is not None and project.programme in ("H2020", "HORIZON"):
        form.programme.choices.insert(0, SelectChoice(project.programme, PROGRAMMES[project.programme]))
    form.status.choices = select_choices([("", _l("Not known")), *((code, STATUSES[code]) for code in MANUAL_STATUSES)])
    form.coordinator_country.choices = select_choices([("", _l("Not known")), *countries])
    form.areas.choices = select_choices((area.code, f"{area.code} – {_l(area.name)}") for area in areas)
    if project is not None and formdata is None:
        for name in (
            "acronym",
            "title",
            "programme",
            "funding_scheme",
            "call_topic",
            "legal_basis",
            "status",
            "start_date",
            "end_date",
            "coordinator",
            "coordinator_country",
            "objective",
        ):
            getattr(form, name).data = getattr(project, name)
        form.total_cost.data = "" if project.total_cost is None else str(project.total_cost)
        form.eu_contribution.data = "" if project.eu_contribution is None else str(project.eu_contribution)
        form.areas.data = [area.code for area in project.areas]
    return form


def manual_payload(form):
    """What the service takes, from a submitted form."""
    return {
        name: getattr(form, name).data
        for name in (
            "acronym",
            "title",
            "programme",
            "funding_scheme",
            "call_topic",
            "legal_basis",
            "status",
            "start_date",
            "end_date",
            "total_cost",
            "eu_contribution",
            "coordinator",
            "coordinator_country",
            "objective",
            "areas",
        )
    }
