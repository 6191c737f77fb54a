"""Accepted contributions are readable by every signed-in member (issue 11), without what the review keeps to itself.

A member of one network reads an accepted contribution raised by another network:
its content, but not its reviews, reviewer names, the history (who acted, with their
comments) or its earlier revisions. Contributions still in the workflow stay with
those who take part in their review.
"""

import pytest

from tests.api.support import token_headers
from tests.conftest import _Identity

CHANGES_COMMENT = "Please say more about the patrol routes"
CONFIDENTIAL = "Confidential remark for the editors"


@pytest.fixture
def accepted_elsewhere(app):
    """A gap of network B, sent back for changes once (a comment; revision 2), then accepted with reviews; a gap of B
    still in review; and a contributor of network A."""
    from app.auth.models import User
    from app.contributions import services
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews import services as reviews
    from app.workflow.models import WorkflowHistory
    from tests.factories import REVIEW, NetworkFactory, UserFactory, contribution_in_state

    with app.app_context():
        network_b = NetworkFactory(name="Network B of practitioners")
        author = UserFactory(roles=["contributor"], networks=[network_b])
        editor = UserFactory(roles=["editor"], area_codes=["BM"], name="Edith Decider", organisation="European Commission")
        made = contribution_in_state("changes_requested", author=author, editor=editor, network=network_b, title="Gap raised by network B")
        db.session.execute(
            db.update(WorkflowHistory)
            .where(WorkflowHistory.subject_id == made.id, WorkflowHistory.comment.is_not(None))
            .values(comment=CHANGES_COMMENT)
        )
        db.session.commit()
        contribution = db.session.get(Contribution, made.id)
        services.update(contribution, author, {"title": "Gap raised by network B, revised"})
        services.transition(contribution, "resubmit", author)
        reviewers = [db.session.get(User, reviewer_id) for reviewer_id in made.reviewer_ids]
        for reviewer in reviewers:
            reviews.submit_review(contribution, reviewer, {**REVIEW, "confidential_comment": CONFIDENTIAL})
        services.transition(contribution, "accept", editor)
        assert (contribution.state, contribution.revision) == ("accepted", 2)
        in_review = contribution_in_state("in_review", editor=editor, network=network_b, title="Gap of network B in review").id
        member = UserFactory(roles=["contributor"], networks=[NetworkFactory(name="Network A of researchers")])
        return {
            "id": made.id,
            "author": _Identity(author.id, author.email, ["contributor"]),
            "in_review": in_review,
            "member": _Identity(member.id, member.email, ["contributor"]),
            "reviewer_names": [reviewer.display_name for reviewer in reviewers],
        }


def test_a_member_of_another_network_reads_an_accepted_contribution(signed_in, accepted_elsewhere):
    response = signed_in(accepted_elsewhere["member"]).get(f"/contributions/{accepted_elsewhere['id']}")
    assert response.status_code == 200
    assert "Gap raised by network B, revised" in response.get_data(as_text=True)


def test_the_member_does_not_see_reviews_reviewer_names_or_the_history(signed_in, accepted_elsewhere):
    html = signed_in(accepted_elsewhere["member"]).get(f"/contributions/{accepted_elsewhere['id']}").get_data(as_text=True)
    for hidden in (CONFIDENTIAL, "Clear.", CHANGES_COMMENT, "Edith Decider", *accepted_elsewhere["reviewer_names"]):
        assert hidden not in html, hidden
    assert 'id="history-heading"' not in html
    assert f"/contributions/{accepted_elsewhere['id']}/diff" not in html


def test_the_author_still_sees_the_history_and_reviews(signed_in, accepted_elsewhere):
    html = signed_in(accepted_elsewhere["author"]).get(f"/contributions/{accepted_elsewhere['id']}").get_data(as_text=True)
    assert 'id="history-heading"' in html
    assert CHANGES_COMMENT in html
    assert "Clear." in html  # reviews, without names


def test_the_member_cannot_open_earlier_revisions(signed_in, accepted_elsewhere):
    response = signed_in(accepted_elsewhere["member"]).get(f"/contributions/{accepted_elsewhere['id']}/diff")
    assert response.status_code == 404


def test_the_api_gives_the_member_no_history_reviews_or_reviewers(app, client, accepted_elsewhere):
    body = client.get(
        f"/api/v1/contributions/{accepted_elsewhere['id']}", headers=token_headers(app, accepted_elsewhere["member"].id)
    ).get_json()
    assert body["title"] == "Gap raised by network B, revised"
    assert body["history"] == []
    assert "reviews" not in body and "reviewers" not in body
    author = client.get(
        f"/api/v1/contributions/{accepted_elsewhere['id']}", headers=token_headers(app, accepted_elsewhere["author"].id)
    ).get_json()
    assert author["history"]


def test_a_contribution_still_in_review_stays_hidden_from_members(app, client, signed_in, accepted_elsewhere):
    assert signed_in(accepted_elsewhere["member"]).get(f"/contributions/{accepted_elsewhere['in_review']}").status_code == 404
    listed = client.get("/api/v1/contributions?type=capability_gap", headers=token_headers(app, accepted_elsewhere["member"].id)).get_json()
    assert [item["id"] for item in listed["items"]] == [accepted_elsewhere["id"]]
