"""Contributions through the HTML forms: every type, drafts, completeness, submission, edit rules."""
import re

import pytest

from app.contributions.types import TYPES
from tests.api.support import token_headers
from tests.contributions.samples import TYPE_FIELDS, make_project, payload
from tests.support import csrf_token


def form_data(body, token):
    """What a browser posts for an API-shaped body."""
    data = {
        "csrf_token": token,
        "title": body["title"],
        "thematic_areas": body["thematic_areas"],
        "summary": body["summary"],
        "network_id": "0",
        "workshop_id": "0",
        "project_ids": [str(project_id) for project_id in body.get("project_ids", [])],
        "version": "",
    }
    for row, reference in enumerate(body.get("references", [])):
        data[f"reference_url_{row}"] = reference["url"]
        data[f"reference_title_{row}"] = reference["title"]
    for name, value in body["fields"].items():
        data[f"field_{name}"] = [str(item) for item in value] if isinstance(value, list) else str(value)
    return data


@pytest.fixture
def author(make_user):
    return make_user(["contributor"], organisation="Guardia Civil")


@pytest.fixture
def project_id(app):
    with app.app_context():
        return make_project().id


def created_id(response):
    match = re.search(r"/contributions/(\d+)", response.location)
    assert match, response.location
    return int(match.group(1))


@pytest.mark.parametrize("contribution_type", list(TYPES))
def test_form_and_api_read_back_identically(app, client, author, signed_in, project_id, contribution_type):
    web = signed_in(author)
    body = payload(contribution_type, project_ids=[project_id])
    token = csrf_token(web, f"/contributions/new/{contribution_type}")
    response = web.post(f"/contributions/new/{contribution_type}", data={**form_data(body, token), "action": "save"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    from_form = created_id(response)
    headers = token_headers(app, author.id)
    from_api = client.post("/api/v1/contributions", json=body, headers=headers).get_json()["id"]

    read_form = client.get(f"/api/v1/contributions/{from_form}", headers=headers).get_json()
    read_api = client.get(f"/api/v1/contributions/{from_api}", headers=headers).get_json()
    for key in ("type", "title", "thematic_areas", "summary", "fields", "references", "project_ids", "state", "missing"):
        assert read_form[key] == read_api[key], key

    def shown(contribution_id):
        """What the detail page says about the contribution (its title to its history), ids and tokens aside."""
        html = web.get(f"/contributions/{contribution_id}").get_data(as_text=True)
        html = html[html.index("<h1>"):html.index('id="history-heading"')]
        html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"|value="[^"]+" name="csrf_token"', "", html)
        return html.replace(f"/contributions/{contribution_id}", "/contributions/N")

    assert shown(from_form) == shown(from_api)
    page = shown(from_form)
    spec = TYPES[contribution_type]
    for name, value in TYPE_FIELDS[contribution_type].items():
        if spec.field(name).kind in ("text", "long_text"):
            assert value in page, name


def test_an_incomplete_draft_is_saved_and_the_form_names_what_is_missing(client, author, signed_in):
    web = signed_in(author)
    token = csrf_token(web, "/contributions/new/capability_gap")
    response = web.post("/contributions/new/capability_gap", data={"csrf_token": token, "title": "Half an idea", "network_id": "0", "workshop_id": "0", "action": "save"})
    assert response.status_code == 302
    page = web.get(response.location).get_data(as_text=True)
    assert "Still needed before you can submit" in page
    for label in ("Need or gap", "Operational context", "Priority", "Thematic areas"):
        assert label in page


def test_submitting_an_incomplete_draft_keeps_it_a_draft(app, client, author, signed_in):
    web = signed_in(author)
    token = csrf_token(web, "/contributions/new/trend")
    response = web.post("/contributions/new/trend", data={"csrf_token": token, "title": "Unfinished", "network_id": "0", "workshop_id": "0", "action": "submit"})
    assert response.status_code == 302 and response.location.endswith("/edit")
    contribution_id = created_id(response)
    read = client.get(f"/api/v1/contributions/{contribution_id}", headers=token_headers(app, author.id)).get_json()
    assert read["state"] == "draft"


def test_invalid_values_give_422_and_store_nothing(app, client, author, signed_in):
    web = signed_in(author)
    body = payload("technology", fields={**TYPE_FIELDS["technology"], "trl": 12})
    token = csrf_token(web, "/contributions/new/technology")
    response = web.post("/contributions/new/technology", data={**form_data(body, token), "action": "save"})
    assert response.status_code == 422
    assert client.get("/api/v1/contributions", headers=token_headers(app, author.id)).get_json()["total"] == 0


def test_submit_through_the_form_then_edits_are_refused(app, client, author, signed_in):
    web = signed_in(author)
    body = payload("trend")
    token = csrf_token(web, "/contributions/new/trend")
    response = web.post("/contributions/new/trend", data={**form_data(body, token), "action": "submit"})
    contribution_id = created_id(response)
    assert client.get(f"/api/v1/contributions/{contribution_id}", headers=token_headers(app, author.id)).get_json()["state"] == "submitted"
    assert web.get(f"/contributions/{contribution_id}/edit").status_code == 302


def test_only_the_author_edits(app, client, author, signed_in, make_user):
    headers = token_headers(app, author.id)
    contribution_id = client.post("/api/v1/contributions", json=payload("trend"), headers=headers).get_json()["id"]
    client.post(f"/api/v1/contributions/{contribution_id}/transitions", json={"transition": "submit"}, headers=headers)
    editor = signed_in(make_user(["editor"], area_codes=["BM"]))
    assert editor.get(f"/contributions/{contribution_id}/edit").status_code == 403
    stranger = signed_in(make_user(["contributor"]))
    assert stranger.get(f"/contributions/{contribution_id}/edit").status_code == 404
    assert stranger.get(f"/contributions/{contribution_id}").status_code == 404


def test_editor_decides_through_the_page_with_a_required_comment(app, client, author, signed_in, make_user):
    headers = token_headers(app, author.id)
    contribution_id = client.post("/api/v1/contributions", json=payload("trend"), headers=headers).get_json()["id"]
    client.post(f"/api/v1/contributions/{contribution_id}/transitions", json={"transition": "submit"}, headers=headers)
    editor = signed_in(make_user(["editor"], area_codes=["BM"]))
    page = editor.get(f"/contributions/{contribution_id}").get_data(as_text=True)
    assert "Reject without review" in page
    token = csrf_token(editor, f"/contributions/{contribution_id}")
    refused = editor.post(f"/contributions/{contribution_id}/transitions", data={"csrf_token": token, "transition": "desk_reject", "comment": ""})
    assert refused.status_code == 303
    assert client.get(f"/api/v1/contributions/{contribution_id}", headers=headers).get_json()["state"] == "submitted"
    done = editor.post(f"/contributions/{contribution_id}/transitions", data={"csrf_token": token, "transition": "desk_reject", "comment": "Out of scope."})
    assert done.status_code == 302
    assert client.get(f"/api/v1/contributions/{contribution_id}", headers=headers).get_json()["state"] == "rejected"


def test_lists_filter_and_hide_what_the_user_cannot_open(app, client, author, signed_in, make_user):
    headers = token_headers(app, author.id)
    for areas in (["BM"], ["CS"]):
        contribution_id = client.post("/api/v1/contributions", json=payload("capability_gap", thematic_areas=areas), headers=headers).get_json()["id"]
        client.post(f"/api/v1/contributions/{contribution_id}/transitions", json={"transition": "submit"}, headers=headers)
    client.post("/api/v1/contributions", json=payload("trend", title="A private draft"), headers=headers)
    editor = signed_in(make_user(["editor"], area_codes=["BM"]))
    page = editor.get("/contributions?q=forested&type=capability_gap").get_data(as_text=True)
    assert page.count("A capability gap from the field") == 1
    assert "A private draft" not in editor.get("/contributions").get_data(as_text=True)
    mine = signed_in(author).get("/contributions/mine").get_data(as_text=True)
    assert "A private draft" in mine and mine.count("A capability gap from the field") == 2
