"""Editors are told when a review arrives, and once when a contribution is ready for their decision (issue 12, acceptance 2)."""

import pytest

from tests.contributions.samples import payload, user


@pytest.fixture
def reviewing(app, make_user):
    """A BM contribution in review with two reviewers assigned and no review yet; two BM editors and a CS editor."""
    from app.contributions import services
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment
    from app.timeutil import utcnow

    author = make_user(["contributor"], organisation="Guardia Civil")
    people = {
        "author": author,
        "bm_editor": make_user(["editor"], area_codes=["BM"], organisation="European Commission"),
        "bm_cs_editor": make_user(["editor"], area_codes=["BM", "CS"], organisation="Frontex", locale="fr"),
        "cs_editor": make_user(["editor"], area_codes=["CS"], organisation="European Commission"),
        "first": make_user(["reviewer"], area_codes=["BM"], organisation="Politie"),
        "second": make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei"),
    }
    with app.app_context():
        contribution = services.create_draft(
            user(author.id), payload("capability_gap", title="Drones at the border", thematic_areas=["BM"])
        )
        services.mark_submitted(contribution, user(author.id))
        contribution.state = services.workflow().states_flagged("reviewable")[0]
        for name in ("first", "second"):
            db.session.add(ReviewerAssignment(contribution_id=contribution.id, reviewer_id=people[name].id, due_at=utcnow()))
        db.session.commit()
        people["contribution_id"] = contribution.id
    return people


def review(app, world, reviewer, recommendation="accept"):
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews import services

    with app.app_context():
        contribution = db.session.get(Contribution, world["contribution_id"])
        services.submit_review(
            contribution,
            user(world[reviewer].id),
            {"recommendation": recommendation, "scores": {"relevance": 4, "evidence": 4, "urgency": 3}, "comment_to_author": "Fine."},
        )


def told(app):
    """[(user id, kind)] of every notification, and [(recipient, kind, subject)] of every e-mail, oldest first."""
    from app.extensions import db
    from app.mail.models import OutboxMessage
    from app.notifications.models import Notification

    with app.app_context():
        notes = db.session.execute(db.select(Notification.user_id, Notification.kind).order_by(Notification.id)).all()
        mails = db.session.execute(
            db.select(OutboxMessage.recipient, OutboxMessage.kind, OutboxMessage.subject).order_by(OutboxMessage.id)
        ).all()
    return [tuple(row) for row in notes], [tuple(row) for row in mails]


def test_the_last_required_review_tells_each_area_editor_once_that_it_is_ready(app, reviewing):
    review(app, reviewing, "first")
    before_notes, before_mails = told(app)
    review(app, reviewing, "second")
    notes, mails = told(app)
    new_notes, new_mails = notes[len(before_notes) :], mails[len(before_mails) :]
    editors = {reviewing["bm_editor"], reviewing["bm_cs_editor"]}
    assert sorted(new_notes) == sorted((editor.id, "ready_for_decision") for editor in editors)
    assert sorted((recipient, kind) for recipient, kind, _subject in new_mails) == sorted(
        (editor.email, "ready_for_decision") for editor in editors
    )
    assert all("Ready for a decision" in subject for _recipient, _kind, subject in new_mails)


def test_an_earlier_review_tells_the_area_editors_it_arrived(app, reviewing):
    review(app, reviewing, "first", recommendation="revise")
    notes, mails = told(app)
    assert sorted(notes) == sorted([(reviewing["bm_editor"].id, "review_arrived"), (reviewing["bm_cs_editor"].id, "review_arrived")])
    assert len(mails) == 2 and {recipient for recipient, _kind, _subject in mails} == {
        reviewing["bm_editor"].email,
        reviewing["bm_cs_editor"].email,
    }


def test_the_review_arrived_message_names_the_recommendation_in_words(app, reviewing):
    from app.extensions import db
    from app.notifications.models import Notification

    review(app, reviewing, "first", recommendation="revise")
    with app.app_context():
        message = db.session.scalars(db.select(Notification.message)).first()
    assert "recommends: Revise." in message


def test_changing_a_review_tells_no_one_again(app, reviewing):
    review(app, reviewing, "first")
    review(app, reviewing, "second")
    before = told(app)
    review(app, reviewing, "second", recommendation="revise")
    assert told(app) == before


def test_editors_are_not_told_when_the_review_is_refused(app, reviewing, make_user):
    from app.reviews.services import ReviewError

    stranger = make_user(["reviewer"], area_codes=["BM"])
    reviewing["stranger"] = stranger
    with pytest.raises(ReviewError):
        review(app, reviewing, "stranger")
    assert told(app) == ([], [])
