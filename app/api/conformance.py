"""Under TESTING, every API answer is checked against /api/v1/openapi.json as it leaves (issue 9, acceptance 4).

The check reads the generated document the way a client would, with
jsonschema-rs (a test dependency, hence imported only here, only when testing):
the status must be documented for the operation, the content type too, and the
body valid against the documented schema, formats included. An answer that is
not raises, so the test whose request produced it fails at that request
(the app propagates exceptions when testing).
"""

import functools
import re

from flask import current_app, request

from app.api.blueprint import bp
from app.api.openapi import openapi_document

PREFIX = "/api/v1"


class UndocumentedAnswer(AssertionError):
    """An API answer the OpenAPI document does not describe."""


@bp.after_request
def check_answer_against_the_document(response):
    if current_app.testing and current_app.config.get("API_CHECK_ANSWERS", True):
        problems = problems_with(response)
        if problems:
            raise UndocumentedAnswer(
                f"{request.method} {request.path} answered {response.status_code} unlike the document:\n" + "\n".join(problems)
            )
    return response


def openapi_path(rule):
    """/api/v1/contributions/<id:contribution_id> -> /contributions/{contribution_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule[len(PREFIX) :])


def problems_with(response):
    """What differs between the answer to the current request and the document; empty when it conforms."""
    if request.url_rule is None or request.method in ("HEAD", "OPTIONS"):
        return []  # no route matched (404, 405): no operation to compare with
    document = openapi_document()
    operations = document["paths"].get(openapi_path(request.url_rule.rule))
    if operations is None or request.method.lower() not in operations:
        return [f"{request.method} {request.url_rule.rule} is not in the document"]
    responses = operations[request.method.lower()]["responses"]
    documented = responses.get(str(response.status_code))
    if documented is None:
        return [f"status {response.status_code} is not documented (documented: {sorted(responses)})"]
    if "$ref" in documented:
        documented = document["components"]["responses"][documented["$ref"].rsplit("/", 1)[-1]]
    content = documented.get("content") or {}
    if not content:
        return [] if not response.get_data() else [f"status {response.status_code} is documented without a body"]
    if response.mimetype not in content:
        return [f"content type {response.mimetype!r} is not documented (documented: {sorted(content)})"]
    validator = _validator(request.url_rule.rule, request.method, str(response.status_code), response.mimetype)
    body = response.get_json(silent=True)
    return [f"{'/'.join(map(str, error.instance_path)) or 'body'}: {error.message}" for error in validator.iter_errors(body)]


@functools.cache
def _validator(rule, method, status, mimetype):
    import jsonschema_rs  # a test dependency: this module checks answers only when testing

    document = openapi_document()
    documented = document["paths"][openapi_path(rule)][method.lower()]["responses"][status]
    if "$ref" in documented:
        documented = document["components"]["responses"][documented["$ref"].rsplit("/", 1)[-1]]
    schema = as_json_schema(documented["content"][mimetype]["schema"], document)
    return jsonschema_rs.Draft4Validator(schema, validate_formats=True)


def as_json_schema(schema, document):
    """An OpenAPI 3.0 schema as plain JSON Schema (draft 4): references inlined, nullable as a null type."""
    if isinstance(schema, list):
        return [as_json_schema(item, document) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        _hash, *parts = schema["$ref"].split("/")
        target = document
        for part in parts:
            target = target[part]
        return as_json_schema(target, document)
    result = {key: as_json_schema(value, document) for key, value in schema.items() if key not in ("nullable", "properties")}
    if "properties" in schema:
        result["properties"] = {name: as_json_schema(value, document) for name, value in schema["properties"].items()}
    if schema.get("nullable"):
        result["type"] = [result["type"], "null"]
        if "enum" in result:
            result["enum"] = [*result["enum"], None]
    return result
