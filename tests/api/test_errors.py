"""API errors are JSON {"error", "fields"?} with the status codes of DESIGN.md."""

import pytest


def test_missing_email_and_password_are_422_with_fields(client):
    response = client.post("/api/v1/tokens", json={})
    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == {"error", "fields"}
    assert set(body["fields"]) == {"email", "password"}
    assert all(isinstance(message, str) and message for message in body["fields"].values())


def test_missing_password_alone_is_named(client):
    response = client.post("/api/v1/tokens", json={"email": "someone@example.eu"})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"password"}


@pytest.mark.parametrize("body", [{"email": 42, "password": "x"}, {"email": "  ", "password": ""}, {"email": ["a"], "password": None}])
def test_wrongly_typed_credentials_are_422(client, body):
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 422 and "fields" in response.get_json()


@pytest.mark.parametrize("payload", ["[1, 2]", '"text"', "not json at all", ""])
def test_body_that_is_not_a_json_object_is_422(client, payload):
    response = client.post("/api/v1/tokens", data=payload, content_type="application/json")
    assert response.status_code == 422
    assert response.is_json and "error" in response.get_json()


def test_oversized_json_body_is_413(app, client):
    limit = app.config["API_MAX_JSON_BYTES"]
    response = client.post("/api/v1/tokens", json={"email": "a@example.eu", "password": "x" * (limit + 1)})
    assert response.status_code == 413
    body = response.get_json()
    assert set(body) == {"error"} and str(limit) in body["error"]


def test_oversized_body_without_a_length_is_413(app, client):
    """A chunked upload gives no Content-Length; the limit holds while it is read."""
    import io

    limit = app.config["API_MAX_JSON_BYTES"]
    payload = b'{"email": "a@example.eu", "password": "' + b"x" * (limit + 1) + b'"}'
    response = client.post(
        "/api/v1/tokens",
        input_stream=io.BytesIO(payload),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert str(limit) in response.get_json()["error"]


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert set(response.get_json()) == {"error"}


def test_wrong_method_is_405_json_with_allow(client):
    response = client.get("/api/v1/tokens")
    assert response.status_code == 405
    assert set(response.get_json()) == {"error"}
    assert "POST" in response.headers["Allow"]


def test_api_needs_no_csrf_token(client, contributor):
    from tests.factories import PASSWORD

    assert client.post("/api/v1/tokens", json={"email": contributor.email, "password": PASSWORD}).status_code == 201


def test_api_responses_are_not_cached(client):
    assert client.get("/api/v1/thematic-areas").headers["Cache-Control"] == "no-store"
