"""Guards, conflicts of interest, reviews, and two editors deciding at once."""

import threading

import pytest

from tests.api.support import token_headers
from tests.contributions.samples import payload, put_in_state, user


@pytest.fixture
def people(make_user):
    return {
        "author": make_user(["contributor"], organisation="Guardia Civil"),
        "editor": make_user(["editor"], area_codes=["BM"], organisation="European Commission"),
        "editor_two": make_user(["editor"], area_codes=["BM"], organisation="European Commission"),
        "reviewer_one": make_user(["reviewer"], area_codes=["BM"], organisation="Politie"),
        "reviewer_two": make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei"),
    }


def contribution_in(app, people, state, reviewers=("reviewer_one", "reviewer_two"), with_reviews=True):
    from app.contributions import services
    from app.extensions import db
    from app.reviews.models import Review

    with app.app_context():
        author = user(people["author"].id)
        contribution = services.create_draft(author, payload("capability_gap"))
        put_in_state(contribution, state, [user(people[name].id) for name in reviewers], author)
        if not with_reviews:
            db.session.execute(db.delete(Review).where(Review.contribution_id == contribution.id))
            db.session.commit()
        return contribution.id


def post_transition(client, headers, contribution_id, name, **extra):
    return client.post(f"/api/v1/contributions/{contribution_id}/transitions", json={"transition": name, **extra}, headers=headers)


def test_accept_needs_min_reviews(app, client, people):
    contribution_id = contribution_in(app, people, "in_review", with_reviews=False)
    response = post_transition(client, token_headers(app, people["editor"].id), contribution_id, "accept")
    assert response.status_code == 409
    assert "At least 2 completed reviews" in response.get_json()["error"]


def test_reject_needs_a_comment(app, client, people):
    contribution_id = contribution_in(app, people, "in_review")
    response = post_transition(client, token_headers(app, people["editor"].id), contribution_id, "reject")
    assert response.status_code == 422 and "comment" in response.get_json()["fields"]


def test_send_to_review_with_too_few_eligible_reviewers_changes_nothing(app, client, make_user, people):
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment

    # Only one reviewer of BM has no conflict: the other shares the author's organisation.
    with app.app_context():
        from app.auth.models import User

        db.session.get(User, people["reviewer_two"].id).organisation = "Guardia Civil"
        db.session.commit()
    contribution_id = contribution_in(app, people, "submitted", reviewers=())
    response = post_transition(client, token_headers(app, people["editor"].id), contribution_id, "send_to_review")
    assert response.status_code == 409
    assert "Not enough eligible reviewers" in response.get_json()["error"]
    with app.app_context():
        assert db.session.get(Contribution, contribution_id).state == "submitted"
        assert db.session.scalar(db.select(db.func.count()).select_from(ReviewerAssignment)) == 0


@pytest.mark.parametrize("who", ["author", "same_organisation", "same_network"])
def test_conflicting_reviewers_cannot_be_assigned(app, client, make_user, people, who):
    from tests.factories import NetworkFactory

    with app.app_context():
        network = NetworkFactory()
        from app.auth.models import User
        from app.extensions import db

        db.session.get(User, people["author"].id).networks = [network]
        db.session.commit()
        network_id = network.id
    if who == "author":
        candidate = people["author"]
        with app.app_context():
            from app.auth.models import User
            from app.extensions import db

            db.session.get(User, candidate.id).set_roles(["contributor", "reviewer"])
            db.session.commit()
    elif who == "same_organisation":
        candidate = make_user(["reviewer"], area_codes=["BM"], organisation="guardia civil")
    else:
        candidate = make_user(["reviewer"], area_codes=["BM"], organisation="Elsewhere")
        with app.app_context():
            from app.auth.models import User
            from app.community.models import Network
            from app.extensions import db

            db.session.get(User, candidate.id).networks = [db.session.get(Network, network_id)]
            db.session.commit()
    contribution_id = contribution_in(app, people, "submitted", reviewers=())
    response = client.post(
        f"/api/v1/contributions/{contribution_id}/reviewers",
        json={"user_id": candidate.id},
        headers=token_headers(app, people["editor"].id),
    )
    assert response.status_code == 409
    assert "Conflict of interest" in response.get_json()["error"]


def test_automatic_assignment_picks_fewest_open_reviews_and_skips_conflicts(app, client, make_user, people):
    busy = people["reviewer_one"]
    # reviewer_one already reviews another open contribution; a conflicted reviewer exists too.
    contribution_in(app, people, "in_review", reviewers=("reviewer_one",))
    make_user(["reviewer"], area_codes=["BM"], organisation="Guardia Civil")
    fresh = make_user(["reviewer"], area_codes=["BM"], organisation="Policia Nacional")
    contribution_id = contribution_in(app, people, "submitted", reviewers=())
    response = client.post(
        f"/api/v1/contributions/{contribution_id}/reviewers", json={"auto": True}, headers=token_headers(app, people["editor"].id)
    )
    assert response.status_code == 201
    assigned = response.get_json()["assigned"]
    assert len(assigned) == 2
    assert busy.id not in assigned and fresh.id in assigned and people["reviewer_two"].id in assigned


def test_reviews_only_by_assigned_reviewers_with_valid_scores(app, client, make_user, people):
    contribution_id = contribution_in(app, people, "in_review", reviewers=("reviewer_one",), with_reviews=False)
    outsider = make_user(["reviewer"], area_codes=["BM"], organisation="Elsewhere")
    review = {"recommendation": "accept", "scores": {"relevance": 5, "evidence": 4, "urgency": 3}, "comment_to_author": "Clear."}
    url = f"/api/v1/contributions/{contribution_id}/reviews"
    assert client.post(url, json=review, headers=token_headers(app, outsider.id)).status_code == 404
    reviewer_headers = token_headers(app, people["reviewer_one"].id)
    bad = client.post(url, json={**review, "scores": {"relevance": 6, "evidence": 0, "urgency": 3}}, headers=reviewer_headers)
    assert bad.status_code == 422 and {"scores.relevance", "scores.evidence"} <= set(bad.get_json()["fields"])
    assert client.post(url, json=review, headers=reviewer_headers).status_code == 201
    assert client.post(url, json={**review, "recommendation": "revise"}, headers=reviewer_headers).status_code == 200


def test_reviews_are_frozen_by_the_decision(app, client, people):
    contribution_id = contribution_in(app, people, "in_review")
    assert post_transition(client, token_headers(app, people["editor"].id), contribution_id, "accept").status_code == 200
    review = {"recommendation": "reject", "scores": {"relevance": 1, "evidence": 1, "urgency": 1}, "comment_to_author": "No."}
    response = client.post(
        f"/api/v1/contributions/{contribution_id}/reviews", json=review, headers=token_headers(app, people["reviewer_one"].id)
    )
    assert response.status_code == 409


def test_authors_see_reviews_without_names_or_confidential_comments(app, client, people):
    contribution_id = contribution_in(app, people, "in_review", reviewers=("reviewer_one",), with_reviews=False)
    review = {
        "recommendation": "revise",
        "scores": {"relevance": 4, "evidence": 2, "urgency": 3},
        "comment_to_author": "Add evidence.",
        "confidential_comment": "Weak submission.",
    }
    client.post(f"/api/v1/contributions/{contribution_id}/reviews", json=review, headers=token_headers(app, people["reviewer_one"].id))
    as_author = client.get(f"/api/v1/contributions/{contribution_id}", headers=token_headers(app, people["author"].id)).get_json()
    (seen,) = as_author["reviews"]
    assert seen["comment_to_author"] == "Add evidence."
    assert "reviewer_id" not in seen and "reviewer_name" not in seen and "confidential_comment" not in seen
    assert "reviewers" not in as_author
    assert "Weak submission." not in str(as_author)
    as_editor = client.get(f"/api/v1/contributions/{contribution_id}", headers=token_headers(app, people["editor"].id)).get_json()
    assert as_editor["reviews"][0]["confidential_comment"] == "Weak submission."
    assert as_editor["reviewers"] == [people["reviewer_one"].id]


@pytest.mark.postgres_only
@pytest.mark.parametrize("attempt", range(3))
def test_two_editors_deciding_at_once_give_one_winner(app, people, attempt):
    """Accept and reject in flight at the same moment on two connections: one 200, one 409, one history entry.

    A third connection holds the contribution's row lock until both requests
    have read the row, passed their checks and are blocked writing it, so the
    race is real every time, not left to thread scheduling.
    """
    import time

    import psycopg
    import sqlalchemy as sa

    from app.extensions import db
    from app.workflow.models import WorkflowHistory

    contribution_id = contribution_in(app, people, "in_review")
    decisions = [
        (token_headers(app, people["editor"].id), {"transition": "accept"}),
        (token_headers(app, people["editor_two"].id), {"transition": "reject", "comment": "Not convincing."}),
    ]
    database_url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    statuses = []

    def decide(headers, body):
        response = app.test_client().post(f"/api/v1/contributions/{contribution_id}/transitions", json=body, headers=headers)
        statuses.append(response.status_code)

    with psycopg.connect(database_url.render_as_string(hide_password=False)) as holder:
        holder.execute("SELECT id FROM contributions WHERE id = %s FOR UPDATE", (contribution_id,))
        threads = [threading.Thread(target=decide, args=decision) for decision in decisions]
        for thread in threads:
            thread.start()
        with psycopg.connect(database_url.render_as_string(hide_password=False), autocommit=True) as observer:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                waiting = observer.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ).fetchone()[0]
                if waiting == 2:
                    break
                time.sleep(0.02)
            assert waiting == 2, "both decisions should be waiting to write the same row"
        holder.rollback()  # release the row: the two decisions now race to commit
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 409]
    with app.app_context():
        decided = db.session.scalars(
            db.select(WorkflowHistory).where(
                WorkflowHistory.subject_id == contribution_id, WorkflowHistory.transition.in_(["accept", "reject"])
            )
        ).all()
        assert len(decided) == 1
