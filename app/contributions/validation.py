"""Checking contribution input against the type schemas; shared by the form, the API and the CLI.

Two levels: `validate` refuses values that are wrong (a choice that does not
exist, a TRL of 12, a URL that is not http(s)) even in a draft; `missing_fields`
names what is still empty, which only the `submit` transition insists on.
"""

from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.community.models import Network
from app.community.services import areas_for_codes
from app.contributions.types import TYPES
from app.converters import is_storable_integer
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.projects.models import CallTopic, Project
from app.sanitising import clean_plain_text, clean_rich_text
from app.service_errors import Invalid
from app.workshops.models import Workshop

TITLE_MAX = 300
REFERENCE_TITLE_MAX = 300
SUMMARY_MAX = 50_000
MAX_REFERENCES = 50


# The message of every refusal of answers, whose `fields` (input name: message) say which and why.
ANSWERS_NOT_VALID = _l("Some answers are not valid.")


def valid_url(value):
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def validate(payload, partial=False, contribution_type=None):
    """Clean `payload` (a dict as the API receives it). Returns the cleaned dict or raises Invalid.

    With partial=True only the keys present are checked (PATCH).
    """
    errors = {}
    cleaned = {}
    type_code = contribution_type or payload.get("type")
    if not partial or "type" in payload:
        if type_code not in TYPES:
            errors["type"] = _l("Choose one of: %(types)s.", types=", ".join(TYPES))
        else:
            cleaned["type"] = type_code

    if not partial or "title" in payload:
        title = clean_plain_text(payload.get("title"), multiline=False) if isinstance(payload.get("title"), (str, type(None))) else None
        if title is None:
            errors["title"] = _l("The title must be text.")
        elif not title:
            errors["title"] = _l("A title is required, even for a draft.")
        elif len(title) > TITLE_MAX:
            errors["title"] = _l("At most %(count)d characters.", count=TITLE_MAX)
        else:
            cleaned["title"] = title

    if "summary" in payload or not partial:
        summary = payload.get("summary") or ""
        if not isinstance(summary, str):
            errors["summary"] = _l("The summary must be text (HTML).")
        elif len(summary) > SUMMARY_MAX:
            errors["summary"] = _l("At most %(count)d characters.", count=SUMMARY_MAX)
        else:
            cleaned["summary"] = clean_rich_text(summary)

    if "thematic_areas" in payload or not partial:
        codes = payload.get("thematic_areas") or []
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            errors["thematic_areas"] = _l("Give a list of thematic area codes.")
        else:
            areas, unknown = areas_for_codes(codes)
            if unknown:
                errors["thematic_areas"] = _l("Unknown thematic area: %(codes)s", codes=", ".join(sorted(unknown)))
            else:
                cleaned["areas"] = areas

    if "project_ids" in payload or not partial:
        ids = payload.get("project_ids") or []
        if not isinstance(ids, list) or not all(isinstance(item, int) and not isinstance(item, bool) for item in ids):
            errors["project_ids"] = _l("Give a list of project ids.")
        else:
            projects = db.session.scalars(sa.select(Project).where(Project.id.in_(ids))).all() if ids else []
            if len(projects) != len(set(ids)):
                errors["project_ids"] = _l(
                    "Unknown project: %(ids)s", ids=", ".join(str(i) for i in sorted(set(ids) - {p.id for p in projects}))
                )
            else:
                cleaned["projects"] = projects

    for key, model, label in (
        ("workshop_id", Workshop, _l("workshop")),
        ("network_id", Network, _l("network")),
        ("call_topic_id", CallTopic, _l("call topic")),
    ):
        if key in payload or not partial:
            value = payload.get(key)
            if value in (None, ""):
                cleaned[key] = None
            elif not is_storable_integer(value) or db.session.get(model, value) is None:
                errors[key] = _l("Unknown %(what)s.", what=label)
            else:
                cleaned[key] = value

    if "references" in payload or not partial:
        cleaned_references, reference_error = _clean_references(payload.get("references") or [])
        if reference_error:
            errors["references"] = reference_error
        else:
            cleaned["references"] = cleaned_references

    if "fields" in payload or not partial:
        spec = TYPES.get(type_code)
        answers = payload.get("fields") or {}
        if not isinstance(answers, dict):
            errors["fields"] = _l("The type-specific fields must be an object.")
        elif spec is not None:
            cleaned_fields, field_errors = clean_fields(spec, answers)
            errors.update({f"fields.{name}": message for name, message in field_errors.items()})
            cleaned["fields"] = cleaned_fields

    if errors:
        raise Invalid(ANSWERS_NOT_VALID, fields=errors)
    return cleaned


def _clean_references(references):
    if not isinstance(references, list) or len(references) > MAX_REFERENCES:
        return None, _l("Give at most %(count)d references.", count=MAX_REFERENCES)
    cleaned = []
    for position, reference in enumerate(references, start=1):
        if isinstance(reference, str):
            reference = {"url": reference}
        if not isinstance(reference, dict):
            return None, _l("Reference %(n)d must be a URL.", n=position)
        url = (reference.get("url") or "").strip()
        title = clean_plain_text(reference.get("title") or "", multiline=False)
        if not url:
            continue
        if len(title) > REFERENCE_TITLE_MAX:
            # Refused, never cut: a shortened title would be stored as if the author had typed it.
            return None, _l("The title of reference %(n)d is longer than %(count)d characters.", n=position, count=REFERENCE_TITLE_MAX)
        if not valid_url(url) or len(url) > 2000:
            return None, _l("Reference %(n)d is not a valid http(s) address.", n=position)
        cleaned.append({"url": url, "title": title})
    return cleaned, None


def clean_fields(spec, answers):
    """Clean the type-specific answers; unknown keys are refused, empty ones dropped (an empty list stays: it reads back as sent)."""
    cleaned, errors = {}, {}
    for name in answers:
        if spec.field(name) is None:
            errors[name] = _l("Not a field of this contribution type.")
    for field in spec.fields:
        if field.name not in answers:
            continue
        value, error = _clean_value(field, answers[field.name])
        if error:
            errors[field.name] = error
        elif value is not None and value != "":
            cleaned[field.name] = value
    return cleaned, errors


def _clean_value(field, value):
    if value is None or value == "":
        return None, None
    if value == []:
        return ([], None) if field.kind in ("multi_choice", "contribution_refs") else (None, None)
    kind = field.kind
    if kind in ("text", "long_text"):
        if not isinstance(value, str):
            return None, _l("Must be text.")
        text = clean_plain_text(value, multiline=kind == "long_text")
        if field.max and len(text) > field.max:
            return None, _l("At most %(count)d characters.", count=field.max)
        return text, None
    if kind == "choice":
        allowed = [choice for choice, _label in field.choices]
        if value not in allowed:
            return None, _l("Choose one of: %(choices)s.", choices=", ".join(allowed))
        return value, None
    if kind == "multi_choice":
        allowed = [choice for choice, _label in field.choices]
        if not isinstance(value, list) or any(item not in allowed for item in value):
            return None, _l("Choose among: %(choices)s.", choices=", ".join(allowed))
        return [choice for choice in allowed if choice in value], None
    if kind == "integer":
        if isinstance(value, str) and value.strip().lstrip("-").isdecimal() and len(value) < 20:
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool):
            return None, _l("Must be a whole number.")
        if (field.min is not None and value < field.min) or (field.max is not None and value > field.max):
            return None, _l("Must be between %(min)d and %(max)d.", min=field.min, max=field.max)
        return value, None
    if kind == "url":
        if not isinstance(value, str) or not valid_url(value.strip()) or len(value) > (field.max or 2000):
            return None, _l("Must be a web address starting with http:// or https://.")
        return value.strip(), None
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat(), None
        except (TypeError, ValueError):
            return None, _l("Must be a date as YYYY-MM-DD.")
    if kind == "contribution_refs":
        if not isinstance(value, list) or not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
            return None, _l("Give a list of contribution ids.")
        return _check_references_to_contributions(field, list(dict.fromkeys(value)))
    return None, _l("Unsupported field.")


def _check_references_to_contributions(field, ids):
    from app.contributions.models import Contribution

    if not ids:
        return [], None
    rows = db.session.execute(sa.select(Contribution.id, Contribution.type).where(Contribution.id.in_(ids))).all()
    found = {row.id: row.type for row in rows}
    wrong = [str(item) for item in ids if found.get(item) != field.refers_to]
    if wrong:
        return None, _l("Not a %(type)s contribution: %(ids)s", type=field.refers_to, ids=", ".join(wrong))
    return ids, None


def missing_fields(contribution):
    """Required answers still missing, as {field name: message}; empty when complete."""
    missing = {}
    required = _l("Required before submitting.")
    if not contribution.title:
        missing["title"] = required
    if not contribution.summary or not contribution.summary.strip():
        missing["summary"] = required
    if not contribution.areas:
        missing["thematic_areas"] = _l("Choose at least one thematic area.")
    spec = TYPES[contribution.type]
    for field in spec.fields:
        if field.required and contribution.fields.get(field.name) in (None, "", []):
            missing[f"fields.{field.name}"] = required
    if spec.requires_projects and not contribution.projects:
        missing["project_ids"] = _l("Link at least one source project.")
    return {name: str(message) for name, message in missing.items()}
