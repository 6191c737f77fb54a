"""Contributions through the API: create, read back, edit, list, search, and the refusals."""

import pytest

from app.contributions.types import TYPES
from tests.api.support import token_headers
from tests.contributions.samples import TYPE_FIELDS, make_project, payload


@pytest.fixture
def author(make_user):
    return make_user(["contributor"], organisation="Guardia Civil")


@pytest.fixture
def author_api(app, author):
    return token_headers(app, author.id)


@pytest.fixture
def project_id(app):
    with app.app_context():
        return make_project().id


@pytest.mark.parametrize("contribution_type", list(TYPES))
def test_each_type_reads_back_as_created_and_can_be_submitted(client, author_api, project_id, contribution_type):
    body = payload(contribution_type, project_ids=[project_id])
    created = client.post("/api/v1/contributions", json=body, headers=author_api)
    assert created.status_code == 201, created.get_json()
    contribution = created.get_json()
    read = client.get(f"/api/v1/contributions/{contribution['id']}", headers=author_api).get_json()
    for key in ("type", "title", "thematic_areas", "summary", "fields", "references", "project_ids"):
        assert read[key] == body[key], key
    assert read["state"] == "draft" and read["missing"] == {}
    assert "submit" in read["allowed_transitions"]

    submitted = client.post(f"/api/v1/contributions/{contribution['id']}/transitions", json={"transition": "submit"}, headers=author_api)
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["state"] == "submitted"
    assert submitted.get_json()["history"][0]["transition"] == "submit"


def test_contribution_types_come_from_the_schemas(client):
    types = client.get("/api/v1/contribution-types").get_json()["items"]
    assert [entry["code"] for entry in types] == list(TYPES)
    gap = next(entry for entry in types if entry["code"] == "capability_gap")
    priority = next(field for field in gap["fields"] if field["name"] == "priority")
    assert priority["kind"] == "choice" and priority["required"] is True
    assert {choice["value"] for choice in priority["choices"]} == {"critical", "high", "medium", "low"}
    trl = next(field for field in next(e for e in types if e["code"] == "technology")["fields"] if field["name"] == "trl")
    assert (trl["min"], trl["max"]) == (1, 9)


def test_an_incomplete_draft_is_saved_and_names_what_is_missing(client, author_api):
    response = client.post("/api/v1/contributions", json={"type": "capability_gap", "title": "Half an idea"}, headers=author_api)
    assert response.status_code == 201
    missing = response.get_json()["missing"]
    assert {"summary", "thematic_areas", "fields.need", "fields.priority", "fields.time_horizon"} <= set(missing)
    submit = client.post(
        f"/api/v1/contributions/{response.get_json()['id']}/transitions", json={"transition": "submit"}, headers=author_api
    )
    assert submit.status_code == 409
    assert "fields.need" in submit.get_json()["fields"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"fields": {**TYPE_FIELDS["capability_gap"], "priority": "urgent"}}, "fields.priority"),
        ({"fields": {**TYPE_FIELDS["capability_gap"], "colour": "blue"}}, "fields.colour"),
        ({"thematic_areas": ["BM", "NOPE"]}, "thematic_areas"),
        ({"references": [{"url": "javascript:alert(1)"}]}, "references"),
        ({"title": ""}, "title"),
        ({"project_ids": [424242]}, "project_ids"),
    ],
)
def test_invalid_values_are_refused_with_field_messages(client, author_api, change, field):
    response = client.post("/api/v1/contributions", json=payload("capability_gap", **change), headers=author_api)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]
    listed = client.get("/api/v1/contributions", headers=author_api).get_json()
    assert listed["total"] == 0


@pytest.mark.parametrize("trl", [0, 10, "seven"])
def test_trl_must_be_between_1_and_9(client, author_api, trl):
    body = payload("technology", fields={**TYPE_FIELDS["technology"], "trl": trl})
    response = client.post("/api/v1/contributions", json=body, headers=author_api)
    assert response.status_code == 422 and "fields.trl" in response.get_json()["fields"]


def test_a_technology_may_only_point_at_capability_gaps(client, author_api):
    trend = client.post("/api/v1/contributions", json=payload("trend"), headers=author_api).get_json()
    body = payload("technology", fields={**TYPE_FIELDS["technology"], "addresses_gaps": [trend["id"]]})
    response = client.post("/api/v1/contributions", json=body, headers=author_api)
    assert response.status_code == 422 and "fields.addresses_gaps" in response.get_json()["fields"]


def test_a_technology_pointing_at_a_gap_is_listed_on_the_gap(app, client, author_api):
    gap = client.post("/api/v1/contributions", json=payload("capability_gap"), headers=author_api).get_json()
    body = payload("technology", fields={**TYPE_FIELDS["technology"], "addresses_gaps": [gap["id"]]})
    solution = client.post("/api/v1/contributions", json=body, headers=author_api).get_json()
    from app.contributions.models import Contribution
    from app.extensions import db

    with app.app_context():
        assert [item.id for item in db.session.get(Contribution, gap["id"]).solutions] == [solution["id"]]


def test_a_body_over_the_limit_is_413(app, client, author_api):
    limit = app.config["API_MAX_JSON_BYTES"]
    body = payload("trend", summary="<p>" + "x" * (limit + 1) + "</p>")
    response = client.post("/api/v1/contributions", json=body, headers=author_api)
    assert response.status_code == 413
    assert str(limit) in response.get_json()["error"]


def test_only_contributors_create(app, client, make_user):
    headers = token_headers(app, make_user(["reviewer"]).id)
    assert client.post("/api/v1/contributions", json=payload("trend"), headers=headers).status_code == 403


def test_patch_by_someone_who_cannot_see_it_is_404(app, client, author_api, make_user):
    created = client.post("/api/v1/contributions", json=payload("trend"), headers=author_api).get_json()
    other = token_headers(app, make_user(["contributor"]).id)
    # Another contributor cannot even see a draft.
    assert client.patch(f"/api/v1/contributions/{created['id']}", json={"title": "Mine now"}, headers=other).status_code == 404
    assert client.get(f"/api/v1/contributions/{created['id']}", headers=author_api).get_json()["title"] == created["title"]


def test_patch_by_an_editor_who_sees_it_is_forbidden(app, client, author_api, make_user):
    created = client.post("/api/v1/contributions", json=payload("trend"), headers=author_api).get_json()
    client.post(f"/api/v1/contributions/{created['id']}/transitions", json={"transition": "submit"}, headers=author_api)
    editor = token_headers(app, make_user(["editor"], area_codes=["BM"]).id)
    assert client.patch(f"/api/v1/contributions/{created['id']}", json={"title": "Edited"}, headers=editor).status_code == 403
    assert client.get(f"/api/v1/contributions/{created['id']}", headers=author_api).get_json()["title"] == created["title"]


def test_patch_after_submission_is_a_conflict(client, author_api):
    created = client.post("/api/v1/contributions", json=payload("trend"), headers=author_api).get_json()
    client.post(f"/api/v1/contributions/{created['id']}/transitions", json={"transition": "submit"}, headers=author_api)
    response = client.patch(f"/api/v1/contributions/{created['id']}", json={"title": "Too late"}, headers=author_api)
    assert response.status_code == 409


def test_patch_with_a_stale_version_is_a_conflict(client, author_api):
    created = client.post("/api/v1/contributions", json=payload("trend"), headers=author_api).get_json()
    first = client.patch(
        f"/api/v1/contributions/{created['id']}", json={"title": "First edit", "version": created["version"]}, headers=author_api
    )
    assert first.status_code == 200
    second = client.patch(
        f"/api/v1/contributions/{created['id']}", json={"title": "Second edit", "version": created["version"]}, headers=author_api
    )
    assert second.status_code == 409
    assert client.get(f"/api/v1/contributions/{created['id']}", headers=author_api).get_json()["title"] == "First edit"


def test_search_finds_a_word_of_a_type_specific_field(client, author_api):
    client.post("/api/v1/contributions", json=payload("capability_gap"), headers=author_api)
    client.post("/api/v1/contributions", json=payload("trend"), headers=author_api)
    found = client.get("/api/v1/contributions?q=forested", headers=author_api).get_json()
    assert [item["type"] for item in found["items"]] == ["capability_gap"]
    assert client.get("/api/v1/contributions?q=face-swap", headers=author_api).get_json()["total"] == 1


def test_filters_combine(client, author_api):
    client.post("/api/v1/contributions", json=payload("capability_gap"), headers=author_api)
    client.post("/api/v1/contributions", json=payload("capability_gap", thematic_areas=["CS"]), headers=author_api)
    client.post("/api/v1/contributions", json=payload("trend"), headers=author_api)
    combined = client.get("/api/v1/contributions?type=capability_gap&area=BM&state=draft", headers=author_api).get_json()
    assert combined["total"] == 1
    assert combined["items"][0]["thematic_areas"] == ["BM"]
    assert client.get("/api/v1/contributions?type=capability_gap&area=BM&state=submitted", headers=author_api).get_json()["total"] == 0


def test_lists_show_only_what_the_caller_could_open(app, client, author_api, make_user):
    draft = client.post("/api/v1/contributions", json=payload("trend"), headers=author_api).get_json()
    submitted = client.post("/api/v1/contributions", json=payload("trend", thematic_areas=["BM"]), headers=author_api).get_json()
    client.post(f"/api/v1/contributions/{submitted['id']}/transitions", json={"transition": "submit"}, headers=author_api)
    elsewhere = client.post("/api/v1/contributions", json=payload("trend", thematic_areas=["CS"]), headers=author_api).get_json()
    client.post(f"/api/v1/contributions/{elsewhere['id']}/transitions", json={"transition": "submit"}, headers=author_api)

    bm_editor = token_headers(app, make_user(["editor"], area_codes=["BM"]).id)
    listed = client.get("/api/v1/contributions", headers=bm_editor).get_json()
    assert [item["id"] for item in listed["items"]] == [submitted["id"]]
    for item in (draft, elsewhere):
        assert client.get(f"/api/v1/contributions/{item['id']}", headers=bm_editor).status_code == 404
    stranger = token_headers(app, make_user(["contributor"]).id)
    assert client.get("/api/v1/contributions?q=generative", headers=stranger).get_json()["total"] == 0
