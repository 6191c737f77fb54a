"""One schema layer: the classes of app/api/shapes.py check requests, shape answers and make the document."""

import copy

import pytest

from tests.api.support import token_headers
from tests.contributions.samples import payload


@pytest.fixture
def author_headers(app, make_user):
    return token_headers(app, make_user(["contributor"]).id)


# --- requests --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"title": 5}, "title", "Must be text."),
        ({"workshop_id": True}, "workshop_id", "Must be an integer."),  # a boolean is no id
        ({"project_ids": ["7"]}, "project_ids", "Entry 1: Must be an integer."),
        ({"references": [{"title": "no URL"}]}, "references", "Entry 1: Required."),
        ({"fields": []}, "fields", "Must be an object."),
    ],
)
def test_a_wrongly_typed_field_is_named_with_its_message_and_creates_nothing(client, author_headers, change, field, message):
    response = client.post("/api/v1/contributions", json=payload("capability_gap", **change), headers=author_headers)
    assert response.status_code == 422
    assert response.get_json() == {"error": "Invalid input.", "fields": {field: message}}
    assert client.get("/api/v1/contributions", headers=author_headers).get_json()["total"] == 0


def test_missing_required_fields_are_named(client, author_headers):
    response = client.post("/api/v1/contributions", json={"summary": "<p>No type, no title</p>"}, headers=author_headers)
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"type", "title"}


def test_a_version_must_be_an_integer(app, client, author_headers):
    created = client.post("/api/v1/contributions", json=payload("capability_gap"), headers=author_headers).get_json()
    response = client.patch(f"/api/v1/contributions/{created['id']}", json={"title": "New", "version": "1"}, headers=author_headers)
    assert response.status_code == 422 and response.get_json()["fields"] == {"version": "Must be an integer."}
    assert client.get(f"/api/v1/contributions/{created['id']}", headers=author_headers).get_json()["title"] == created["title"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=two", "page"),
        ("per_page=1.5", "per_page"),
        ("state=lost", "state"),
        ("sort=random", "sort"),
        ("from=yesterday", "from"),
        ("network=0", "network"),
    ],
)
def test_query_arguments_are_checked_by_the_query_class(client, author_headers, query, field):
    response = client.get(f"/api/v1/contributions?{query}", headers=author_headers)
    assert response.status_code == 422 and list(response.get_json()["fields"]) == [field]


def test_page_arguments_out_of_range_take_the_nearest_allowed_value(client, author_headers):
    body = client.get("/api/v1/contributions?page=0&per_page=100000", headers=author_headers).get_json()
    assert (body["page"], body["per_page"]) == (1, 100)


def test_a_report_change_refuses_fields_it_cannot_change(app, client, make_user):
    from tests.reports.support import bearer, create_report

    headers = bearer(app, make_user(["editor"], area_codes=["BM"]))
    report = create_report(client, headers)
    response = client.patch(f"/api/v1/reports/{report['id']}", json={"title": "New", "state": "published"}, headers=headers)
    assert response.status_code == 422 and response.get_json()["fields"] == {"state": "Not a field you can change."}
    assert client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json()["title"] == report["title"]


# --- answers and the document ------------------------------------------------------------------


def test_an_answer_with_a_field_its_class_does_not_list_is_refused():
    from pydantic import ValidationError

    from app.api import shapes
    from app.api.schema import dump

    assert dump(shapes.Token, {"token": "t"}) == {"token": "t"}
    with pytest.raises(ValidationError):
        dump(shapes.Token, {"token": "t", "password_hash": "x"})


def test_every_body_in_the_document_is_a_generated_class(client):
    from app.api import shapes
    from app.api.schema import openapi_schemas

    document = client.get("/api/v1/openapi.json").get_json()
    bodies = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters" or path == "/openapi.json":
                continue
            contents = [operation["requestBody"]["content"]] if "requestBody" in operation else []
            contents += [response["content"] for response in operation["responses"].values() if "content" in response]
            bodies += [content["application/json"]["schema"] for content in contents]
    assert bodies and all(set(body) == {"$ref"} for body in bodies)
    named = {body["$ref"].rsplit("/", 1)[-1] for body in bodies}
    classes = [getattr(shapes, name) for name in sorted(named)]
    assert document["components"]["schemas"] == openapi_schemas([*classes, shapes.Error])


# --- every answer is checked against the document when testing --------------------------------------


def test_an_undocumented_status_fails_the_request_that_answered_it(client, monkeypatch):
    from app.api import conformance
    from app.api.openapi import openapi_document

    document = copy.deepcopy(openapi_document())
    del document["paths"]["/thematic-areas"]["get"]["responses"]["200"]
    monkeypatch.setattr(conformance, "openapi_document", lambda: document)
    with pytest.raises(conformance.UndocumentedAnswer, match="status 200 is not documented"):
        client.get("/api/v1/thematic-areas")


def test_an_answer_unlike_its_schema_fails_the_request_that_answered_it(client, monkeypatch):
    from app.api import conformance
    from app.api.openapi import openapi_document

    document = copy.deepcopy(openapi_document())
    document["components"]["schemas"]["ThematicArea"]["required"].append("flag")
    monkeypatch.setattr(conformance, "openapi_document", lambda: document)
    conformance._validator.cache_clear()
    try:
        with pytest.raises(conformance.UndocumentedAnswer, match="flag"):
            client.get("/api/v1/thematic-areas")
    finally:
        conformance._validator.cache_clear()
