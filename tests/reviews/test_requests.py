"""Review requests as the reviewer lives them: accepting or declining, "My reviews", the review page, the request e-mail."""

import re

import pytest

from tests.support import csrf_token


def _identity(user):
    from tests.conftest import _Identity

    return _Identity(user.id, user.email, [role for role in ("reviewer", "editor", "contributor") if user.has_role(role)])


def assignment_of(app, contribution_id, reviewer_id):
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment

    with app.app_context():
        return db.session.scalar(
            db.select(ReviewerAssignment).where(
                ReviewerAssignment.contribution_id == contribution_id, ReviewerAssignment.reviewer_id == reviewer_id
            )
        )


@pytest.fixture
def world(app):
    """A capability gap in review (BM), two assigned reviewers who have not answered, its editor and author."""
    from tests.factories import UserFactory, contribution_in_state

    with app.app_context():
        reviewers = [UserFactory(roles=["reviewer"], area_codes=["BM"], organisation=f"Agency {n}") for n in range(2)]
        made = contribution_in_state("in_review", reviewers=reviewers)
        from app.auth.models import User
        from app.extensions import db

        people = {
            "reviewer": _identity(reviewers[0]),
            "other_reviewer": _identity(reviewers[1]),
            "editor": _identity(db.session.get(User, made.editor_id)),
            "author": _identity(db.session.get(User, made.author_id)),
        }
    people["contribution_id"] = made.id
    people["assignment_id"] = assignment_of(app, made.id, people["reviewer"].id).id
    return people


def post(web, path, page, **data):
    return web.post(path, data={"csrf_token": csrf_token(web, page), **data})


def accept(web, assignment_id):
    return post(web, f"/reviews/{assignment_id}/accept", f"/reviews/{assignment_id}")


def write_review(web, assignment_id, **overrides):
    data = {"recommendation": "revise", "relevance": "4", "evidence": "2", "urgency": "5", "comment_to_author": "Add figures."}
    data.update(overrides)
    return post(web, f"/reviews/{assignment_id}", f"/reviews/{assignment_id}", **data)


def section_text(html, heading_id):
    """The text of the <section> whose heading has `heading_id` (tags removed)."""
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, heading_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


# --- accepting --------------------------------------------------------------------------------------


def test_the_review_form_opens_only_once_the_request_is_accepted(signed_in, world):
    web = signed_in(world["reviewer"])
    page = web.get(f"/reviews/{world['assignment_id']}").get_data(as_text=True)
    assert "Accept this review" in page and "Save my review" not in page

    assert accept(web, world["assignment_id"]).status_code == 302

    page = web.get(f"/reviews/{world['assignment_id']}").get_data(as_text=True)
    assert "Save my review" in page and "Accept this review" not in page


def test_a_review_posted_before_accepting_is_refused_and_not_stored(app, signed_in, world):
    from app.extensions import db
    from app.reviews.models import Review

    web = signed_in(world["reviewer"])
    assert write_review(web, world["assignment_id"]).status_code == 409
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 0


def test_writing_a_review_through_the_api_accepts_the_request(app, client, world):
    from tests.api.support import token_headers

    response = client.post(
        f"/api/v1/contributions/{world['contribution_id']}/reviews",
        json={"recommendation": "accept", "scores": {"relevance": 4, "evidence": 4, "urgency": 4}},
        headers=token_headers(app, world["reviewer"].id),
    )
    assert response.status_code in (200, 201), response.get_json()
    assert assignment_of(app, world["contribution_id"], world["reviewer"].id).accepted_at is not None


def test_another_reviewer_can_neither_accept_nor_decline_your_request(app, signed_in, world):
    other = signed_in(world["other_reviewer"])
    own_page = f"/reviews/{assignment_of(app, world['contribution_id'], world['other_reviewer'].id).id}"
    token = csrf_token(other, own_page)
    assert other.post(f"/reviews/{world['assignment_id']}/accept", data={"csrf_token": token}).status_code == 404
    assert other.post(f"/reviews/{world['assignment_id']}/decline", data={"csrf_token": token, "reason": "Busy."}).status_code == 404
    mine = assignment_of(app, world["contribution_id"], world["reviewer"].id)
    assert mine.accepted_at is None and mine.declined_at is None


def test_accepting_needs_the_csrf_token(app, signed_in, world):
    web = signed_in(world["reviewer"])
    assert web.post(f"/reviews/{world['assignment_id']}/accept", data={}).status_code == 400
    assert assignment_of(app, world["contribution_id"], world["reviewer"].id).accepted_at is None


# --- declining --------------------------------------------------------------------------------------


def test_declining_needs_a_reason(app, signed_in, world):
    web = signed_in(world["reviewer"])
    response = post(web, f"/reviews/{world['assignment_id']}/decline", f"/reviews/{world['assignment_id']}", reason="  ")
    assert response.status_code == 422
    assert "Why you decline" in response.get_data(as_text=True)
    assert assignment_of(app, world["contribution_id"], world["reviewer"].id).declined_at is None


def test_a_declined_request_frees_the_assignment_for_someone_else(app, signed_in, world):
    from app.auth.models import User
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews import services
    from tests.factories import UserFactory

    web = signed_in(world["reviewer"])
    response = post(web, f"/reviews/{world['assignment_id']}/decline", f"/reviews/{world['assignment_id']}", reason="I advised the author.")
    assert response.status_code == 302
    # The reviewer no longer reads the contribution; the page says they declined.
    assert web.get(f"/contributions/{world['contribution_id']}").status_code == 404
    page = web.get(f"/reviews/{world['assignment_id']}").get_data(as_text=True)
    assert "You declined this request" in page and "I advised the author." in page and "Summary" not in page

    with app.app_context():
        replacement = UserFactory(roles=["reviewer"], area_codes=["BM"], organisation="Carabinieri")
        contribution = db.session.get(Contribution, world["contribution_id"])
        added = services.assign_reviewers(contribution, db.session.get(User, world["editor"].id), automatic=True)
        assert [assignment.reviewer_id for assignment in added] == [replacement.id]


def test_declined_reviews_do_not_count_towards_a_decision(app, world):
    """The guard "at least two completed reviews" counts reviews by reviewers still assigned."""
    from app.auth.models import User
    from app.contributions import services as contributions
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews import services
    from app.reviews.models import ReviewerAssignment
    from app.timeutil import utcnow
    from app.workflow import GuardFailed
    from tests.factories import REVIEW

    with app.app_context():
        contribution = db.session.get(Contribution, world["contribution_id"])
        for key in ("reviewer", "other_reviewer"):
            services.submit_review(contribution, db.session.get(User, world[key].id), REVIEW)
        # A declined assignment whose review is on record (declined by other means than the page, which refuses it).
        declined = db.session.get(ReviewerAssignment, world["assignment_id"])
        declined.declined_at, declined.decline_reason = utcnow(), "Conflict found later."
        db.session.commit()
        with pytest.raises(GuardFailed):
            contributions.transition(contribution, "accept", db.session.get(User, world["editor"].id))


def test_a_reviewer_who_reviewed_the_current_revision_cannot_decline(app, signed_in, world):
    web = signed_in(world["reviewer"])
    accept(web, world["assignment_id"])
    assert write_review(web, world["assignment_id"]).status_code == 302
    page = web.get(f"/reviews/{world['assignment_id']}").get_data(as_text=True)
    assert "Decline this review" not in page
    response = post(web, f"/reviews/{world['assignment_id']}/decline", f"/reviews/{world['assignment_id']}", reason="Busy.")
    assert response.status_code == 409
    assert assignment_of(app, world["contribution_id"], world["reviewer"].id).declined_at is None


def test_declining_tells_the_area_editors(app, signed_in, world):
    from app.extensions import db
    from app.notifications.models import Notification

    web = signed_in(world["reviewer"])
    post(web, f"/reviews/{world['assignment_id']}/decline", f"/reviews/{world['assignment_id']}", reason="On leave.")
    with app.app_context():
        (notice,) = db.session.scalars(
            db.select(Notification).where(Notification.user_id == world["editor"].id, Notification.kind == "review_declined")
        ).all()
        assert "On leave." in notice.message


# --- what editors see -------------------------------------------------------------------------------


def test_the_decision_page_shows_each_reviewers_answer_in_words(signed_in, world):
    accept(signed_in(world["reviewer"]), world["assignment_id"])
    page = signed_in(world["editor"]).get(f"/desk/contributions/{world['contribution_id']}").get_data(as_text=True)
    assert "request accepted" in page and "no answer yet" in page


# --- "My reviews" -----------------------------------------------------------------------------------


def test_my_reviews_separates_to_do_done_and_declined_with_counts(app, signed_in, world):
    from app.auth.models import User
    from app.extensions import db
    from tests.factories import contribution_in_state

    with app.app_context():
        me = db.session.get(User, world["reviewer"].id)
        declined = contribution_in_state("in_review", reviewers=[me], title="A request I decline")
        done = contribution_in_state("in_review", reviewers=[me], title="A contribution I reviewed")
    web = signed_in(world["reviewer"])
    declined_id = assignment_of(app, declined.id, me.id).id
    post(web, f"/reviews/{declined_id}/decline", f"/reviews/{declined_id}", reason="Too close to my own work.")
    done_id = assignment_of(app, done.id, me.id).id
    accept(web, done_id)
    write_review(web, done_id)

    html = web.get("/reviews").get_data(as_text=True)
    assert "To do (1)" in html and "Done (1)" in html and "Declined (1)" in html
    assert "Answer the request" in section_text(html, "reviews-todo")
    assert "A contribution I reviewed" in section_text(html, "reviews-done")
    assert "Too close to my own work." in section_text(html, "reviews-declined")


def test_my_reviews_runs_a_fixed_number_of_queries(app, signed_in, world, count_queries):
    from app.auth.models import User
    from app.contributions.models import Contribution
    from app.extensions import db
    from tests.factories import ReviewerAssignmentFactory, ReviewFactory, contribution_in_state

    web = signed_in(world["reviewer"])

    def measure():
        web.get("/reviews")
        with count_queries() as queries:
            assert web.get("/reviews").status_code == 200
        return len(queries)

    def add(count):
        with app.app_context():
            me = db.session.get(User, world["reviewer"].id)
            for _ in range(count):
                made = contribution_in_state("in_review", reviewers=[me])
                ReviewFactory(contribution=db.session.get(Contribution, made.id), reviewer=me)
                ReviewerAssignmentFactory(reviewer=me)

    add(1)
    small = measure()
    add(9)
    large = measure()
    assert large <= small, f"{small} queries with few reviews, {large} with ten times as many"
    # What it runs today on SQLite and PostgreSQL (15), with a little room.
    assert small <= 16, small


# --- the review page --------------------------------------------------------------------------------


def test_the_review_page_shows_the_whole_contribution_with_its_attachments(app, signed_in, world):
    import hashlib
    import secrets

    from app.contributions import attachments
    from app.contributions.models import Attachment
    from app.extensions import db
    from tests.contributions.test_attachments import pdf_bytes

    content = pdf_bytes()
    with app.app_context():
        key = secrets.token_hex(16)
        folder = attachments.upload_folder()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / key).write_bytes(content)
        attachment = Attachment(
            contribution_id=world["contribution_id"],
            filename="night-patrol-figures.pdf",
            storage_key=key,
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        db.session.add(attachment)
        db.session.commit()
        attachment_id = attachment.id

    web = signed_in(world["reviewer"])
    html = web.get(f"/reviews/{world['assignment_id']}").get_data(as_text=True)
    contribution = section_text(html, "contribution-heading")
    for text in ("Why it matters to practitioners.", "Operational context", "Patrols along", "CORDIS", "night-patrol-figures.pdf"):
        assert text in contribution, text
    link = f"/contributions/{world['contribution_id']}/attachments/{attachment_id}"
    assert f'href="{link}"' in html
    assert web.get(link).data == content


def test_after_the_decision_the_reviewer_reads_their_review_and_the_letter(app, signed_in, world):
    from tests.api.support import post_transition

    web = signed_in(world["reviewer"])
    accept(web, world["assignment_id"])
    write_review(web, world["assignment_id"], comment_to_author="Quantify the incidents.")
    response = post_transition(
        app, app.test_client(), world["editor"].id, world["contribution_id"], "request_changes", comment="Please add the 2025 figures."
    )
    assert response.status_code == 200, response.get_json()

    html = web.get(f"/reviews/{world['assignment_id']}").get_data(as_text=True)
    decision = section_text(html, "decision-heading")
    assert "Changes requested" in decision and "Please add the 2025 figures." in decision
    own = section_text(html, "own-heading")
    assert "Quantify the incidents." in own and "Ask for changes" in own
    assert "Save my review" not in html
    listing = web.get("/reviews").get_data(as_text=True)
    assert "Done (1)" in listing and "To do (0)" in listing


def test_a_new_revision_links_the_diff_from_the_one_reviewed_and_folds_the_earlier_review(app, signed_in, world):
    from app.auth.models import User
    from app.contributions import services as contributions
    from app.contributions.models import Contribution
    from app.extensions import db
    from tests.api.support import post_transition

    web = signed_in(world["reviewer"])
    accept(web, world["assignment_id"])
    write_review(web, world["assignment_id"], comment_to_author="Quantify the incidents.")
    post_transition(app, app.test_client(), world["editor"].id, world["contribution_id"], "request_changes", comment="Add figures.")
    with app.app_context():
        contribution = db.session.get(Contribution, world["contribution_id"])
        author = db.session.get(User, world["author"].id)
        contributions.update(contribution, author, {"title": contribution.title + " (with figures)"})
        contributions.transition(db.session.get(Contribution, world["contribution_id"]), "resubmit", author)
        revision = db.session.get(Contribution, world["contribution_id"]).revision
    assert revision == 2

    html = web.get(f"/reviews/{world['assignment_id']}").get_data(as_text=True)
    assert f"/contributions/{world['contribution_id']}/diff?from=1&amp;to=2" in html
    changes = section_text(html, "changes-heading")
    assert "Your review of revision 1" in changes and "Quantify the incidents." in changes
    assert re.search(r"<details>\s*<summary>Your review of revision 1</summary>", html)
    # The new revision is to do again, with the form open.
    assert "Save my review" in html
    assert "Review the new revision 2" in web.get("/reviews").get_data(as_text=True)


def test_a_new_revision_shows_the_authors_response_beside_the_diff_as_plain_text(app, signed_in, world):
    from app.auth.models import User
    from app.contributions import services as contributions
    from app.contributions.models import Contribution
    from app.extensions import db
    from tests.api.support import post_transition

    web = signed_in(world["reviewer"])
    accept(web, world["assignment_id"])
    write_review(web, world["assignment_id"])
    post_transition(app, app.test_client(), world["editor"].id, world["contribution_id"], "request_changes", comment="Add figures.")
    with app.app_context():
        contribution = db.session.get(Contribution, world["contribution_id"])
        author = db.session.get(User, world["author"].id)
        contributions.update(contribution, author, {"title": contribution.title + " (v2)"}, response="Figures added in <b>section 2</b>.")
        contributions.transition(db.session.get(Contribution, world["contribution_id"]), "resubmit", author)

    html = web.get(f"/reviews/{world['assignment_id']}").get_data(as_text=True)
    changes = section_text(html, "changes-heading")
    assert "The author's response to the reviewers" in changes
    assert "Figures added in &lt;b&gt;section 2&lt;/b&gt;." in html
    assert "<b>section 2</b>" not in html


# --- the request e-mail --------------------------------------------------------------------------------


def test_the_request_email_asks_gives_the_due_date_and_links_the_review_page_in_the_reviewers_language(app, make_user):
    from datetime import UTC, datetime

    from app.auth.models import User
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.mail.models import OutboxMessage
    from app.reviews import services
    from app.reviews.models import ReviewerAssignment
    from tests.factories import UserFactory, contribution_in_state

    with app.app_context():
        made = contribution_in_state("submitted", reviewers=[])
        german = UserFactory(roles=["reviewer"], area_codes=["BM"], organisation="Bundespolizei", locale="de")
        contribution = db.session.get(Contribution, made.id)
        (assignment,) = services.assign_reviewers(contribution, db.session.get(User, made.editor_id), reviewer=german)
        assignment = db.session.get(ReviewerAssignment, assignment.id)
        assignment_id = assignment.id
        due = assignment.due_at
        (message,) = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == german.email)).all()

    assert message.kind == "review_request"
    assert "You are asked to review" in message.body_text
    months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]
    due_in_german = f"{due.day}. {months[due.month - 1]} {due.year}"
    assert due_in_german in message.body_text and due_in_german in message.body_html
    assert f"{app.config['PUBLIC_BASE_URL']}/reviews/{assignment_id}" in message.body_text
    assert '<html lang="de">' in message.body_html
    assert datetime.now(UTC).year <= due.year


def test_sending_to_review_asks_each_reviewer_it_adds_once(app, client):
    from app.extensions import db
    from app.mail.models import OutboxMessage
    from tests.api.support import post_transition
    from tests.factories import UserFactory, contribution_in_state

    with app.app_context():
        made = contribution_in_state("submitted", reviewers=[])
        reviewers = [UserFactory(roles=["reviewer"], area_codes=["BM"], organisation=f"Force {n}") for n in range(2)]
        emails = [reviewer.email for reviewer in reviewers]

    assert post_transition(app, client, made.editor_id, made.id, "send_to_review").status_code == 200
    with app.app_context():
        for email in emails:
            (message,) = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == email)).all()
            assert message.kind == "review_request" and message.subject.startswith("Review request:")
