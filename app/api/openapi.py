"""The OpenAPI 3 document at /api/v1/openapi.json.

The paths and operations are a table here; every body schema in it, request and
response, is generated from the classes in app/api/shapes.py, the same ones the
handlers read requests and write answers with, and the query parameters from
their query classes (tests/api/test_openapi.py checks the routes,
tests/api/test_openapi_conformance.py and every API test the answers,
tests/api/test_schemathesis.py fuzzes the lot as each role).
"""

import functools
from typing import Any

from app.api import shapes
from app.api.schema import openapi_schemas, query_parameters

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

# Every class the table names; the classes they use are found from these.
_MODELS: list[type] = []


def _ref(model):
    if model not in _MODELS:
        _MODELS.append(model)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _errors(*codes):
    """Error responses by status code. 401 is always possible: a bad token is refused everywhere."""
    return {code: {"$ref": f"#/components/responses/Error{code}"} for code in sorted({"401", *codes})}


def _json(schema):
    return {"application/json": {"schema": schema}}


def _path_param(name, schema_type="integer", description=""):
    schema = {"type": schema_type, "minimum": 1} if schema_type == "integer" else {"type": schema_type}
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def _body(model):
    return {"required": True, "content": _json(_ref(model))}


def _answer(description, model):
    return {"description": description, "content": _json(_ref(model))}


_PUBLIC: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]

# --- accounts and reference data -------------------------------------------------------------

PATHS: dict[str, dict[str, Any]] = {
    "/tokens": {
        "post": {
            "summary": "Issue a bearer token for a user's e-mail and password",
            "security": [],
            "tags": ["accounts"],
            "requestBody": _body(shapes.TokenRequest),
            "responses": {"201": _answer("The token, shown once", shapes.Token), **_errors("413", "422", "429")},
        }
    },
    "/me": {
        "get": {
            "summary": "The caller",
            "tags": ["accounts"],
            "responses": {"200": _answer("The caller", shapes.User), **_errors()},
        }
    },
    "/thematic-areas": {
        "get": {
            "summary": "The CERIS thematic areas",
            "security": _PUBLIC,
            "tags": ["reference"],
            "responses": {"200": _answer("The areas", shapes.ThematicAreaPage), **_errors()},
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "security": _PUBLIC,
            "tags": ["reference"],
            "responses": {"200": {"description": "OpenAPI 3 document", "content": _json({"type": "object"})}, **_errors()},
        }
    },
}

# --- reports and background jobs ------------------------------------------------------------

_REPORT_ID = _path_param("report_id", description="The report's id")
_REPORT_RESPONSE = _answer("The report", shapes.Report)

PATHS.update(
    {
        "/reports": {
            "get": {
                "summary": "Reports the caller may see: published ones (public), plus the drafts of the caller's areas (editors)",
                "security": _PUBLIC,
                "tags": ["reports"],
                "parameters": query_parameters(shapes.ReportQuery),
                "responses": {"200": _answer("A page of reports (without sections)", shapes.ReportPage), **_errors("422")},
            },
            "post": {
                "summary": "Create a draft report with the sections of its kind's template (editors, in their areas; admins)",
                "tags": ["reports"],
                "requestBody": _body(shapes.ReportInput),
                "responses": {"201": _REPORT_RESPONSE, **_errors("403", "413", "422")},
            },
        },
        "/reports/{report_id}": {
            "parameters": [_REPORT_ID],
            "get": {
                "summary": "A report. Editors of its areas see the draft with suggestions; everyone else its latest published version",
                "security": _PUBLIC,
                "tags": ["reports"],
                "responses": {"200": _REPORT_RESPONSE, **_errors("404")},
            },
            "patch": {
                "summary": "Change title, thematic areas or period; changing a published report starts its next version",
                "tags": ["reports"],
                "requestBody": _body(shapes.ReportChange),
                "responses": {"200": _REPORT_RESPONSE, **_errors("403", "404", "409", "413", "422")},
            },
        },
        "/reports/{report_id}/sections/{section_id}/items": {
            "parameters": [_REPORT_ID, _path_param("section_id", description="The section's id")],
            "post": {
                "summary": "Include, exclude or move one contribution in a section (position: 1 = first among the included)",
                "tags": ["reports"],
                "requestBody": _body(shapes.ReportItemChoice),
                "responses": {"200": _REPORT_RESPONSE, **_errors("403", "404", "409", "413", "422")},
            },
        },
        "/reports/{report_id}/publish": {
            "parameters": [_REPORT_ID],
            "post": {
                "summary": "Freeze the report and build and publish its next version (HTML, PDF, JSON) in a background job",
                "tags": ["reports"],
                "responses": {
                    "202": _answer("The build is queued; follow it at /jobs/{job_id} (also in the Location header)", shapes.JobQueued),
                    **_errors("403", "404", "409"),
                },
            },
        },
        "/jobs/{job_id}": {
            "parameters": [_path_param("job_id", "string", "The job's id, as publish returned it")],
            "get": {
                "summary": "A background job: state and progress (its creator, admins, editors of its report)",
                "tags": ["jobs"],
                "responses": {"200": _answer("The job", shapes.Job), **_errors("404")},
            },
        },
    }
)

# --- contributions, workflow and reviews ------------------------------------------------------

_CONTRIBUTION_ID = _path_param("contribution_id", description="The contribution's id")
_CONTRIBUTION_RESPONSE = _answer("The contribution", shapes.Contribution)

PATHS.update(
    {
        "/contribution-types": {
            "get": {
                "summary": "The six contribution types and their fields",
                "security": _PUBLIC,
                "tags": ["contributions"],
                "responses": {"200": _answer("The types", shapes.ContributionTypePage), **_errors()},
            }
        },
        "/contributions": {
            "get": {
                "summary": "Contributions the caller may open, filtered, searched and paginated",
                "tags": ["contributions"],
                "parameters": query_parameters(shapes.ContributionQuery),
                "responses": {"200": _answer("A page of contributions", shapes.ContributionSummaryPage), **_errors("422")},
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
                "requestBody": _body(shapes.ContributionInput),
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
                "requestBody": _body(shapes.ContributionChange),
                "responses": {"200": _CONTRIBUTION_RESPONSE, **_errors("403", "404", "409", "413", "422")},
            },
        },
        "/contributions/{contribution_id}/transitions": {
            "parameters": [_CONTRIBUTION_ID],
            "post": {
                "summary": "Apply a workflow transition (workflows/contribution.toml)",
                "tags": ["workflow"],
                "requestBody": _body(shapes.TransitionRequest),
                "responses": {"200": _CONTRIBUTION_RESPONSE, **_errors("403", "404", "409", "413", "422")},
            },
        },
        "/contributions/{contribution_id}/reviewers": {
            "parameters": [_CONTRIBUTION_ID],
            "post": {
                "summary": "Assign a reviewer, or top up automatically (editors of the contribution's areas)",
                "tags": ["workflow"],
                "requestBody": _body(shapes.ReviewerChoice),
                "responses": {
                    "201": _answer("Reviewers were assigned", shapes.ContributionWithAssignments),
                    "200": _answer("Nothing to assign: the reviewers were there already", shapes.ContributionWithAssignments),
                    **_errors("403", "404", "409", "413", "422"),
                },
            },
        },
        "/contributions/{contribution_id}/reviews": {
            "parameters": [_CONTRIBUTION_ID],
            "post": {
                "summary": "Write or update the caller's review of the current revision (assigned reviewers)",
                "tags": ["workflow"],
                "requestBody": _body(shapes.ReviewInput),
                "responses": {
                    "201": _answer("The review", shapes.Review),
                    "200": _answer("The updated review", shapes.Review),
                    **_errors("403", "404", "409", "413", "422"),
                },
            },
        },
        "/contributions/{contribution_id}/review-request/accept": {
            "parameters": [_CONTRIBUTION_ID],
            "post": {
                "summary": "Accept the caller's request to review the contribution (404 when they were not asked); it opens their review",
                "tags": ["workflow"],
                "responses": {"200": _answer("The request, accepted", shapes.ReviewRequest), **_errors("404", "409")},
            },
        },
        "/contributions/{contribution_id}/review-request/decline": {
            "parameters": [_CONTRIBUTION_ID],
            "post": {
                "summary": "Decline the caller's request to review the contribution, saying why (not once they reviewed "
                "the current revision); the area editors are told",
                "tags": ["workflow"],
                "requestBody": _body(shapes.DeclineRequest),
                "responses": {"200": _answer("The request, declined", shapes.ReviewRequest), **_errors("404", "409", "413", "422")},
            },
        },
    }
)

# --- the project explorer -----------------------------------------------------------------

PATHS.update(
    {
        "/projects": {
            "get": {
                "summary": "Search the project explorer: full text with facets (each facet's counts with the other facets' choices applied)",
                "security": _PUBLIC,
                "tags": ["projects"],
                "parameters": query_parameters(shapes.ProjectQuery),
                "responses": {"200": _answer("A page of projects, with the facets' counts", shapes.ProjectSearchPage), **_errors("422")},
            }
        },
        "/projects/{project_id}": {
            "parameters": [_path_param("project_id", description="The project's id (not its CORDIS id)")],
            "get": {
                "summary": "One project, with its CORDIS id and link and the accepted contributions that cite it",
                "security": _PUBLIC,
                "tags": ["projects"],
                "responses": {"200": _answer("The project", shapes.Project), **_errors("404")},
            },
        },
    }
)

# --- workshops ------------------------------------------------------------------------------------

PATHS.update(
    {
        "/workshops": {
            "get": {
                "summary": "Thematic workshops: upcoming (not ended yet, soonest first) or past (latest first), by area",
                "security": _PUBLIC,
                "tags": ["workshops"],
                "parameters": query_parameters(shapes.WorkshopQuery),
                "responses": {"200": _answer("A page of workshops", shapes.WorkshopPage), **_errors("422")},
            }
        },
        "/workshops/{workshop_id}": {
            "parameters": [_path_param("workshop_id", description="The workshop's id")],
            "get": {
                "summary": "One workshop: areas, times (UTC and in its time zone), place or link, call for inputs, state",
                "security": _PUBLIC,
                "tags": ["workshops"],
                "responses": {"200": _answer("The workshop", shapes.Workshop), **_errors("404")},
            },
        },
    }
)

_ERROR = _ref(shapes.Error)


@functools.cache
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
            "schemas": openapi_schemas(_MODELS),
            "responses": {f"Error{code}": {"description": meaning, "content": _json(_ERROR)} for code, meaning in ERROR_MEANINGS.items()},
        },
    }
