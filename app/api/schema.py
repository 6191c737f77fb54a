"""The API's one schema layer (pydantic): request checks, response shapes and the OpenAPI schemas come from the same classes.

A request class (`Body`, `Query`) checks the JSON types and the presence of what
the request needs; a response class (`Answer`) is what a handler's answer is put
through before it leaves, so an answer can carry nothing the document does not
list. The rules about values that the HTML forms share (choices, lengths, URLs,
existing ids) stay in the services, which report every field at once; the
classes declare them for the document only, with `documented(...)`, drawing the
choices from the models so they cannot drift.

pydantic speaks JSON Schema 2020-12; `openapi_schemas` rewrites what it says
into the OpenAPI 3.0 dialect (nullable, no titles or defaults, components).
"""

import copy
from datetime import UTC, datetime
from typing import Annotated

from flask import request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, ValidationError, WithJsonSchema
from pydantic.json_schema import models_json_schema
from pydantic_core import PydanticCustomError

from app.api.body import json_object
from app.converters import MAX_ID
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.service_errors import Invalid
from app.timeutil import as_utc

REF_TEMPLATE = "#/components/schemas/{model}"


# --- base classes ------------------------------------------------------------------------------


class Body(BaseModel):
    """A JSON request body: strict JSON types (no "5" for 5, no true for 1); fields it does not name are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class Query(BaseModel):
    """Query-string arguments: text converted to the declared types; an empty value counts as absent."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Answer(BaseModel):
    """A response body: exactly the listed fields; optional ones appear only when the handler gives them."""

    model_config = ConfigDict(extra="forbid")


def documented(schema_type, **keywords):
    """A value whose rule lives in a service (shared with the forms): its type is checked here, the rest only documented."""
    return Annotated[schema_type, Field(json_schema_extra=keywords)]


# --- value types --------------------------------------------------------------------------------


def _utc(moment):
    return as_utc(moment).astimezone(UTC)  # naive ones (SQLite) are UTC; aware ones are written in UTC


# Stored times are UTC, but SQLite hands them back without a zone: always sent with the offset.
Timestamp = Annotated[
    datetime,
    AfterValidator(_utc),
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "ISO 8601 date and time in UTC"}),
]


def one_of(values, **keywords):
    """Text that must be one of `values` (a model's tuple or dict of choices)."""
    values = list(values)

    def check(value):
        if value not in values:
            raise PydanticCustomError("choice", "Choose one of: {choices}.", {"choices": ", ".join(values)})
        return value

    return Annotated[str, AfterValidator(check), WithJsonSchema({"type": "string", "enum": values, **keywords})]


def _not_blank(value):
    if not value.strip():
        raise PydanticCustomError("missing", "Required.")
    return value


# Text that must say something: blank counts as missing.
NonBlank = Annotated[str, AfterValidator(_not_blank), WithJsonSchema({"type": "string", "minLength": 1})]


def _record_id(value):
    if not 1 <= value <= MAX_ID:
        raise PydanticCustomError("record_id", "Must be an id (a positive integer).")
    return value


# An id in a query string: a positive integer a row can have.
RecordId = Annotated[int, AfterValidator(_record_id), WithJsonSchema({"type": "integer", "minimum": 1})]


def _clamped(low, high):
    return AfterValidator(lambda value: min(max(value, low), high))


class PageQuery(Query):
    """page and per_page: out of range, the nearest allowed value (so the row offset fits the database's integers)."""

    page: Annotated[int, _clamped(1, MAX_ID), WithJsonSchema({"type": "integer", "minimum": 1})] = Field(
        1, description="Beyond the last page: an empty page"
    )
    per_page: Annotated[int, _clamped(1, 100), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 100})] = 20


# --- the error messages, translated ----------------------------------------------------------------

_MESSAGES = {
    "missing": _l("Required."),
    "string_type": _l("Must be text."),
    "int_type": _l("Must be an integer."),
    "int_parsing": _l("Must be an integer."),
    "int_from_float": _l("Must be an integer."),
    "bool_type": _l("Must be true or false."),
    "bool_parsing": _l("Must be true or false."),
    "list_type": _l("Must be a list."),
    "dict_type": _l("Must be an object."),
    "model_type": _l("Must be an object."),
    "model_attributes_type": _l("Must be an object."),
    "extra_forbidden": _l("Not a field you can change."),
    "date_type": _l("Must be a date as YYYY-MM-DD."),
    "date_parsing": _l("Must be a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": _l("Must be a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": _l("Must be a date as YYYY-MM-DD."),
    "record_id": _l("Must be an id (a positive integer)."),
}


def _message(error):
    if error["type"] == "choice":
        return _("Choose one of: %(choices)s.", choices=error["ctx"]["choices"])
    return str(_MESSAGES.get(error["type"], _l("Not a valid value.")))


def field_messages(error: ValidationError):
    """{field: message} for a validation error; fields within objects as dotted paths (scores.relevance).

    A problem inside a list is told on the list, naming the entry, as the
    services tell theirs (references: "Entry 2: Must be text.").
    """
    fields: dict[str, str] = {}
    for item in error.errors():
        place, entry = [], None
        for part in item["loc"]:
            if isinstance(part, int):
                entry = part + 1
                break
            place.append(str(part))
        message = _message(item)
        if entry is not None:
            message = _("Entry %(number)d: %(problem)s", number=entry, problem=message)
        fields.setdefault(".".join(place) or "body", message)
    return fields


# --- reading requests, writing answers ------------------------------------------------------------


def read_body(model):
    """The request's JSON object checked against `model`: 413 when too large, 422 naming the fields otherwise."""
    body = json_object()
    if body is None:
        raise Invalid(_("The body must be a JSON object."))
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise Invalid(_("Invalid input."), field_messages(error)) from None


def body_values(model):
    """read_body as the dict the services take: only the fields the caller sent."""
    return read_body(model).model_dump(exclude_unset=True, by_alias=True)


def read_query(model):
    """The query string checked against `model`; lists for list fields (a name repeated), empty values left out."""
    values = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if _is_list(field.annotation):
            found = [value for value in request.args.getlist(key) if value != ""]
        else:
            found = request.args.get(key)
        if found not in (None, "", []):
            values[key] = found
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise Invalid(_("Invalid input."), field_messages(error)) from None


def _is_list(annotation):
    return getattr(annotation, "__origin__", None) is list or (
        getattr(annotation, "__args__", None) and any(getattr(arg, "__origin__", None) is list for arg in annotation.__args__)
    )


def dump(model, data):
    """`data` put through the response class: the JSON the client receives (a shape the document does not list fails here)."""
    return model.model_validate(data).model_dump(mode="json", exclude_unset=True, by_alias=True)


# --- the OpenAPI 3.0 schemas ------------------------------------------------------------------------


def openapi_schemas(models):
    """{component name: OpenAPI 3.0 schema} for the classes and every class they use."""
    _refs, definitions = models_json_schema([(model, "validation") for model in models], ref_template=REF_TEMPLATE)
    definitions = definitions.get("$defs", {})
    return {name: _openapi30(schema, definitions) for name, schema in definitions.items()}


def query_parameters(model):
    """The OpenAPI query parameters of a query class (repeatable ones as arrays)."""
    schema = openapi_schemas([model])[model.__name__]
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        parameter = {"name": name, "in": "query", "schema": prop}
        if prop.get("type") == "array":
            parameter.update(style="form", explode=True)
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _openapi30(schema, definitions):
    """JSON Schema 2020-12 as pydantic writes it, in OpenAPI 3.0's dialect."""
    if isinstance(schema, list):
        return [_openapi30(item, definitions) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = dict(schema)
    options = schema.get("anyOf")
    if options and {"type": "null"} in options and len(options) == 2:
        schema.pop("anyOf")
        (inner,) = [option for option in options if option != {"type": "null"}]
        if "$ref" in inner:
            # 3.0 ignores keywords beside $ref: the object is written out where it may be null.
            inner = copy.deepcopy(definitions[inner["$ref"].rsplit("/", 1)[-1]])
        schema = {**inner, **schema, "nullable": True}
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    result = {}
    for key, value in schema.items():
        if key in ("title", "default") and not isinstance(value, dict):
            continue
        if key == "properties":
            result[key] = {name: _openapi30(item, definitions) for name, item in value.items()}
        elif key == "additionalProperties" and value is True:
            continue
        else:
            result[key] = _openapi30(value, definitions)
    return result
