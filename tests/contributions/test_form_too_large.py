"""The contribution form sent with files too large together (over MAX_CONTENT_LENGTH): Werkzeug refuses the body
before reading it, so nothing is saved and the page says so, with a link back to the form."""

import io

import pytest

from tests.api.support import token_headers
from tests.contributions.samples import payload
from tests.support import csrf_token

LIMIT = 64 * 1024


@pytest.fixture
def small_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", LIMIT)


@pytest.fixture
def author(make_user):
    return make_user(["contributor"])


def big_file():
    return (io.BytesIO(b"%PDF-1.4\n" + b"0" * (2 * LIMIT)), "figures.pdf")


def test_an_edit_with_files_too_large_together_saves_nothing_and_says_so(app, client, signed_in, author, small_limit):
    from app.contributions.models import Contribution
    from app.extensions import db

    draft_id = client.post("/api/v1/contributions", json=payload("trend"), headers=token_headers(app, author.id)).get_json()["id"]
    with app.app_context():
        title = db.session.get(Contribution, draft_id).title
    web = signed_in(author)
    edit = f"/contributions/{draft_id}/edit"
    response = web.post(
        edit,
        data={"csrf_token": csrf_token(web, edit), "title": "A new title", "files": big_file(), "action": "save"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The files are too large together" in html and "Nothing was saved" in html
    assert "0.1 MB" in html
    assert f'href="{edit}"' in html
    with app.app_context():
        assert db.session.get(Contribution, draft_id).title == title


def test_a_new_contribution_with_files_too_large_links_back_to_the_new_form(signed_in, author, small_limit):
    web = signed_in(author)
    form = "/contributions/new/trend"
    response = web.post(
        form,
        data={"csrf_token": csrf_token(web, form), "title": "Drones", "files": big_file()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html and f'href="{form}"' in html


def test_a_single_attachment_over_its_own_limit_keeps_the_attachment_page(app, signed_in, author, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_BYTES", LIMIT)
    draft_id = client.post("/api/v1/contributions", json=payload("trend"), headers=token_headers(app, author.id)).get_json()["id"]
    web = signed_in(author)
    response = web.post(
        f"/contributions/{draft_id}/attachments",
        data={"csrf_token": csrf_token(web, f"/contributions/{draft_id}/edit"), "file": big_file()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "The upload is too large" in response.get_data(as_text=True)
