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
        html = html[html.index("<h1>") : html.index('id="history-heading"')]
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
    response = web.post(
        "/contributions/new/capability_gap",
        data={"csrf_token": token, "title": "Half an idea", "network_id": "0", "workshop_id": "0", "action": "save"},
    )
    assert response.status_code == 302
    page = web.get(response.location).get_data(as_text=True)
    assert "Still needed before you can submit" in page
    for label in ("Need or gap", "Operational context", "Priority", "Thematic areas"):
        assert label in page


def test_save_and_submit_refused_by_a_guard_stores_nothing_and_keeps_what_was_typed(app, client, author, signed_in):
    # Saving and submitting are one transaction: the "complete" guard refuses, so not even the draft is stored.
    web = signed_in(author)
    token = csrf_token(web, "/contributions/new/trend")
    response = web.post(
        "/contributions/new/trend",
        data={"csrf_token": token, "title": "Unfinished", "network_id": "0", "workshop_id": "0", "action": "submit"},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Some required answers are missing." in page
    assert 'value="Unfinished"' in page
    assert client.get("/api/v1/contributions", headers=token_headers(app, author.id)).get_json()["total"] == 0


def test_save_and_submit_of_an_existing_draft_refused_by_a_guard_leaves_it_as_it_was(app, client, author, signed_in):
    web = signed_in(author)
    token = csrf_token(web, "/contributions/new/trend")
    response = web.post(
        "/contributions/new/trend",
        data={"csrf_token": token, "title": "First words", "network_id": "0", "workshop_id": "0", "action": "save"},
    )
    contribution_id = created_id(response)
    headers = token_headers(app, author.id)
    before = client.get(f"/api/v1/contributions/{contribution_id}", headers=headers).get_json()
    token = csrf_token(web, f"/contributions/{contribution_id}/edit")
    response = web.post(
        f"/contributions/{contribution_id}/edit",
        data={
            "csrf_token": token,
            "title": "Second words",
            "network_id": "0",
            "workshop_id": "0",
            "version": str(before["version"]),
            "action": "submit",
        },
    )
    assert response.status_code == 409
    assert 'value="Second words"' in response.get_data(as_text=True)
    after = client.get(f"/api/v1/contributions/{contribution_id}", headers=headers).get_json()
    assert (after["title"], after["state"], after["version"], after["revision"]) == (
        "First words",
        "draft",
        before["version"],
        before["revision"],
    )


def test_save_and_submit_of_a_complete_form_submits_it(app, client, author, signed_in):
    web = signed_in(author)
    body = payload("trend")
    token = csrf_token(web, "/contributions/new/trend")
    response = web.post("/contributions/new/trend", data={**form_data(body, token), "action": "submit"})
    assert response.status_code == 302 and not response.location.endswith("/edit")
    contribution_id = created_id(response)
    read = client.get(f"/api/v1/contributions/{contribution_id}", headers=token_headers(app, author.id)).get_json()
    assert read["state"] == "submitted"


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
    refused = editor.post(
        f"/contributions/{contribution_id}/transitions", data={"csrf_token": token, "transition": "desk_reject", "comment": ""}
    )
    assert refused.status_code == 303
    assert client.get(f"/api/v1/contributions/{contribution_id}", headers=headers).get_json()["state"] == "submitted"
    done = editor.post(
        f"/contributions/{contribution_id}/transitions", data={"csrf_token": token, "transition": "desk_reject", "comment": "Out of scope."}
    )
    assert done.status_code == 302
    assert client.get(f"/api/v1/contributions/{contribution_id}", headers=headers).get_json()["state"] == "rejected"


def test_lists_filter_and_hide_what_the_user_cannot_open(app, client, author, signed_in, make_user):
    headers = token_headers(app, author.id)
    for areas in (["BM"], ["CS"]):
        contribution_id = client.post(
            "/api/v1/contributions", json=payload("capability_gap", thematic_areas=areas), headers=headers
        ).get_json()["id"]
        client.post(f"/api/v1/contributions/{contribution_id}/transitions", json={"transition": "submit"}, headers=headers)
    client.post("/api/v1/contributions", json=payload("trend", title="A private draft"), headers=headers)
    editor = signed_in(make_user(["editor"], area_codes=["BM"]))
    page = editor.get("/contributions?q=forested&type=capability_gap").get_data(as_text=True)
    assert page.count("A capability gap from the field") == 1
    assert "A private draft" not in editor.get("/contributions").get_data(as_text=True)
    mine = signed_in(author).get("/contributions/mine").get_data(as_text=True)
    assert "A private draft" in mine and mine.count("A capability gap from the field") == 2


# --- posting the new-contribution form twice ---------------------------------------------


def _new_form(web, contribution_type="trend"):
    """The CSRF token and the creation key of a freshly rendered new-contribution form."""
    page = web.get(f"/contributions/new/{contribution_type}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    key = re.search(r'name="creation_key" type="hidden" value="([^"]+)"', page)
    assert key, "the new form carries a creation key"
    return token, key.group(1)


def _drafts_of(app, author):
    from app.contributions.models import Contribution
    from app.extensions import db

    with app.app_context():
        return db.session.scalars(db.select(Contribution.id).where(Contribution.author_id == author.id).order_by(Contribution.id)).all()


def test_the_new_form_posted_twice_makes_one_draft(app, author, signed_in):
    web = signed_in(author)
    token, key = _new_form(web)
    data = {**form_data(payload("trend"), token), "creation_key": key, "action": "save"}
    first = web.post("/contributions/new/trend", data=data)
    second = web.post("/contributions/new/trend", data=data)
    assert first.status_code == second.status_code == 302
    assert created_id(first) == created_id(second)
    assert _drafts_of(app, author) == [created_id(first)]


def test_a_second_post_after_submitting_leads_to_the_submitted_contribution(app, author, signed_in):
    web = signed_in(author)
    token, key = _new_form(web)
    data = {**form_data(payload("trend"), token), "creation_key": key, "action": "submit"}
    first = web.post("/contributions/new/trend", data=data)
    second = web.post("/contributions/new/trend", data=data)
    assert second.status_code == 302 and second.location.endswith(f"/contributions/{created_id(first)}")
    assert len(_drafts_of(app, author)) == 1


def test_two_forms_make_two_drafts(app, author, signed_in):
    web = signed_in(author)
    for _ in range(2):
        token, key = _new_form(web)
        assert web.post("/contributions/new/trend", data={**form_data(payload("trend"), token), "creation_key": key}).status_code == 302
    assert len(_drafts_of(app, author)) == 2


def test_the_same_key_from_two_authors_makes_two_drafts(app, author, make_user, signed_in):
    other = make_user(["contributor"])
    for person in (author, other):
        web = signed_in(person)
        token, _key = _new_form(web)
        assert (
            web.post("/contributions/new/trend", data={**form_data(payload("trend"), token), "creation_key": "shared-key"}).status_code
            == 302
        )
    assert len(_drafts_of(app, author)) == len(_drafts_of(app, other)) == 1


def test_a_malformed_creation_key_is_refused_and_stores_nothing(app, author, signed_in):
    web = signed_in(author)
    token, _key = _new_form(web)
    response = web.post("/contributions/new/trend", data={**form_data(payload("trend"), token), "creation_key": "no spaces <here>"})
    assert response.status_code == 422
    assert _drafts_of(app, author) == []


def test_the_loser_of_a_race_on_the_same_key_gets_the_winners_draft(app, author, monkeypatch):
    """Both requests look for the key before either has stored its draft; the second insert hits the unique index."""
    from app.auth.models import User
    from app.contributions import services
    from app.extensions import db

    with app.app_context():
        user = db.session.get(User, author.id)
        winner, created = services.create_draft_once(user, payload("trend"), "raced-key")
        assert created
        monkeypatch.setattr(services, "_created_with", _missing_first_time(services._created_with))
        loser, created = services.create_draft_once(user, payload("trend", title="The second post"), "raced-key")
        assert (loser.id, created) == (winner.id, False)
        assert loser.title != "The second post"
    assert _drafts_of(app, author) == [winner.id]


def _missing_first_time(lookup):
    calls = []

    def look(*args):
        calls.append(args)
        return None if len(calls) == 1 else lookup(*args)

    return look


def test_the_api_idempotency_key_makes_one_draft(app, client, author):
    headers = token_headers(app, author.id)
    first = client.post("/api/v1/contributions", json=payload("trend"), headers={**headers, "Idempotency-Key": "0b7c4d1e-retry"})
    again = client.post("/api/v1/contributions", json=payload("trend"), headers={**headers, "Idempotency-Key": "0b7c4d1e-retry"})
    other = client.post("/api/v1/contributions", json=payload("trend"), headers={**headers, "Idempotency-Key": "another-key"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert first.get_json()["id"] == again.get_json()["id"] != other.get_json()["id"]
    assert len(_drafts_of(app, author)) == 2


def test_a_malformed_idempotency_key_is_refused(app, client, author):
    headers = {**token_headers(app, author.id), "Idempotency-Key": "x" * 65}
    response = client.post("/api/v1/contributions", json=payload("trend"), headers=headers)
    assert response.status_code == 422 and "Idempotency-Key" in response.get_json()["fields"]
    assert _drafts_of(app, author) == []
