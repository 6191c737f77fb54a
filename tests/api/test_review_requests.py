"""Review requests over the API: a reviewer accepts or declines being asked; the author's response to the reviewers
is set with an edit (PATCH) and read with the contribution (GET)."""

import pytest

from tests.api.support import token_headers


@pytest.fixture
def made(app):
    """A contribution in review with two reviewers who have not answered."""
    from tests.factories import contribution_in_state

    with app.app_context():
        return contribution_in_state("in_review")


def assignment(app, contribution_id, reviewer_id):
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment

    with app.app_context():
        return db.session.scalar(
            db.select(ReviewerAssignment).where(
                ReviewerAssignment.contribution_id == contribution_id, ReviewerAssignment.reviewer_id == reviewer_id
            )
        )


def accept(app, client, contribution_id, user_id):
    return client.post(f"/api/v1/contributions/{contribution_id}/review-request/accept", headers=token_headers(app, user_id))


def decline(app, client, contribution_id, user_id, **body):
    return client.post(f"/api/v1/contributions/{contribution_id}/review-request/decline", json=body, headers=token_headers(app, user_id))


# --- accepting ----------------------------------------------------------------------------------


def test_a_reviewer_accepts_their_request(app, client, made):
    response = accept(app, client, made.id, made.reviewer_ids[0])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "agreed" and body["state_label"] == "request accepted" and body["accepted_at"]
    assert assignment(app, made.id, made.reviewer_ids[0]).accepted_at is not None
    assert assignment(app, made.id, made.reviewer_ids[1]).accepted_at is None


def test_an_accepted_request_cannot_be_accepted_again(app, client, made):
    accept(app, client, made.id, made.reviewer_ids[0])
    assert accept(app, client, made.id, made.reviewer_ids[0]).status_code == 409


def test_someone_not_asked_cannot_accept_or_decline(app, client, made):
    for user_id in (made.author_id, made.editor_id):
        assert accept(app, client, made.id, user_id).status_code == 404
        assert decline(app, client, made.id, user_id, reason="Busy.").status_code == 404


# --- declining ----------------------------------------------------------------------------------


def test_a_reviewer_declines_saying_why_and_the_editors_are_told(app, client, made):
    from app.extensions import db
    from app.notifications.models import Notification

    response = decline(app, client, made.id, made.reviewer_ids[0], reason="I advised the author's agency last year.")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "declined" and body["decline_reason"] == "I advised the author's agency last year."
    stored = assignment(app, made.id, made.reviewer_ids[0])
    assert stored.declined_at is not None and stored.decline_reason == "I advised the author's agency last year."
    with app.app_context():
        told = db.session.scalars(db.select(Notification).where(Notification.user_id == made.editor_id)).all()
    assert any("declined to review" in notice.message for notice in told)


@pytest.mark.parametrize("body", [{"reason": "   "}, {}])
def test_declining_needs_a_reason(app, client, made, body):
    response = decline(app, client, made.id, made.reviewer_ids[0], **body)
    assert response.status_code == 422 and "reason" in response.get_json()["fields"]
    assert assignment(app, made.id, made.reviewer_ids[0]).declined_at is None


def test_a_review_of_the_current_revision_cannot_be_declined_any_more(app, client, made):
    review = {"recommendation": "accept", "scores": {"relevance": 4, "evidence": 4, "urgency": 4}}
    headers = token_headers(app, made.reviewer_ids[0])
    assert client.post(f"/api/v1/contributions/{made.id}/reviews", json=review, headers=headers).status_code == 201
    assert decline(app, client, made.id, made.reviewer_ids[0], reason="Busy.").status_code == 409
    assert assignment(app, made.id, made.reviewer_ids[0]).declined_at is None


def test_a_declined_request_cannot_be_accepted(app, client, made):
    decline(app, client, made.id, made.reviewer_ids[0], reason="Busy.")
    assert accept(app, client, made.id, made.reviewer_ids[0]).status_code == 409


# --- the response to the reviewers -------------------------------------------------------------------


@pytest.fixture
def sent_back(app):
    from tests.factories import contribution_in_state

    with app.app_context():
        return contribution_in_state("changes_requested", reviewed=True)


def test_the_author_sends_a_response_with_an_edit_and_the_reviewers_read_it_as_typed(app, client, sent_back):
    text = "Figures added in <b>section 2</b>.\nThanks."
    response = client.patch(
        f"/api/v1/contributions/{sent_back.id}",
        json={"response_to_reviewers": text},
        headers=token_headers(app, sent_back.author_id),
    )
    assert response.status_code == 200, response.get_json()
    revision = response.get_json()["revision"]
    assert revision == 2
    assert response.get_json()["responses_to_reviewers"] == [{"revision": 2, "text": text}]

    read = client.get(f"/api/v1/contributions/{sent_back.id}", headers=token_headers(app, sent_back.reviewer_ids[0]))
    assert read.get_json()["responses_to_reviewers"] == [{"revision": 2, "text": text}]


def test_an_edit_without_a_response_keeps_the_one_sent_before(app, client, sent_back):
    headers = token_headers(app, sent_back.author_id)
    client.patch(f"/api/v1/contributions/{sent_back.id}", json={"response_to_reviewers": "Done."}, headers=headers)
    response = client.patch(f"/api/v1/contributions/{sent_back.id}", json={"title": "Night patrols, revised"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["responses_to_reviewers"] == [{"revision": 2, "text": "Done."}]


def test_a_draft_never_submitted_takes_no_response(app, client):
    from app.contributions.models import ContributionRevision
    from app.extensions import db
    from tests.factories import contribution_in_state

    with app.app_context():
        draft = contribution_in_state("draft")
    response = client.patch(
        f"/api/v1/contributions/{draft.id}",
        json={"title": "Changed", "response_to_reviewers": "Hello."},
        headers=token_headers(app, draft.author_id),
    )
    assert response.status_code == 422 and "response_to_reviewers" in response.get_json()["fields"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ContributionRevision)) == 0
