"""The OpenAPI document describes every /api/v1 route the app serves."""

import re

PREFIX = "/api/v1"


def api_routes(app):
    """(method, OpenAPI path) for every /api/v1 rule in the app's URL map."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        # /api/v1/contributions/<int:id> -> /contributions/{id}
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX) :])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            yield method.lower(), path


def test_openapi_document_is_public_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": PREFIX}]


def test_every_api_route_is_in_the_openapi_document(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    routes = sorted(set(api_routes(app)))
    assert routes, "no /api/v1 routes found"
    missing = [f"{method.upper()} {path}" for method, path in routes if method not in paths.get(path, {})]
    assert not missing, f"routes missing from app/api/openapi.py: {missing}"


def test_openapi_document_lists_no_route_the_app_does_not_serve(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    served = set(api_routes(app))
    documented = {(method, path) for path, operations in paths.items() for method in operations if method != "parameters"}
    assert sorted(documented - served) == []


def test_path_parameters_are_declared(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, operations in paths.items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in operations.items():
            if method == "parameters":
                continue
            declared = {
                parameter["name"]
                for parameter in operations.get("parameters", []) + operation.get("parameters", [])
                if parameter.get("in") == "path"
            }
            assert names <= declared, f"{method.upper()} {path}: path parameters {names - declared} not declared"


def test_every_operation_documents_its_responses(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method != "parameters":
                assert operation.get("responses"), f"{method.upper()} {path} has no responses"


def test_schema_references_resolve(client):
    document = client.get("/api/v1/openapi.json").get_json()
    text = str(document)
    for kind, name in re.findall(r"#/components/(\w+)/(\w+)", text):
        assert name in document["components"][kind], f"dangling reference #/components/{kind}/{name}"


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", operation


def test_every_operation_documents_401_for_a_bad_token(client):
    # A token that is present but bad is refused on every endpoint, public ones included.
    document = client.get("/api/v1/openapi.json").get_json()
    assert [name for name, operation in _operations(document) if "401" not in operation["responses"]] == []


def test_every_operation_with_a_body_documents_413_and_422(client):
    document = client.get("/api/v1/openapi.json").get_json()
    lacking = [
        name
        for name, operation in _operations(document)
        if "requestBody" in operation and not {"413", "422"} <= set(operation["responses"])
    ]
    assert lacking == []


def test_every_error_answers_the_error_shape(client):
    document = client.get("/api/v1/openapi.json").get_json()
    responses = document["components"]["responses"]
    for name, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            response = responses[response["$ref"].rsplit("/", 1)[-1]] if "$ref" in response else response
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (name, status)
