"""The rules of the editors' decisions, through the API: refused ones answer with the reason and change nothing."""

from pathlib import Path

import pytest

from app.workflow import load_definition
from tests.api.support import post_transition, snapshot

DEFINITION = load_definition(Path(__file__).resolve().parents[2] / "workflows" / "contribution.toml")

# Decisions that must say why (DESIGN.md); a transition that stops requiring a comment fails a case below.
COMMENT_REQUIRED = {"desk_reject": "submitted", "request_changes": "in_review", "reject": "in_review", "reopen": "accepted"}


def in_review(app, reviews=0):
    """A contribution in review with two assigned reviewers, `reviews` of whom have reviewed its current revision."""
    from app.auth.models import User
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews import services
    from tests.factories import REVIEW, contribution_in_state

    with app.app_context():
        made = contribution_in_state("in_review")
        contribution = db.session.get(Contribution, made.id)
        for reviewer_id in made.reviewer_ids[:reviews]:
            services.submit_review(contribution, db.session.get(User, reviewer_id), REVIEW)
        return made


def in_state(app, state):
    from tests.factories import contribution_in_state

    with app.app_context():
        return contribution_in_state(state, reviewed=True)


def admin_id(app):
    from tests.factories import UserFactory

    with app.app_context():
        return UserFactory(roles=["admin"]).id


def test_reject_without_a_completed_review_is_refused_and_changes_nothing(app, client):
    made = in_review(app, reviews=0)
    before = snapshot(app, made.id)
    response = post_transition(app, client, made.editor_id, made.id, "reject", comment="Out of scope.")
    assert response.status_code == 409
    assert response.get_json()["error"] == "At least one completed review is needed to reject after review."
    assert snapshot(app, made.id) == before


def test_reject_after_one_completed_review_is_allowed(app, client):
    made = in_review(app, reviews=1)
    response = post_transition(app, client, made.editor_id, made.id, "reject", comment="Out of scope.")
    assert response.status_code == 200, response.get_json()
    assert snapshot(app, made.id)["state"] == "rejected"


def test_accept_with_one_review_short_of_min_reviews_is_refused_and_changes_nothing(app, client):
    needed = app.config["MIN_REVIEWS"]
    assert needed == 2
    made = in_review(app, reviews=needed - 1)
    before = snapshot(app, made.id)
    response = post_transition(app, client, made.editor_id, made.id, "accept")
    assert response.status_code == 409
    assert response.get_json()["error"] == "At least 2 completed reviews are needed to accept; there are 1."
    assert snapshot(app, made.id) == before


def test_accept_with_min_reviews_is_allowed(app, client):
    made = in_review(app, reviews=app.config["MIN_REVIEWS"])
    response = post_transition(app, client, made.editor_id, made.id, "accept")
    assert response.status_code == 200, response.get_json()
    assert snapshot(app, made.id)["state"] == "accepted"


def test_the_file_requires_a_comment_for_exactly_these_decisions():
    required = {name for name, transition in DEFINITION.transitions.items() if transition.comment == "required"}
    assert required == set(COMMENT_REQUIRED)


@pytest.mark.parametrize(
    "comment",
    [None, "", "   \n\t", "\u202e\u2066", "\u200f", "\u200b\u00a0\u200d"],
    ids=["absent", "empty", "blank", "hidden-characters", "right-to-left-mark", "zero-width-and-no-break-spaces"],
)
@pytest.mark.parametrize("name", sorted(COMMENT_REQUIRED))
def test_a_decision_that_must_say_why_is_refused_without_a_comment_and_changes_nothing(app, client, name, comment):
    made = in_state(app, COMMENT_REQUIRED[name])
    actor_id = admin_id(app) if name == "reopen" else made.editor_id
    before = snapshot(app, made.id)
    body = {} if comment is None else {"comment": comment}
    response = post_transition(app, client, actor_id, made.id, name, **body)
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["fields"]) == {"comment"}
    assert snapshot(app, made.id) == before
    # The same decision with a reason goes through: the comment was all that was missing.
    assert post_transition(app, client, actor_id, made.id, name, comment="Reasons are given.").status_code == 200
