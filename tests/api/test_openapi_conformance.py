"""The API's answers are what /api/v1/openapi.json says they are, on the main endpoints' happy paths and errors.

`assert_documented` checks one response against the served document: the status is
documented for the operation, the content type is the documented one, and the body
is valid against the documented schema, read strictly: an object may carry only the
properties the document lists, so a field added to the API but not to the document
fails here.
"""

import json

import jsonschema_rs
import pytest

from tests.api.support import token_headers
from tests.contributions.samples import make_project, payload, put_in_state, user
from tests.reports.support import REPORTS_FOLDER, create_report, make_contribution, publish_and_wait, section_named
from tests.support import wait_for


def _strict(schema, document):
    """The OpenAPI 3.0 schema as plain JSON Schema: references inlined, nullable as a null type, no undocumented properties."""
    if isinstance(schema, list):
        return [_strict(item, document) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        _hash, *parts = schema["$ref"].split("/")
        target = document
        for part in parts:
            target = target[part]
        return _strict(target, document)
    result = {key: _strict(value, document) for key, value in schema.items() if key not in ("nullable", "example", "properties")}
    if "properties" in schema:
        result["properties"] = {name: _strict(value, document) for name, value in schema["properties"].items()}
    if schema.get("nullable"):
        result["type"] = [result["type"], "null"]
        if "enum" in result:
            result["enum"] = [*result["enum"], None]
    if "properties" in result and "additionalProperties" not in result:
        result["additionalProperties"] = False
    return result


def problems_with(response, method, path, document):
    """How `response` to METHOD PATH (an OpenAPI path of the document) differs from the document; empty when it conforms."""
    operation = document["paths"][path][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    if documented is None:
        return [f"status {response.status_code} is not documented (documented: {sorted(operation['responses'])})"]
    if "$ref" in documented:
        documented = document["components"]["responses"][documented["$ref"].rsplit("/", 1)[-1]]
    content = documented.get("content")
    if not content:
        return [] if not response.get_data() else [f"status {response.status_code} is documented without a body"]
    if response.mimetype not in content:
        return [f"content type {response.mimetype!r} is not documented (documented: {sorted(content)})"]
    schema = _strict(content[response.mimetype]["schema"], document)
    validator = jsonschema_rs.Draft4Validator(schema, validate_formats=True)
    return [f"{'/'.join(map(str, error.instance_path)) or 'body'}: {error.message}" for error in validator.iter_errors(response.get_json())]


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def assert_documented(document):
    def check(response, method, path, status):
        assert response.status_code == status, response.get_data(as_text=True)[:2000]
        problems = problems_with(response, method, path, document)
        assert not problems, f"{method} {path} answered {status} unlike the document:\n" + "\n".join(problems)
        return response.get_json()

    return check


# --- the helper itself ----------------------------------------------------------------------


def test_the_helper_refuses_an_undocumented_field(client, document, make_user, app):
    response = client.get("/api/v1/me", headers=token_headers(app, make_user().id))
    assert problems_with(response, "GET", "/me", document) == []
    body = response.get_json()
    body["password_hash"] = "x"
    response.set_data(json.dumps(body))
    assert any("password_hash" in problem for problem in problems_with(response, "GET", "/me", document))


def test_the_helper_refuses_an_undocumented_status_and_a_missing_field(client, document, app, make_user):
    response = client.get("/api/v1/thematic-areas")
    response.status_code = 418
    assert "418" in problems_with(response, "GET", "/thematic-areas", document)[0]
    response.status_code = 200
    response.set_data(b'{"items": [], "page": 1, "per_page": 1}')
    assert any("total" in problem for problem in problems_with(response, "GET", "/thematic-areas", document))


# --- a small world ----------------------------------------------------------------------------


@pytest.fixture
def people(make_user):
    return {
        "author": make_user(["contributor"], organisation="Guardia Civil"),
        "reviewer": make_user(["reviewer"], area_codes=["BM"], organisation="Politie"),
        "second_reviewer": make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei"),
        "editor": make_user(["editor"], area_codes=["BM"], organisation="European Commission"),
    }


@pytest.fixture
def tokens(app, people):
    return {name: token_headers(app, person.id) for name, person in people.items()}


def _contribution_in(app, people, state, reviewed=True):
    """A contribution by the author in `state`; from in_review on, both reviewers assigned (and, if `reviewed`, their reviews)."""
    from app.contributions import services
    from app.extensions import db
    from app.reviews.models import Review

    with app.app_context():
        author = user(people["author"].id)
        contribution = services.create_draft(author, payload("capability_gap"))
        put_in_state(contribution, state, [user(people["reviewer"].id), user(people["second_reviewer"].id)], author)
        if not reviewed:
            db.session.execute(db.delete(Review).where(Review.contribution_id == contribution.id))
            db.session.commit()
        return contribution.id


# --- accounts and reference data --------------------------------------------------------------


def test_me(client, tokens, assert_documented):
    assert_documented(client.get("/api/v1/me", headers=tokens["editor"]), "GET", "/me", 200)


def test_a_token(client, people, assert_documented):
    from tests.factories import PASSWORD

    response = client.post("/api/v1/tokens", json={"email": people["author"].email, "password": PASSWORD, "name": "script"})
    assert_documented(response, "POST", "/tokens", 201)


def test_thematic_areas(client, assert_documented):
    assert_documented(client.get("/api/v1/thematic-areas"), "GET", "/thematic-areas", 200)


def test_contribution_types(client, assert_documented):
    assert_documented(client.get("/api/v1/contribution-types"), "GET", "/contribution-types", 200)


# --- contributions ------------------------------------------------------------------------------


def test_creating_a_contribution_with_a_project(app, client, tokens, assert_documented):
    with app.app_context():
        project_id = make_project().id
    response = client.post("/api/v1/contributions", json=payload("capability_gap", project_ids=[project_id]), headers=tokens["author"])
    assert assert_documented(response, "POST", "/contributions", 201)["project_ids"] == [project_id]


def test_listing_contributions(app, client, people, tokens, assert_documented):
    _contribution_in(app, people, "submitted")
    listed = assert_documented(client.get("/api/v1/contributions", headers=tokens["editor"]), "GET", "/contributions", 200)
    assert listed["total"] == 1


@pytest.mark.parametrize("reader", ["author", "reviewer", "editor"])
def test_reading_a_contribution_under_review(app, client, people, tokens, assert_documented, reader):
    contribution_id = _contribution_in(app, people, "in_review")
    read = assert_documented(
        client.get(f"/api/v1/contributions/{contribution_id}", headers=tokens[reader]), "GET", "/contributions/{contribution_id}", 200
    )
    assert read["reviews"], "each of them reads some reviews"


def test_editing_a_contribution(app, client, people, tokens, assert_documented):
    contribution_id = _contribution_in(app, people, "draft")
    response = client.patch(
        f"/api/v1/contributions/{contribution_id}", json={"title": "A sharper title", "version": 1}, headers=tokens["author"]
    )
    assert assert_documented(response, "PATCH", "/contributions/{contribution_id}", 200)["title"] == "A sharper title"


def test_a_transition(app, client, people, tokens, assert_documented):
    contribution_id = _contribution_in(app, people, "draft")
    response = client.post(f"/api/v1/contributions/{contribution_id}/transitions", json={"transition": "submit"}, headers=tokens["author"])
    body = assert_documented(response, "POST", "/contributions/{contribution_id}/transitions", 200)
    assert body["state"] == "submitted" and body["history"]


def test_assigning_a_reviewer(app, client, people, tokens, assert_documented):
    contribution_id = _contribution_in(app, people, "submitted")
    response = client.post(
        f"/api/v1/contributions/{contribution_id}/reviewers", json={"user_id": people["reviewer"].id}, headers=tokens["editor"]
    )
    assert assert_documented(response, "POST", "/contributions/{contribution_id}/reviewers", 201)["assigned"] == [people["reviewer"].id]


def test_writing_then_updating_a_review(app, client, people, tokens, assert_documented):
    contribution_id = _contribution_in(app, people, "in_review", reviewed=False)
    review = {"recommendation": "accept", "scores": {"relevance": 4, "evidence": 3, "urgency": 5}, "comment_to_author": "Clear."}
    path = f"/api/v1/contributions/{contribution_id}/reviews"
    assert_documented(client.post(path, json=review, headers=tokens["reviewer"]), "POST", "/contributions/{contribution_id}/reviews", 201)
    updated = client.post(path, json={**review, "recommendation": "revise"}, headers=tokens["reviewer"])
    assert_documented(updated, "POST", "/contributions/{contribution_id}/reviews", 200)


# --- reports and jobs ---------------------------------------------------------------------------


@pytest.fixture
def reports_folder(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTS_FOLDER", REPORTS_FOLDER)


def test_creating_and_listing_reports(client, tokens, assert_documented):
    response = client.post(
        "/api/v1/reports", json={"kind": "briefing", "title": "A briefing", "thematic_areas": ["BM"]}, headers=tokens["editor"]
    )
    assert_documented(response, "POST", "/reports", 201)
    assert_documented(client.get("/api/v1/reports", headers=tokens["editor"]), "GET", "/reports", 200)


def test_editing_a_report_and_curating_a_section(app, client, people, tokens, assert_documented):
    report = create_report(client, tokens["editor"])
    response = client.patch(
        f"/api/v1/reports/{report['id']}", json={"title": "Renamed", "period_start": "2026-01-01"}, headers=tokens["editor"]
    )
    assert_documented(response, "PATCH", "/reports/{report_id}", 200)
    gap = make_contribution(app, "An accepted gap", author_id=people["author"].id)
    section = section_named(report, "Capability gaps")
    response = client.post(
        f"/api/v1/reports/{report['id']}/sections/{section['id']}/items",
        json={"contribution_id": gap, "status": "included"},
        headers=tokens["editor"],
    )
    body = assert_documented(response, "POST", "/reports/{report_id}/sections/{section_id}/items", 200)
    assert any(item["contribution_id"] == gap for item in section_named(body, "Capability gaps")["items"])


@pytest.mark.usefixtures("reports_folder")
def test_publishing_a_report_and_following_its_job(app, client, people, tokens, assert_documented):
    report = create_report(client, tokens["editor"])
    gap = make_contribution(app, "An accepted gap", author_id=people["author"].id)
    client.post(
        f"/api/v1/reports/{report['id']}/sections/{section_named(report, 'Capability gaps')['id']}/items",
        json={"contribution_id": gap, "status": "included"},
        headers=tokens["editor"],
    )
    response = client.post(f"/api/v1/reports/{report['id']}/publish", headers=tokens["editor"])
    job_id = assert_documented(response, "POST", "/reports/{report_id}/publish", 202)["job_id"]
    # In-process the build is done already; on the rq worker it takes a moment.
    wait_for(
        lambda: client.get(f"/api/v1/jobs/{job_id}", headers=tokens["editor"]).get_json()["state"] in ("finished", "failed"), timeout=60
    )
    job = assert_documented(client.get(f"/api/v1/jobs/{job_id}", headers=tokens["editor"]), "GET", "/jobs/{job_id}", 200)
    assert job["state"] == "finished", job


@pytest.mark.usefixtures("reports_folder")
def test_reading_a_published_report(app, client, people, tokens, assert_documented):
    report = create_report(client, tokens["editor"])
    gap = make_contribution(app, "An accepted gap", author_id=people["author"].id)
    client.post(
        f"/api/v1/reports/{report['id']}/sections/{section_named(report, 'Capability gaps')['id']}/items",
        json={"contribution_id": gap, "status": "included"},
        headers=tokens["editor"],
    )
    publish_and_wait(client, tokens["editor"], report["id"])
    # One build, read by the public, a contributor and its editor (who see different shapes).
    for headers in ({}, tokens["author"], tokens["editor"]):
        body = assert_documented(client.get(f"/api/v1/reports/{report['id']}", headers=headers), "GET", "/reports/{report_id}", 200)
        assert body["versions"] and any(section["items"] for section in body["sections"])
        assert_documented(client.get("/api/v1/reports", headers=headers), "GET", "/reports", 200)


# --- errors ---------------------------------------------------------------------------------------


def test_no_token(client, assert_documented):
    assert_documented(client.get("/api/v1/me"), "GET", "/me", 401)


def test_a_bad_token_on_a_public_endpoint(client, assert_documented):
    assert_documented(client.get("/api/v1/thematic-areas", headers={"Authorization": "Bearer nope"}), "GET", "/thematic-areas", 401)


def test_forbidden(client, tokens, assert_documented):
    response = client.post(
        "/api/v1/reports", json={"kind": "briefing", "title": "Mine", "thematic_areas": ["BM"]}, headers=tokens["author"]
    )
    assert_documented(response, "POST", "/reports", 403)


def test_not_found(client, tokens, assert_documented):
    assert_documented(client.get("/api/v1/contributions/999999", headers=tokens["author"]), "GET", "/contributions/{contribution_id}", 404)


def test_a_stale_version(app, client, people, tokens, assert_documented):
    contribution_id = _contribution_in(app, people, "draft")
    response = client.patch(f"/api/v1/contributions/{contribution_id}", json={"title": "Late", "version": 99}, headers=tokens["author"])
    assert_documented(response, "PATCH", "/contributions/{contribution_id}", 409)


def test_invalid_input_names_the_fields(client, tokens, assert_documented):
    response = client.post("/api/v1/contributions", json={"type": "capability_gap", "title": ""}, headers=tokens["author"])
    assert assert_documented(response, "POST", "/contributions", 422)["fields"]


def test_a_body_too_large(app, client, tokens, assert_documented, monkeypatch):
    monkeypatch.setitem(app.config, "API_MAX_JSON_BYTES", 100)
    response = client.post("/api/v1/contributions", json={"type": "trend", "title": "x" * 200}, headers=tokens["author"])
    assert_documented(response, "POST", "/contributions", 413)


def test_too_many_failed_sign_ins(app, client, people, assert_documented):
    for _attempt in range(app.config["LOGIN_FAILURES_PER_MINUTE"]):
        client.post("/api/v1/tokens", json={"email": people["author"].email, "password": "wrong password"})
    response = client.post("/api/v1/tokens", json={"email": people["author"].email, "password": "wrong password"})
    assert_documented(response, "POST", "/tokens", 429)
