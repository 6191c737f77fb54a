"""The OpenAPI 3 document at /api/v1/openapi.json. Every API route is described here (a test checks)."""

ERROR = {"$ref": "#/components/responses/Error"}


def _list_of(schema_ref):
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": schema_ref}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }


def _json(schema):
    return {"application/json": {"schema": schema}}


PATHS = {
    "/tokens": {
        "post": {
            "summary": "Issue a bearer token for a user's e-mail and password",
            "security": [],
            "tags": ["accounts"],
            "requestBody": {
                "required": True,
                "content": _json(
                    {
                        "type": "object",
                        "required": ["email", "password"],
                        "properties": {
                            "email": {"type": "string", "format": "email"},
                            "password": {"type": "string"},
                            "name": {"type": "string", "description": "What the token is for"},
                        },
                    }
                ),
            },
            "responses": {
                "201": {"description": "The token, shown once", "content": _json({"type": "object", "properties": {"token": {"type": "string"}}})},
                "401": ERROR,
                "422": ERROR,
                "429": ERROR,
            },
        }
    },
    "/me": {
        "get": {
            "summary": "The caller",
            "tags": ["accounts"],
            "responses": {"200": {"description": "The caller", "content": _json({"$ref": "#/components/schemas/User"})}, "401": ERROR},
        }
    },
    "/thematic-areas": {
        "get": {
            "summary": "The CERIS thematic areas",
            "security": [],
            "tags": ["reference"],
            "responses": {"200": {"description": "The areas", "content": _json(_list_of("#/components/schemas/ThematicArea"))}},
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "tags": ["reference"],
            "responses": {"200": {"description": "OpenAPI 3 document", "content": _json({"type": "object"})}},
        }
    },
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Per-field messages, for validation errors only"},
        },
    },
    "ThematicArea": {"type": "object", "required": ["code", "name"], "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
    "User": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string", "format": "email"},
            "name": {"type": "string"},
            "roles": {"type": "array", "items": {"type": "string", "enum": ["contributor", "reviewer", "editor", "admin"]}},
            "areas": {"type": "array", "items": {"type": "string"}},
            "organisation": {"type": "string"},
            "networks": {
                "type": "array",
                "items": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string"}}},
            },
        },
    },
}


# --- reports and background jobs ------------------------------------------------------------

def _path_param(name, schema_type="integer", description=""):
    return {"name": name, "in": "path", "required": True, "schema": {"type": schema_type}, "description": description}


_REPORT_ID = _path_param("report_id", description="The report's id")
_REPORT_RESPONSE = {"description": "The report", "content": _json({"$ref": "#/components/schemas/Report"})}

PATHS.update(
    {
        "/reports": {
            "get": {
                "summary": "Reports the caller may see: published ones (public), plus the drafts of the caller's areas (editors)",
                "security": [{}, {"bearerAuth": []}],
                "tags": ["reports"],
                "parameters": [
                    {"name": "area", "in": "query", "schema": {"type": "string"}, "description": "Thematic area code"},
                    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["state_of_the_art", "briefing", "research_agenda", "case_study"]}},
                    {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["draft", "frozen", "published"]}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                ],
                "responses": {"200": {"description": "A page of reports (without sections)", "content": _json(_list_of("#/components/schemas/Report"))}, "401": ERROR, "422": ERROR},
            },
            "post": {
                "summary": "Create a draft report with the sections of its kind's template (editors, in their areas; admins)",
                "tags": ["reports"],
                "requestBody": {"required": True, "content": _json({"$ref": "#/components/schemas/ReportInput"})},
                "responses": {"201": _REPORT_RESPONSE, "401": ERROR, "403": ERROR, "413": ERROR, "422": ERROR},
            },
        },
        "/reports/{report_id}": {
            "parameters": [_REPORT_ID],
            "get": {
                "summary": "A report. Editors of its areas see the draft with suggestions; everyone else its latest published version",
                "security": [{}, {"bearerAuth": []}],
                "tags": ["reports"],
                "responses": {"200": _REPORT_RESPONSE, "401": ERROR, "404": ERROR},
            },
            "patch": {
                "summary": "Change title, thematic areas or period; changing a published report starts its next version",
                "tags": ["reports"],
                "requestBody": {"required": True, "content": _json({"$ref": "#/components/schemas/ReportChange"})},
                "responses": {"200": _REPORT_RESPONSE, "401": ERROR, "403": ERROR, "404": ERROR, "409": ERROR, "413": ERROR, "422": ERROR},
            },
        },
        "/reports/{report_id}/sections/{section_id}/items": {
            "parameters": [_REPORT_ID, _path_param("section_id", description="The section's id")],
            "post": {
                "summary": "Include, exclude or move one contribution in a section (position: 1 = first among the included)",
                "tags": ["reports"],
                "requestBody": {
                    "required": True,
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["contribution_id", "status"],
                            "properties": {
                                "contribution_id": {"type": "integer"},
                                "status": {"type": "string", "enum": ["suggested", "included", "excluded"]},
                                "position": {"type": "integer", "minimum": 1},
                            },
                        }
                    ),
                },
                "responses": {"200": _REPORT_RESPONSE, "401": ERROR, "403": ERROR, "404": ERROR, "409": ERROR, "413": ERROR, "422": ERROR},
            },
        },
        "/reports/{report_id}/publish": {
            "parameters": [_REPORT_ID],
            "post": {
                "summary": "Freeze the report and build and publish its next version (HTML, PDF, JSON) in a background job",
                "tags": ["reports"],
                "responses": {
                    "202": {
                        "description": "The build is queued; follow it at /jobs/{job_id}",
                        "content": _json({"type": "object", "required": ["job_id"], "properties": {"job_id": {"type": "string"}}}),
                    },
                    "401": ERROR,
                    "403": ERROR,
                    "404": ERROR,
                    "409": ERROR,
                },
            },
        },
        "/jobs/{job_id}": {
            "parameters": [_path_param("job_id", "string", "The job's id, as publish returned it")],
            "get": {
                "summary": "A background job: state and progress (its creator, admins, editors of its report)",
                "tags": ["jobs"],
                "responses": {"200": {"description": "The job", "content": _json({"$ref": "#/components/schemas/Job"})}, "401": ERROR, "404": ERROR},
            },
        },
    }
)

_DATE = {"type": "string", "format": "date", "nullable": True}
SCHEMAS.update(
    {
        "ReportInput": {
            "type": "object",
            "required": ["kind", "title", "thematic_areas"],
            "properties": {
                "kind": {"type": "string", "enum": ["state_of_the_art", "briefing", "research_agenda", "case_study"]},
                "title": {"type": "string", "maxLength": 300},
                "thematic_areas": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "period_start": _DATE,
                "period_end": _DATE,
            },
        },
        "ReportChange": {
            "type": "object",
            "properties": {
                "title": {"type": "string", "maxLength": 300},
                "thematic_areas": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "period_start": _DATE,
                "period_end": _DATE,
            },
        },
        "ReportItem": {
            "type": "object",
            "properties": {
                "contribution_id": {"type": "integer"},
                "title": {"type": "string"},
                "type": {"type": "string"},
                "network": {"type": "string", "nullable": True},
                "status": {"type": "string", "enum": ["suggested", "included", "excluded"]},
                "position": {"type": "integer", "nullable": True, "description": "Order among the included items (1 = first)"},
                "accepted": {"type": "boolean", "description": "False once the contribution was re-opened; it is then left out"},
                "note": {"type": "string", "description": "Why the item is out of the report, for the editor"},
            },
        },
        "ReportSection": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "position": {"type": "integer"},
                "heading": {"type": "string"},
                "synthesis": {"type": "string", "description": "Sanitised HTML"},
                "criteria": {
                    "type": "object",
                    "properties": {
                        "draws_contributions": {"type": "boolean"},
                        "areas": {"type": "array", "items": {"type": "string"}},
                        "types": {"type": "array", "items": {"type": "string"}, "description": "Empty: every type"},
                        "period_start": _DATE,
                        "period_end": _DATE,
                        "workshop_id": {"type": "integer", "nullable": True},
                        "network_id": {"type": "integer", "nullable": True},
                    },
                },
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/ReportItem"}},
            },
        },
        "ReportVersion": {
            "type": "object",
            "properties": {
                "version": {"type": "integer"},
                "title": {"type": "string"},
                "published_at": {"type": "string", "format": "date-time"},
                "files": {
                    "type": "object",
                    "properties": {fmt: {"type": "string", "format": "uri"} for fmt in ("html", "pdf", "json")},
                    "description": "Public download URLs; the files never change",
                },
                "sha256": {"type": "object", "properties": {fmt: {"type": "string"} for fmt in ("html", "pdf", "json")}},
            },
        },
        "Report": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string"},
                "title": {"type": "string"},
                "thematic_areas": {"type": "array", "items": {"type": "string"}},
                "period_start": _DATE,
                "period_end": _DATE,
                "state": {"type": "string", "enum": ["draft", "frozen", "published"]},
                "version": {"type": "integer", "description": "The version being prepared, or the last published"},
                "url": {"type": "string", "format": "uri"},
                "build_error": {"type": "string", "nullable": True, "description": "Editors: why the last build failed"},
                "build_job_id": {"type": "string", "nullable": True},
                "sections": {"type": "array", "items": {"$ref": "#/components/schemas/ReportSection"}},
                "versions": {"type": "array", "items": {"$ref": "#/components/schemas/ReportVersion"}},
            },
        },
        "Job": {
            "type": "object",
            "required": ["id", "state", "progress"],
            "properties": {
                "id": {"type": "string"},
                "kind": {"type": "string"},
                "state": {"type": "string", "enum": ["queued", "started", "finished", "failed"]},
                "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                "error": {"type": "string", "nullable": True},
                "subject": {"type": "object", "nullable": True, "properties": {"type": {"type": "string"}, "id": {"type": "integer"}}},
                "result": {"type": "object"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
            },
        },
    }
)


# --- contributions, workflow and reviews ------------------------------------------------------

_CONTRIBUTION_ID = {"name": "contribution_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_CONTRIBUTION_RESPONSE = {"description": "The contribution", "content": _json({"$ref": "#/components/schemas/Contribution"})}
_CONTRIBUTION_INPUT = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["capability_gap", "technology", "outcome", "exploitation", "standardisation", "trend"]},
        "title": {"type": "string", "maxLength": 300},
        "thematic_areas": {"type": "array", "items": {"type": "string"}},
        "summary": {"type": "string", "description": "HTML, sanitised against the allow-list in app/sanitising.py"},
        "fields": {"type": "object", "description": "Type-specific answers; see GET /contribution-types"},
        "project_ids": {"type": "array", "items": {"type": "integer"}},
        "workshop_id": {"type": "integer", "nullable": True},
        "network_id": {"type": "integer", "nullable": True},
        "references": {"type": "array", "items": {"type": "object", "properties": {"url": {"type": "string", "format": "uri"}, "title": {"type": "string"}}}},
    },
}

PATHS.update(
    {
        "/contribution-types": {
            "get": {
                "summary": "The six contribution types and their fields",
                "security": [],
                "tags": ["contributions"],
                "responses": {"200": {"description": "The types", "content": _json(_list_of("#/components/schemas/ContributionType"))}},
            }
        },
        "/contributions": {
            "get": {
                "summary": "Contributions the caller may open, filtered, searched and paginated",
                "tags": ["contributions"],
                "parameters": [
                    {"name": name, "in": "query", "schema": schema}
                    for name, schema in (
                        ("state", {"type": "string"}),
                        ("type", {"type": "string"}),
                        ("area", {"type": "string"}),
                        ("network", {"type": "integer"}),
                        ("workshop", {"type": "integer"}),
                        ("from", {"type": "string", "format": "date"}),
                        ("to", {"type": "string", "format": "date"}),
                        ("q", {"type": "string", "description": "Full text over title, summary and fields"}),
                        ("sort", {"type": "string", "enum": ["newest", "oldest", "updated", "title"]}),
                        ("page", {"type": "integer", "minimum": 1}),
                        ("per_page", {"type": "integer", "minimum": 1, "maximum": 100}),
                    )
                ],
                "responses": {"200": {"description": "A page of contributions", "content": _json(_list_of("#/components/schemas/Contribution"))}, "401": ERROR, "422": ERROR},
            },
            "post": {
                "summary": "Create a draft (contributors); incomplete is fine, invalid is not",
                "tags": ["contributions"],
                "requestBody": {"required": True, "content": _json({**_CONTRIBUTION_INPUT, "required": ["type", "title"]})},
                "responses": {"201": _CONTRIBUTION_RESPONSE, "401": ERROR, "403": ERROR, "413": ERROR, "422": ERROR},
            },
        },
        "/contributions/{contribution_id}": {
            "get": {
                "summary": "One contribution (404 when the caller may not open it)",
                "tags": ["contributions"],
                "parameters": [_CONTRIBUTION_ID],
                "responses": {"200": _CONTRIBUTION_RESPONSE, "401": ERROR, "404": ERROR},
            },
            "patch": {
                "summary": "Edit (author only, as a draft or when changes are requested); after submission every edit makes a new revision",
                "tags": ["contributions"],
                "parameters": [_CONTRIBUTION_ID],
                "requestBody": {"required": True, "content": _json({**_CONTRIBUTION_INPUT, "properties": {**_CONTRIBUTION_INPUT["properties"], "version": {"type": "integer"}}})},
                "responses": {"200": _CONTRIBUTION_RESPONSE, "401": ERROR, "403": ERROR, "404": ERROR, "409": ERROR, "413": ERROR, "422": ERROR},
            },
        },
        "/contributions/{contribution_id}/transitions": {
            "post": {
                "summary": "Apply a workflow transition (workflows/contribution.toml)",
                "tags": ["workflow"],
                "parameters": [_CONTRIBUTION_ID],
                "requestBody": {
                    "required": True,
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["transition"],
                            "properties": {"transition": {"type": "string"}, "comment": {"type": "string"}, "version": {"type": "integer"}},
                        }
                    ),
                },
                "responses": {"200": _CONTRIBUTION_RESPONSE, "401": ERROR, "403": ERROR, "404": ERROR, "409": ERROR, "422": ERROR},
            }
        },
        "/contributions/{contribution_id}/reviewers": {
            "post": {
                "summary": "Assign a reviewer, or top up automatically (editors of the contribution's areas)",
                "tags": ["workflow"],
                "parameters": [_CONTRIBUTION_ID],
                "requestBody": {
                    "required": True,
                    "content": _json({"type": "object", "properties": {"user_id": {"type": "integer"}, "auto": {"type": "boolean"}}}),
                },
                "responses": {"201": _CONTRIBUTION_RESPONSE, "200": _CONTRIBUTION_RESPONSE, "401": ERROR, "403": ERROR, "404": ERROR, "409": ERROR, "422": ERROR},
            }
        },
        "/contributions/{contribution_id}/reviews": {
            "post": {
                "summary": "Write or update the caller's review of the current revision (assigned reviewers)",
                "tags": ["workflow"],
                "parameters": [_CONTRIBUTION_ID],
                "requestBody": {"required": True, "content": _json({"$ref": "#/components/schemas/ReviewInput"})},
                "responses": {
                    "201": {"description": "The review", "content": _json({"$ref": "#/components/schemas/Review"})},
                    "200": {"description": "The updated review", "content": _json({"$ref": "#/components/schemas/Review"})},
                    "401": ERROR, "403": ERROR, "404": ERROR, "409": ERROR, "422": ERROR,
                },
            }
        },
    }
)

_SCORES = {"type": "object", "properties": {name: {"type": "integer", "minimum": 1, "maximum": 5} for name in ("relevance", "evidence", "urgency")}}

SCHEMAS.update(
    {
        "ContributionType": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "label": {"type": "string"},
                            "kind": {"type": "string", "enum": ["text", "long_text", "choice", "multi_choice", "integer", "url", "date", "contribution_refs"]},
                            "required": {"type": "boolean"},
                            "choices": {"type": "array", "items": {"type": "object", "properties": {"value": {"type": "string"}, "label": {"type": "string"}}}},
                            "min": {"type": "integer", "nullable": True},
                            "max": {"type": "integer", "nullable": True},
                        },
                    },
                },
            },
        },
        "Contribution": {
            "type": "object",
            "properties": {
                **_CONTRIBUTION_INPUT["properties"],
                "id": {"type": "integer"},
                "state": {"type": "string"},
                "revision": {"type": "integer"},
                "version": {"type": "integer"},
                "missing": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Required answers still missing"},
                "allowed_transitions": {"type": "array", "items": {"type": "string"}},
                "history": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "transition": {"type": "string"},
                            "from": {"type": "string"},
                            "to": {"type": "string"},
                            "actor": {"type": "integer", "nullable": True},
                            "at": {"type": "string", "format": "date-time"},
                            "comment": {"type": "string"},
                        },
                    },
                },
                "reviewers": {"type": "array", "items": {"type": "integer"}, "description": "Editors and admins only"},
                "reviews": {"type": "array", "items": {"$ref": "#/components/schemas/Review"}},
            },
        },
        "ReviewInput": {
            "type": "object",
            "required": ["recommendation", "scores"],
            "properties": {
                "recommendation": {"type": "string", "enum": ["accept", "revise", "reject"]},
                "scores": _SCORES,
                "comment_to_author": {"type": "string"},
                "confidential_comment": {"type": "string", "description": "Editors only"},
            },
        },
        "Review": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "label": {"type": "string"},
                "revision": {"type": "integer"},
                "recommendation": {"type": "string"},
                "scores": _SCORES,
                "average": {"type": "number"},
                "comment_to_author": {"type": "string"},
                "reviewer_id": {"type": "integer", "description": "Not shown to authors"},
                "reviewer_name": {"type": "string", "description": "Not shown to authors"},
                "confidential_comment": {"type": "string", "description": "Not shown to authors"},
            },
        },
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
            "responses": {"Error": {"description": "An error", "content": _json({"$ref": "#/components/schemas/Error"})}},
        },
    }
