"""Guards declared in workflows/contribution.toml refuse a transition before its effects run: 409, nothing changed."""

import pytest

from tests.api.support import token_headers
from tests.contributions.samples import payload, put_in_state, user


@pytest.fixture
def people(make_user):
    return {
        "author": make_user(["contributor"], organisation="Guardia Civil"),
        "editor": make_user(["editor"], area_codes=["BM"], organisation="European Commission"),
        "reviewer_one": make_user(["reviewer"], area_codes=["BM"], organisation="Politie"),
        "reviewer_two": make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei"),
    }


def submitted_contribution(app, people):
    from app.contributions import services

    with app.app_context():
        author = user(people["author"].id)
        contribution = services.create_draft(author, payload("capability_gap"))
        put_in_state(contribution, "submitted", [], author)
        return contribution.id


def snapshot(app, contribution_id):
    """State, version and the rows a transition writes."""
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.notifications.models import Notification
    from app.reviews.models import ReviewerAssignment
    from app.workflow.models import WorkflowHistory

    def count(model):
        return db.session.scalar(db.select(db.func.count()).select_from(model))

    with app.app_context():
        contribution = db.session.get(Contribution, contribution_id)
        return {
            "state": contribution.state,
            "version": contribution.version,
            "assignments": count(ReviewerAssignment),
            "history": count(WorkflowHistory),
            "notifications": count(Notification),
        }


def send_to_review(app, client, people, contribution_id):
    return client.post(
        f"/api/v1/contributions/{contribution_id}/transitions",
        json={"transition": "send_to_review"},
        headers=token_headers(app, people["editor"].id),
    )


def test_send_to_review_with_enough_eligible_reviewers_assigns_them(app, client, people):
    contribution_id = submitted_contribution(app, people)
    response = send_to_review(app, client, people, contribution_id)
    assert response.status_code == 200, response.get_json()
    after = snapshot(app, contribution_id)
    assert after["state"] == "in_review" and after["assignments"] == 2


def test_too_few_eligible_reviewers_refuse_send_to_review_by_the_guard_and_change_nothing(app, client, people):
    from app.auth.models import User
    from app.extensions import db

    # One of the two reviewers of BM now works for the author's organisation: a conflict of interest.
    with app.app_context():
        db.session.get(User, people["reviewer_two"].id).organisation = "Guardia Civil"
        db.session.commit()
    contribution_id = submitted_contribution(app, people)
    before = snapshot(app, contribution_id)

    response = send_to_review(app, client, people, contribution_id)

    assert response.status_code == 409
    # The guard's whole sentence, not the effect's fallback.
    assert response.get_json()["error"] == (
        "Not enough eligible reviewers to send this contribution to review: it needs 2 more, "
        "and only 1 is available without a conflict of interest in its areas."
    )
    assert snapshot(app, contribution_id) == before
