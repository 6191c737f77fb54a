"""The OpenAPI 3 document at /api/v1/openapi.json.

Every API route is described here, with every status it answers and the exact
shape of each body (tests/api/test_openapi.py checks the routes,
tests/api/test_openapi_conformance.py the shapes, tests/api/test_schemathesis.py
fuzzes the lot as each role). Value lists come from the models, so they cannot drift.
"""
from app.auth.models import ROLES
from app.background.models import JOB_STATES
from app.contributions.models import STATES as CONTRIBUTION_STATES
from app.contributions.types import FIELD_KINDS, TYPES
from app.reports.models import FILE_FORMATS, ITEM_STATUSES
from app.reports.models import KINDS as REPORT_KINDS
from app.reports.models import STATES as REPORT_STATES
from app.reviews.models import RECOMMENDATIONS, SCORES

# --- building blocks ------------------------------------------------------------------------

# What each error status means here; every error answers {"error", "fields"?} (schema Error).
ERROR_MEANINGS = {
    "401": "No bearer token where one is required, or a token that is malformed, unknown or revoked (on any endpoint)",
    "403": "The caller's role or relation to the resource does not allow this",
    "404": "No such resource, or one the caller may not see",
    "409": "The resource is not in a state that allows this, or it changed since it was read (version)",
    "413": "The request body is larger than the API accepts",
    "422": "Invalid input; `fields` names what is wrong, by field or place in the body",
    "429": "Too many failed sign-ins from this address or for this account; try again in a minute",
}


def _errors(*codes):
    """Error responses by status code. 401 is always possible: a bad token is refused everywhere."""
    return {code: {"$ref": f"#/components/responses/Error{code}"} for code in sorted({"401", *codes})}


def _json(schema):
    return {"application/json": {"schema": schema}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema):
    return {**schema, "nullable": True}


def _object(properties, required=(), **extra):
    return {"type": "object", "required": list(required), "properties": properties, **extra}


def _list_of(schema_name):
    return _object(
        {
            "items": {"type": "array", "items": _ref(schema_name)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
        },
        required=["items", "page", "per_page", "total"],
    )


def _path_param(name, schema_type="integer", description=""):
    schema = {"type": schema_type, "minimum": 1} if schema_type == "integer" else {"type": schema_type}
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def _body(schema):
    return {"required": True, "content": _json(schema)}


def _answer(description, schema_name):
    return {"description": description, "content": _json(_ref(schema_name))}


_ID = {"type": "integer"}
_TEXT = {"type": "string"}
_DATE = _nullable({"type": "string", "format": "date"})
# ISO 8601 (RFC 3339) in UTC, always with its offset.
_TIMESTAMP = {"type": "string", "format": "date-time", "description": "ISO 8601 date and time in UTC"}
_STRINGS = {"type": "array", "items": _TEXT}
_IDS = {"type": "array", "items": _ID}
_PAGE = {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}, "description": "Beyond the last page: an empty page"}
_PER_PAGE = {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}

# --- accounts and reference data -------------------------------------------------------------

PATHS = {
    "/tokens": {
        "post": {
            "summary": "Issue a bearer token for a user's e-mail and password",
            "security": [],
            "tags": ["accounts"],
            "requestBody": _body(
                _object(
                    {
                        "email": {"type": "string", "format": "email"},
                        "password": _TEXT,
                        "name": {"type": "string", "description": "What the token is for"},
                    },
                    required=["email", "password"],
                )
            ),
            "responses": {
                "201": {"description": "The token, shown once", "content": _json(_object({"token": _TEXT}, required=["token"]))},
                **_errors("413", "422", "429"),
            },
        }
    },
    "/me": {
        "get": {
            "summary": "The caller",
            "tags": ["accounts"],
            "responses": {"200": _answer("The caller", "User"), **_errors()},
        }
    },
    "/thematic-areas": {
        "get": {
            "summary": "The CERIS thematic areas",
            "security": [{}, {"bearerAuth": []}],
            "tags": ["reference"],
            "responses": {"200": {"description": "The areas", "content": _json(_list_of("ThematicArea"))}, **_errors()},
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [{}, {"bearerAuth": []}],
            "tags": ["reference"],
            "responses": {"200": {"description": "OpenAPI 3 document", "content": _json({"type": "object"})}, **_errors()},
        }
    },
}

SCHEMAS = {
    "Error": _object(
        {
            "error": _TEXT,
            "fields": {
                "type": "object",
                "additionalProperties": _TEXT,
                "description": "Per-field messages, for validation errors only; nested places as dotted paths (references.0.url)",
            },
        },
        required=["error"],
    ),
    "ThematicArea": _object({"code": _TEXT, "name": _TEXT}, required=["code", "name"]),
    "User": _object(
        {
            "id": _ID,
            "email": {"type": "string", "format": "email"},
            "name": _TEXT,
            "roles": {"type": "array", "items": {"type": "string", "enum": list(ROLES)}},
            "areas": _STRINGS,
            "organisation": _TEXT,
            "networks": {"type": "array", "items": _object({"id": _ID, "name": _TEXT, "kind": _TEXT}, required=["id", "name", "kind"])},
        },
        required=["id", "email", "name", "roles", "areas", "organisation", "networks"],
    ),
}


# --- reports and background jobs ------------------------------------------------------------

_REPORT_ID = _path_param("report_id", description="The report's id")
_REPORT_KIND = {"type": "string", "enum": list(REPORT_KINDS)}
_REPORT_RESPONSE = _answer("The report", "Report")

PATHS.update(
    {
        "/reports": {
            "get": {
                "summary": "Reports the caller may see: published ones (public), plus the drafts of the caller's areas (editors)",
                "security": [{}, {"bearerAuth": []}],
                "tags": ["reports"],
                "parameters": [
                    {"name": "area", "in": "query", "schema": _TEXT, "description": "Thematic area code"},
                    {"name": "kind", "in": "query", "schema": _REPORT_KIND},
                    {"name": "state", "in": "query", "schema": {"type": "string", "enum": list(REPORT_STATES)}},
                    _PAGE,
                    _PER_PAGE,
                ],
                "responses": {"200": {"description": "A page of reports (without sections)", "content": _json(_list_of("Report"))}, **_errors("422")},
            },
            "post": {
                "summary": "Create a draft report with the sections of its kind's template (editors, in their areas; admins)",
                "tags": ["reports"],
                "requestBody": _body(_ref("ReportInput")),
                "responses": {"201": _REPORT_RESPONSE, **_errors("403", "413", "422")},
            },
        },
        "/reports/{report_id}": {
            "parameters": [_REPORT_ID],
            "get": {
                "summary": "A report. Editors of its areas see the draft with suggestions; everyone else its latest published version",
                "security": [{}, {"bearerAuth": []}],
                "tags": ["reports"],
                "responses": {"200": _REPORT_RESPONSE, **_errors("404")},
            },
            "patch": {
                "summary": "Change title, thematic areas or period; changing a published report starts its next version",
                "tags": ["reports"],
                "requestBody": _body(_ref("ReportChange")),
                "responses": {"200": _REPORT_RESPONSE, **_errors("403", "404", "409", "413", "422")},
            },
        },
        "/reports/{report_id}/sections/{section_id}/items": {
            "parameters": [_REPORT_ID, _path_param("section_id", description="The section's id")],
            "post": {
                "summary": "Include, exclude or move one contribution in a section (position: 1 = first among the included)",
                "tags": ["reports"],
                "requestBody": _body(
                    _object(
                        {
                            "contribution_id": _ID,
                            "status": {"type": "string", "enum": list(ITEM_STATUSES)},
                            "position": {"type": "integer", "minimum": 1},
                        },
                        required=["contribution_id", "status"],
                    )
                ),
                "responses": {"200": _REPORT_RESPONSE, **_errors("403", "404", "409", "413", "422")},
            },
        },
        "/reports/{report_id}/publish": {
            "parameters": [_REPORT_ID],
            "post": {
                "summary": "Freeze the report and build and publish its next version (HTML, PDF, JSON) in a background job",
                "tags": ["reports"],
                "responses": {
                    "202": {
                        "description": "The build is queued; follow it at /jobs/{job_id} (also in the Location header)",
                        "content": _json(_object({"job_id": _TEXT}, required=["job_id"])),
                    },
                    **_errors("403", "404", "409"),
                },
            },
        },
        "/jobs/{job_id}": {
            "parameters": [_path_param("job_id", "string", "The job's id, as publish returned it")],
            "get": {
                "summary": "A background job: state and progress (its creator, admins, editors of its report)",
                "tags": ["jobs"],
                "responses": {"200": _answer("The job", "Job"), **_errors("404")},
            },
        },
    }
)

_FORMATS = list(FILE_FORMATS)
SCHEMAS.update(
    {
        "ReportInput": _object(
            {
                "kind": _REPORT_KIND,
                "title": {"type": "string", "maxLength": 300},
                "thematic_areas": {**_STRINGS, "minItems": 1},
                "period_start": _DATE,
                "period_end": _DATE,
            },
            required=["kind", "title", "thematic_areas"],
        ),
        "ReportChange": _object(
            {
                "title": {"type": "string", "maxLength": 300},
                "thematic_areas": {**_STRINGS, "minItems": 1},
                "period_start": _DATE,
                "period_end": _DATE,
            },
            additionalProperties=False,
        ),
        "ReportItem": _object(
            {
                "contribution_id": _ID,
                "title": _TEXT,
                "type": _TEXT,
                "network": _nullable(_TEXT),
                "status": {"type": "string", "enum": list(ITEM_STATUSES)},
                "position": _nullable({"type": "integer", "minimum": 1, "description": "Order among the included items (1 = first)"}),
                "accepted": {"type": "boolean", "description": "Editors: false once the contribution was re-opened; it is then left out"},
                "note": {"type": "string", "description": "Editors: why the item is out of the report"},
            },
            required=["contribution_id", "title", "type", "network", "status", "position"],
        ),
        "ReportSection": _object(
            {
                "id": _ID,
                "position": _ID,
                "heading": _TEXT,
                "synthesis": {"type": "string", "description": "Sanitised HTML"},
                "criteria": _object(
                    {
                        "draws_contributions": {"type": "boolean"},
                        "areas": _STRINGS,
                        "types": {**_STRINGS, "description": "Empty: every type"},
                        "period_start": _DATE,
                        "period_end": _DATE,
                        "workshop_id": _nullable(_ID),
                        "network_id": _nullable(_ID),
                    },
                    required=["draws_contributions", "areas", "types", "period_start", "period_end", "workshop_id", "network_id"],
                    description="Editors only: which contributions the section draws",
                ),
                "items": {"type": "array", "items": _ref("ReportItem")},
            },
            required=["id", "position", "heading", "synthesis", "items"],
        ),
        "ReportVersion": _object(
            {
                "version": _ID,
                "title": _TEXT,
                "published_at": _TIMESTAMP,
                "files": _object(
                    {fmt: {"type": "string", "format": "uri"} for fmt in _FORMATS},
                    required=_FORMATS,
                    description="Public download URLs; the files never change",
                ),
                "sha256": _object({fmt: _nullable(_TEXT) for fmt in _FORMATS}, required=_FORMATS),
            },
            required=["version", "title", "published_at", "files", "sha256"],
        ),
        "Report": _object(
            {
                "id": _ID,
                "kind": _REPORT_KIND,
                "title": _TEXT,
                "thematic_areas": _STRINGS,
                "period_start": _DATE,
                "period_end": _DATE,
                "state": {"type": "string", "enum": list(REPORT_STATES), "description": "Always published for those who may not edit it"},
                "version": {"type": "integer", "description": "The version being prepared, or the last published"},
                "url": {"type": "string", "format": "uri"},
                "build_error": _nullable({"type": "string", "description": "Editors only: why the last build failed"}),
                "build_job_id": _nullable({"type": "string", "description": "Editors only"}),
                "sections": {"type": "array", "items": _ref("ReportSection"), "description": "Not in lists"},
                "versions": {"type": "array", "items": _ref("ReportVersion")},
            },
            required=["id", "kind", "title", "thematic_areas", "period_start", "period_end", "state", "version", "url", "versions"],
        ),
        "Job": _object(
            {
                "id": _TEXT,
                "kind": _TEXT,
                "state": {"type": "string", "enum": list(JOB_STATES)},
                "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                "error": _nullable(_TEXT),
                "subject": _nullable(_object({"type": _TEXT, "id": _nullable(_ID)}, required=["type", "id"])),
                "result": {"type": "object"},
                "created_at": _TIMESTAMP,
                "updated_at": _TIMESTAMP,
            },
            required=["id", "kind", "state", "progress", "error", "subject", "result", "created_at", "updated_at"],
        ),
    }
)


# --- contributions, workflow and reviews ------------------------------------------------------

_CONTRIBUTION_ID = _path_param("contribution_id", description="The contribution's id")
_CONTRIBUTION_RESPONSE = _answer("The contribution", "Contribution")
_CONTRIBUTION_TYPE = {"type": "string", "enum": list(TYPES)}
_REFERENCE = _object({"url": {"type": "string", "format": "uri", "maxLength": 2000}, "title": {"type": "string", "maxLength": 300}}, required=["url"])
_CONTRIBUTION_INPUT = {
    "type": _CONTRIBUTION_TYPE,
    "title": {"type": "string", "maxLength": 300},
    "thematic_areas": _STRINGS,
    "summary": {"type": "string", "description": "HTML, sanitised against the allow-list in app/sanitising.py"},
    "fields": {"type": "object", "description": "Type-specific answers; see GET /contribution-types"},
    "project_ids": _IDS,
    "workshop_id": _nullable(_ID),
    "network_id": _nullable(_ID),
    "references": {"type": "array", "items": _REFERENCE},
}

PATHS.update(
    {
        "/contribution-types": {
            "get": {
                "summary": "The six contribution types and their fields",
                "security": [{}, {"bearerAuth": []}],
                "tags": ["contributions"],
                "responses": {"200": {"description": "The types", "content": _json(_list_of("ContributionType"))}, **_errors()},
            }
        },
        "/contributions": {
            "get": {
                "summary": "Contributions the caller may open, filtered, searched and paginated",
                "tags": ["contributions"],
                "parameters": [
                    {"name": name, "in": "query", "schema": schema, **({"description": description} if description else {})}
                    for name, schema, description in (
                        ("state", {"type": "string", "enum": list(CONTRIBUTION_STATES)}, "Repeat for several"),
                        ("type", _CONTRIBUTION_TYPE, "Repeat for several"),
                        ("area", _TEXT, "Thematic area code; repeat for several"),
                        ("network", {"type": "integer", "minimum": 1}, "Network id"),
                        ("workshop", {"type": "integer", "minimum": 1}, "Workshop id"),
                        ("from", {"type": "string", "format": "date"}, "Created on or after"),
                        ("to", {"type": "string", "format": "date"}, "Created on or before"),
                        ("q", _TEXT, "Full text over title, summary and fields"),
                        ("sort", {"type": "string", "enum": ["newest", "oldest", "updated", "title"]}, ""),
                    )
                ]
                + [_PAGE, _PER_PAGE],
                "responses": {"200": {"description": "A page of contributions", "content": _json(_list_of("ContributionSummary"))}, **_errors("422")},
            },
            "post": {
                "summary": "Create a draft (contributors); incomplete is fine, invalid is not",
                "tags": ["contributions"],
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,64}$"},
                        "description": "Optional. Sent again with the same key, the request creates nothing and answers 200 with the draft the first one created.",
                    }
                ],
                "requestBody": _body(_object(_CONTRIBUTION_INPUT, required=["type", "title"])),
                "responses": {"201": _CONTRIBUTION_RESPONSE, "200": _CONTRIBUTION_RESPONSE, **_errors("403", "413", "422")},
            },
        },
        "/contributions/{contribution_id}": {
            "parameters": [_CONTRIBUTION_ID],
            "get": {
                "summary": "One contribution (404 when the caller may not open it)",
                "tags": ["contributions"],
                "responses": {"200": _CONTRIBUTION_RESPONSE, **_errors("404")},
            },
            "patch": {
                "summary": "Edit (author only, as a draft or when changes are requested); after submission every edit makes a new revision",
                "tags": ["contributions"],
                "requestBody": _body(
                    _object({**_CONTRIBUTION_INPUT, "version": {"type": "integer", "description": "The version read; 409 when it changed since"}})
                ),
                "responses": {"200": _CONTRIBUTION_RESPONSE, **_errors("403", "404", "409", "413", "422")},
            },
        },
        "/contributions/{contribution_id}/transitions": {
            "parameters": [_CONTRIBUTION_ID],
            "post": {
                "summary": "Apply a workflow transition (workflows/contribution.toml)",
                "tags": ["workflow"],
                "requestBody": _body(
                    _object({"transition": _TEXT, "comment": _TEXT, "version": _ID}, required=["transition"])
                ),
                "responses": {"200": _CONTRIBUTION_RESPONSE, **_errors("403", "404", "409", "413", "422")},
            }
        },
        "/contributions/{contribution_id}/reviewers": {
            "parameters": [_CONTRIBUTION_ID],
            "post": {
                "summary": "Assign a reviewer, or top up automatically (editors of the contribution's areas)",
                "tags": ["workflow"],
                "requestBody": _body(_object({"user_id": _ID, "auto": {"type": "boolean"}})),
                "responses": {
                    "201": _answer("Reviewers were assigned", "ContributionWithAssignments"),
                    "200": _answer("Nothing to assign: the reviewers were there already", "ContributionWithAssignments"),
                    **_errors("403", "404", "409", "413", "422"),
                },
            }
        },
        "/contributions/{contribution_id}/reviews": {
            "parameters": [_CONTRIBUTION_ID],
            "post": {
                "summary": "Write or update the caller's review of the current revision (assigned reviewers)",
                "tags": ["workflow"],
                "requestBody": _body(_ref("ReviewInput")),
                "responses": {
                    "201": _answer("The review", "Review"),
                    "200": _answer("The updated review", "Review"),
                    **_errors("403", "404", "409", "413", "422"),
                },
            }
        },
    }
)

_SCORES = _object({name: {"type": "integer", "minimum": 1, "maximum": 5} for name in SCORES}, required=list(SCORES))
_CONTRIBUTION_SUMMARY = {
    "id": _ID,
    "type": _CONTRIBUTION_TYPE,
    "title": _TEXT,
    "thematic_areas": _STRINGS,
    "state": {"type": "string", "enum": list(CONTRIBUTION_STATES)},
    "revision": _ID,
    "version": _ID,
    "author_id": _ID,
    "network_id": _nullable(_ID),
    "workshop_id": _nullable(_ID),
    "created_at": _TIMESTAMP,
    "updated_at": _TIMESTAMP,
}
_CONTRIBUTION_FULL = {
    **_CONTRIBUTION_SUMMARY,
    "summary": _TEXT,
    "fields": {"type": "object"},
    "references": {"type": "array", "items": _object({"url": _TEXT, "title": _TEXT}, required=["url", "title"])},
    "project_ids": _IDS,
    "submitted_at": _nullable(_TIMESTAMP),
    "missing": {"type": "object", "additionalProperties": _TEXT, "description": "Required answers still missing (while editable)"},
    "allowed_transitions": {**_STRINGS, "description": "What the caller may do next"},
    "attachments": {
        "type": "array",
        "items": _object(
            {"id": _ID, "filename": _TEXT, "content_type": _TEXT, "size": {"type": "integer", "minimum": 0}},
            required=["id", "filename", "content_type", "size"],
        ),
    },
    "history": {
        "type": "array",
        "items": _object(
            {
                "transition": _TEXT,
                "from": {"type": "string", "enum": list(CONTRIBUTION_STATES)},
                "to": {"type": "string", "enum": list(CONTRIBUTION_STATES)},
                "actor": _nullable(_ID),
                "at": _TIMESTAMP,
                "comment": _TEXT,
                "revision": _nullable(_ID),
            },
            required=["transition", "from", "to", "actor", "at", "comment", "revision"],
        ),
    },
    "reviewers": {**_IDS, "description": "Editors and admins only"},
    "reviews": {"type": "array", "items": _ref("Review"), "description": "Those the caller may read; absent when none"},
}

SCHEMAS.update(
    {
        "ContributionType": _object(
            {
                "code": _TEXT,
                "name": _TEXT,
                "description": _TEXT,
                "requires_projects": {"type": "boolean"},
                "fields": {
                    "type": "array",
                    "items": _object(
                        {
                            "name": _TEXT,
                            "label": _TEXT,
                            "help": _TEXT,
                            "kind": {"type": "string", "enum": list(FIELD_KINDS)},
                            "required": {"type": "boolean"},
                            "choices": {"type": "array", "items": _object({"value": _TEXT, "label": _TEXT}, required=["value", "label"])},
                            "min": _nullable(_ID),
                            "max": _nullable(_ID),
                            "refers_to": {"type": "string", "description": "contribution_refs only: the type referred to"},
                        },
                        required=["name", "label", "help", "kind", "required", "choices", "min", "max"],
                    ),
                },
            },
            required=["code", "name", "description", "requires_projects", "fields"],
        ),
        "ContributionSummary": _object(_CONTRIBUTION_SUMMARY, required=list(_CONTRIBUTION_SUMMARY)),
        "Contribution": _object(_CONTRIBUTION_FULL, required=[name for name in _CONTRIBUTION_FULL if name not in ("reviewers", "reviews")]),
        "ContributionWithAssignments": _object(
            {**_CONTRIBUTION_FULL, "assigned": {**_IDS, "description": "The reviewers this call assigned"}},
            required=[name for name in _CONTRIBUTION_FULL if name not in ("reviewers", "reviews")] + ["assigned"],
        ),
        "ReviewInput": _object(
            {
                "recommendation": {"type": "string", "enum": list(RECOMMENDATIONS)},
                "scores": _SCORES,
                "comment_to_author": _TEXT,
                "confidential_comment": {"type": "string", "description": "For the editors only"},
            },
            required=["recommendation", "scores"],
        ),
        "Review": _object(
            {
                "id": _ID,
                "label": _TEXT,
                "revision": _ID,
                "recommendation": {"type": "string", "enum": list(RECOMMENDATIONS)},
                "scores": _SCORES,
                "average": {"type": "number"},
                "comment_to_author": _TEXT,
                "updated_at": _TIMESTAMP,
                "reviewer_id": {"type": "integer", "description": "Not shown to authors"},
                "reviewer_name": {"type": "string", "description": "Not shown to authors"},
                "confidential_comment": {"type": "string", "description": "Not shown to authors"},
            },
            required=["id", "label", "revision", "recommendation", "scores", "average", "comment_to_author", "updated_at"],
        ),
    }
)


def openapi_document():
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CERIS Exchange API",
            "version": "1.0.0",
            "description": "Contributions, reviews and reports of the CERIS knowledge exchange. "
            "Lists answer {items, page, per_page, total}; errors answer {error, fields?}.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {
                f"Error{code}": {"description": meaning, "content": _json(_ref("Error"))} for code, meaning in ERROR_MEANINGS.items()
            },
        },
    }
