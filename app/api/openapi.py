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
