"""Reviewer pages: the assignment list, the review form (editable until the decision), declining."""

import pytest

from tests.api.support import token_headers
from tests.contributions.samples import payload, put_in_state, user
from tests.support import csrf_token


@pytest.fixture
def assignment(app, make_user):
    """A contribution in review with one assigned reviewer who has not reviewed yet."""
    from app.contributions import services
    from app.extensions import db
    from app.reviews.models import Review, ReviewerAssignment

    author = make_user(["contributor"], organisation="Guardia Civil")
    reviewer = make_user(["reviewer"], area_codes=["BM"], organisation="Politie")
    editor = make_user(["editor"], area_codes=["BM"], organisation="European Commission")
    with app.app_context():
        contribution = services.create_draft(user(author.id), payload("capability_gap"))
        put_in_state(contribution, "in_review", [user(reviewer.id)], user(author.id))
        db.session.execute(db.delete(Review))
        db.session.commit()
        assignment_id = db.session.scalar(db.select(ReviewerAssignment.id))
        return {"id": assignment_id, "contribution_id": contribution.id, "reviewer": reviewer, "editor": editor, "author": author}


def review_form(token, **overrides):
    return {
        "csrf_token": token,
        "recommendation": "revise",
        "relevance": "4",
        "evidence": "2",
        "urgency": "5",
        "comment_to_author": "Add figures.",
        "confidential_comment": "Promising.",
        **overrides,
    }


def test_reviewer_writes_then_changes_a_review(app, client, signed_in, assignment):
    web = signed_in(assignment["reviewer"])
    assert "A capability gap from the field" in web.get("/reviews").get_data(as_text=True)
    token = csrf_token(web, f"/reviews/{assignment['id']}")
    assert web.post(f"/reviews/{assignment['id']}/accept", data={"csrf_token": token}).status_code == 302
    assert web.post(f"/reviews/{assignment['id']}", data=review_form(token)).status_code == 302
    assert web.post(f"/reviews/{assignment['id']}", data=review_form(token, recommendation="accept")).status_code == 302
    editor_view = client.get(
        f"/api/v1/contributions/{assignment['contribution_id']}", headers=token_headers(app, assignment["editor"].id)
    ).get_json()
    (review,) = editor_view["reviews"]
    assert review["recommendation"] == "accept" and review["scores"] == {"relevance": 4, "evidence": 2, "urgency": 5}


def test_missing_scores_are_refused_with_422(signed_in, assignment):
    web = signed_in(assignment["reviewer"])
    token = csrf_token(web, f"/reviews/{assignment['id']}")
    web.post(f"/reviews/{assignment['id']}/accept", data={"csrf_token": token})
    response = web.post(f"/reviews/{assignment['id']}", data=review_form(token, evidence=""))
    assert response.status_code == 422


def test_other_people_cannot_open_someone_elses_assignment(signed_in, make_user, assignment):
    other = signed_in(make_user(["reviewer"], area_codes=["BM"]))
    assert other.get(f"/reviews/{assignment['id']}").status_code == 404


def test_declining_tells_the_area_editors(app, signed_in, assignment, mailbox):
    web = signed_in(assignment["reviewer"])
    token = csrf_token(web, f"/reviews/{assignment['id']}")
    response = web.post(f"/reviews/{assignment['id']}/decline", data={"csrf_token": token, "reason": "I advised the author's project."})
    assert response.status_code == 302
    (message,) = mailbox.wait_for(1, recipient=_email(app, assignment["editor"].id))
    assert "declined" in message["Subject"]


def _email(app, user_id):
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        return db.session.get(User, user_id).email
