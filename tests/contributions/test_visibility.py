"""A draft withdrawn before it was ever submitted stays its author's: no page, list, search or API shows it to anyone else."""

import pytest

from tests.api.support import token_headers
from tests.contributions.samples import payload

SECRET = "Quokkasecret"


def _create(client, headers, title):
    response = client.post("/api/v1/contributions", json=payload("capability_gap", title=title), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _transition(client, headers, contribution_id, name):
    response = client.post(f"/api/v1/contributions/{contribution_id}/transitions", json={"transition": name}, headers=headers)
    assert response.status_code == 200, response.get_json()


@pytest.fixture
def withdrawn(app, client, contributor, reviewer):
    """Two withdrawn contributions of one author: one never submitted, one withdrawn after submission."""
    headers = token_headers(app, contributor.id)
    never = _create(client, headers, f"{SECRET} never submitted")
    _transition(client, headers, never, "withdraw")
    after = _create(client, headers, "Withdrawn after submission")
    _transition(client, headers, after, "submit")
    _transition(client, headers, after, "withdraw")
    # An assignment cannot normally exist on a draft; even so it must not open one to a reviewer.
    with app.app_context():
        from app.extensions import db
        from app.reviews.models import ReviewerAssignment
        from app.timeutil import utcnow

        for contribution_id in (never, after):
            db.session.add(ReviewerAssignment(contribution_id=contribution_id, reviewer_id=reviewer.id, due_at=utcnow(), automatic=False))
        db.session.commit()
    return {"never": never, "after": after}


@pytest.fixture(params=["editor", "admin", "reviewer"])
def other(request, editor, admin, reviewer):
    return {"editor": editor, "admin": admin, "reviewer": reviewer}[request.param]


def test_others_cannot_open_its_page(signed_in, withdrawn, other):
    browser = signed_in(other)
    assert browser.get(f"/contributions/{withdrawn['never']}").status_code == 404
    assert browser.get(f"/contributions/{withdrawn['after']}").status_code == 200  # once submitted, they may


def test_editors_desk_does_not_open_it(signed_in, withdrawn, editor):
    browser = signed_in(editor)
    assert browser.get(f"/desk/contributions/{withdrawn['never']}").status_code == 404


def test_others_do_not_find_it_in_the_list_or_search(signed_in, withdrawn, other):
    browser = signed_in(other)
    for query in ("", "?state=withdrawn", f"?q={SECRET}"):
        page = browser.get(f"/contributions{query}").get_data(as_text=True)
        assert "never submitted" not in page, query
    assert "Withdrawn after submission" in browser.get("/contributions?state=withdrawn").get_data(as_text=True)


def test_others_cannot_read_it_through_the_api(app, client, withdrawn, other):
    headers = token_headers(app, other.id)
    assert client.get(f"/api/v1/contributions/{withdrawn['never']}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/contributions/{withdrawn['after']}", headers=headers).status_code == 200
    for query in ("", "?state=withdrawn", f"?q={SECRET}"):
        listed = client.get(f"/api/v1/contributions{query}", headers=headers).get_json()["items"]
        assert withdrawn["never"] not in [item["id"] for item in listed], query
    listed = client.get("/api/v1/contributions?state=withdrawn", headers=headers).get_json()["items"]
    assert withdrawn["after"] in [item["id"] for item in listed]


def test_its_author_still_sees_it(app, client, signed_in, contributor, withdrawn):
    assert signed_in(contributor).get(f"/contributions/{withdrawn['never']}").status_code == 200
    assert "never submitted" in signed_in(contributor).get("/contributions/mine").get_data(as_text=True)
    headers = token_headers(app, contributor.id)
    assert client.get(f"/api/v1/contributions/{withdrawn['never']}", headers=headers).status_code == 200
    listed = client.get(f"/api/v1/contributions?q={SECRET}", headers=headers).get_json()["items"]
    assert [item["id"] for item in listed] == [withdrawn["never"]]
