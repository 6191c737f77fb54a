"""HTML forms for contributions, built from the type schemas in types.py (one definition for form, API and page)."""

import secrets

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from app.forms import MultiCheckboxField, record_id, select_choices
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l

REFERENCE_ROWS = 5


def _field_for(spec, ref_choices):
    """A WTForms field for one schema field; validity is checked by the shared service, not here."""
    options = {"description": spec.help or "", "validators": [Optional()]}
    if spec.kind == "text":
        return StringField(spec.label, **options)
    if spec.kind == "long_text":
        return TextAreaField(spec.label, **options)
    if spec.kind == "choice":
        return RadioField(spec.label, choices=select_choices(spec.choices), **options)
    if spec.kind == "multi_choice":
        return MultiCheckboxField(spec.label, choices=select_choices(spec.choices), **options)
    if spec.kind == "integer":
        return IntegerField(spec.label, validators=[Optional(), NumberRange(spec.min, spec.max)], description=spec.help or "")
    if spec.kind == "url":
        return URLField(spec.label, **options)
    if spec.kind == "date":
        return DateField(spec.label, **options)
    if spec.kind == "contribution_refs":
        # The contributions already linked and those the picker found ({field name: [(id, title)]}): never all of them.
        return MultiCheckboxField(spec.label, choices=select_choices(ref_choices.get(spec.name, [])), coerce=record_id, **options)
    raise ValueError(spec.kind)


class CommonFields(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=300)])
    thematic_areas = MultiCheckboxField(_l("Thematic areas"), choices=[])
    summary = TextAreaField(
        _l("Summary"),
        description=_l("A few paragraphs. You may use bold, italics, lists and links; anything else is removed."),
        # The editor's button labels travel on the field, translated, so editor.js stays language-free.
        render_kw={
            "data-rich-text": "true",
            "rows": 8,
            "data-label-toolbar": _l("Formatting"),
            "data-label-bold": _l("Bold"),
            "data-label-italic": _l("Italic"),
            "data-label-bullets": _l("Bulleted list"),
            "data-label-numbers": _l("Numbered list"),
            "data-label-link": _l("Link"),
            "data-prompt-link": _l("Web address (https://…)"),
        },
    )
    network_id = SelectField(_l("Source network"), choices=[], coerce=record_id)
    workshop_id = SelectField(_l("Workshop"), choices=[], coerce=record_id)
    project_ids = MultiCheckboxField(_l("Linked EU-funded projects"), choices=[], coerce=record_id)
    call_topic_id = SelectField(
        _l("Call topic"),
        choices=[],
        coerce=record_id,
        default=0,  # not posted (a form from before the field existed): none, never "Not a valid choice"
        description=_l("The Horizon Europe call topic your contribution informs, if any. Topics of your thematic areas are listed first."),
    )
    # Files to attach, stored with the rest of the form when it is saved (attachments.with_files).
    files = MultipleFileField(_l("Add files"), description=_l("PDF, DOCX, XLSX, ODT, PNG or JPEG."))
    # Once changes were requested: what the author tells the reviewers, kept with the new revision.
    response_to_reviewers = TextAreaField(
        _l("Your response to the reviewers (optional)"),
        validators=[Optional(), Length(max=20000)],
        description=_l("What you changed and why, or why you did not follow a suggestion. Reviewers read it beside the changes."),
        render_kw={"rows": 5},
    )
    version = HiddenField()
    # New contributions only: a random key rendered with the form, so posting it twice makes one draft.
    creation_key = HiddenField()


def call_topic_choices(groups):
    """The call-topic select's options: "None", then one group per thematic area ([(area or None, [topics])], see
    services.call_topics_for_choice), each option "code – title"."""
    choices = [SelectChoice(0, _l("None"))]
    for area, topics in groups:
        group = f"{area.code} – {_(area.name)}" if area is not None else _("Other call topics")
        choices.extend(SelectChoice(topic.id, f"{topic.code} – {topic.title}", optgroup=group) for topic in topics)
    return choices


def contribution_form(
    spec,
    areas,
    networks,
    workshops,
    projects,
    ref_choices,
    formdata=None,
    contribution=None,
    call_topic_groups=(),
    required=(),
    response="",
):
    """The form for one contribution type, filled from `contribution` when editing.

    `ref_choices`: for each field referring to other contributions (a technology's capability gaps), the
    [(id, title)] it offers (services.refs_for_picker). `required`: the service keys of the answers submitting
    needs (services.required_to_submit), marked as required from the start; the form keeps `novalidate`, so
    the browser never stops a draft from being saved. `response`: the response to the reviewers saved so far.
    """

    class ContributionForm(CommonFields):
        pass

    for field in spec.fields:
        setattr(ContributionForm, f"field_{field.name}", _field_for(field, ref_choices))
    for row in range(REFERENCE_ROWS):
        setattr(ContributionForm, f"reference_url_{row}", URLField(_l("Reference %(n)d: web address", n=row + 1), validators=[Optional()]))
        setattr(ContributionForm, f"reference_title_{row}", StringField(_l("Reference %(n)d: title", n=row + 1), validators=[Optional()]))

    form = ContributionForm(formdata=formdata) if formdata is not None else ContributionForm()
    form.thematic_areas.choices = select_choices((area.code, f"{area.code} – {area.name}") for area in areas)
    form.network_id.choices = select_choices([(0, _l("None")), *((network.id, network.name) for network in networks)])
    form.workshop_id.choices = select_choices([(0, _l("None")), *((workshop.id, workshop.title) for workshop in workshops)])
    form.project_ids.choices = select_choices((project.id, f"{project.acronym} – {project.title}") for project in projects)
    form.call_topic_id.choices = call_topic_choices(call_topic_groups)
    for key in required:
        getattr(form, form_field_name(key)).flags.required = True
    if contribution is None and formdata is None:
        form.creation_key.data = secrets.token_urlsafe(24)
    if contribution is not None and formdata is None:
        form.title.data = contribution.title
        form.thematic_areas.data = contribution.area_codes
        form.summary.data = contribution.summary
        form.network_id.data = contribution.network_id or 0
        form.workshop_id.data = contribution.workshop_id or 0
        form.call_topic_id.data = contribution.call_topic_id or 0
        form.project_ids.data = [project.id for project in contribution.projects]
        form.version.data = str(contribution.version)
        form.response_to_reviewers.data = response
        for field in spec.fields:
            value = contribution.fields.get(field.name)
            if field.kind == "date" and value:
                from datetime import date

                value = date.fromisoformat(value)
            getattr(form, f"field_{field.name}").data = value
        for row, reference in enumerate((contribution.references or [])[:REFERENCE_ROWS]):
            getattr(form, f"reference_url_{row}").data = reference.get("url", "")
            getattr(form, f"reference_title_{row}").data = reference.get("title", "")
    return form


def payload_from(form, spec):
    """The API-shaped dict the services take, from a submitted form."""
    fields = {}
    for field in spec.fields:
        value = getattr(form, f"field_{field.name}").data
        if field.kind == "date" and value:
            value = value.isoformat()
        if value not in (None, "", []):
            fields[field.name] = value
    references = []
    for row in range(REFERENCE_ROWS):
        url = (getattr(form, f"reference_url_{row}").data or "").strip()
        if url:
            references.append({"url": url, "title": getattr(form, f"reference_title_{row}").data or ""})
    return {
        "type": spec.code,
        "title": form.title.data or "",
        "thematic_areas": form.thematic_areas.data or [],
        "summary": form.summary.data or "",
        "fields": fields,
        "network_id": form.network_id.data or None,
        "workshop_id": form.workshop_id.data or None,
        "call_topic_id": form.call_topic_id.data or None,
        "project_ids": form.project_ids.data or [],
        "references": references,
    }


def form_field_name(error_key):
    """Where a service error key ("fields.need", "thematic_areas") lives on the form."""
    if error_key.startswith("fields."):
        return "field_" + error_key.split(".", 1)[1]
    return {"references": "reference_url_0"}.get(error_key, error_key)


class TransitionForm(FlaskForm):
    transition = HiddenField()
    version = HiddenField()
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=10000)])
