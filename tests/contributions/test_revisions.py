"""Revisions: edits after submission make new revisions; any two can be compared."""

from tests.api.support import token_headers
from tests.contributions.samples import payload


def test_an_edit_after_changes_were_requested_makes_a_revision_and_the_diff_shows_it(app, client, make_user, signed_in):
    author = make_user(["contributor"])
    editor = make_user(["editor"], area_codes=["BM"])
    headers = token_headers(app, author.id)
    created = client.post("/api/v1/contributions", json=payload("trend"), headers=headers).get_json()
    client.post(f"/api/v1/contributions/{created['id']}/transitions", json={"transition": "submit"}, headers=headers)
    with app.app_context():
        from app.contributions.models import Contribution
        from app.extensions import db

        contribution = db.session.get(Contribution, created["id"])
        contribution.state = "changes_requested"
        db.session.commit()
    edited = client.patch(
        f"/api/v1/contributions/{created['id']}", json={"title": "A sharper title about synthetic identities"}, headers=headers
    ).get_json()
    assert edited["revision"] == 2
    page = signed_in(editor).get(f"/contributions/{created['id']}/diff?from=1&to=2").get_data(as_text=True)
    assert "<del>" in page and "sharper" in page[page.index("<ins>") :]
    author_page = signed_in(author).get(f"/contributions/{created['id']}").get_data(as_text=True)
    assert "changes since revision 1" in author_page


def test_a_draft_has_no_diff(app, client, make_user, signed_in):
    author = make_user(["contributor"])
    created = client.post("/api/v1/contributions", json=payload("trend"), headers=token_headers(app, author.id)).get_json()
    assert signed_in(author).get(f"/contributions/{created['id']}/diff").status_code == 404
