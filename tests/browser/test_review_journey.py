"""The whole review journey in the browser, with the e-mails it sends: the reviewer accepts the request before
reviewing, sees the review done, finds the changes of the next revision, and reads the decision afterwards."""

import pytest

from tests.browser.support import assert_accessible, sign_in
from tests.browser.test_layout import overflow
from tests.contributions.samples import payload

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def open_review(page, title):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    page.get_by_role("link", name=title).first.click()


def accept_request(page, title):
    """Being asked to review is a request: the reviewer reads the contribution, then accepts."""
    open_review(page, title)
    assert page.get_by_role("heading", name="You are asked to review this contribution").is_visible()
    assert page.get_by_role("button", name="Save my review").count() == 0
    with page.expect_navigation():
        page.get_by_role("button", name="Accept this review").click()
    assert "You accepted this review" in page.get_by_role("status").inner_text()


def review(page, title, recommendation):
    open_review(page, title)
    page.get_by_role("group", name="Recommendation").get_by_label(recommendation, exact=True).check()
    for score, value in (("Relevance", "4"), ("Evidence", "3"), ("Urgency", "5")):
        page.get_by_role("group", name=f"{score} (1 low – 5 high)").get_by_label(value, exact=True).check()
    page.get_by_label("Comment to the author").fill("Clear need; add figures.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save my review").click()
    assert "Your review is saved" in page.get_by_role("status").inner_text()


def decide(page, contribution_id, decision, letter=None):
    """The decision page's one form: the step, the letter to the author, the confirmation."""
    page.goto(f"/desk/contributions/{contribution_id}")
    form = page.locator("#decision-form")
    form.get_by_label(decision, exact=True).check()
    if letter:
        form.get_by_label("Letter to the author").fill(letter)
    form.get_by_label("I have read the reviews and confirm this decision").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Send the decision").click()


def test_submit_review_request_changes_resubmit_accept(app, new_page, make_user, mailbox):
    from app.contributions import services
    from tests.contributions.samples import user

    author = make_user(["contributor"], organisation="Guardia Civil", name="Ana Author")
    editor = make_user(["editor"], area_codes=["BM"], organisation="European Commission", name="Eda Editor")
    reviewers = [
        make_user(["reviewer"], area_codes=["BM"], organisation="Politie", name="Rik Reviewer"),
        make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei", name="Rita Reviewer"),
    ]
    title = "Drones crossing the green border at night"
    with app.app_context():
        contribution_id = services.create_draft(user(author.id), payload("capability_gap", title=title)).id

    author_page = new_page()
    sign_in(author_page, author.email)
    author_page.goto(f"/contributions/{contribution_id}")
    with author_page.expect_navigation():
        author_page.get_by_role("button", name="Submit", exact=True).click()

    editor_page = new_page()
    sign_in(editor_page, editor.email)
    editor_page.get_by_role("navigation", name="Main").get_by_role("link", name="Editor's desk").click()
    assert_accessible(editor_page, "desk")
    editor_page.get_by_role("link", name=title).first.click()
    assert_accessible(editor_page, "decision-submitted")
    decide(editor_page, contribution_id, "Send to review")
    # Editors read each reviewer's answer to the request.
    editor_page.goto(f"/desk/contributions/{contribution_id}")
    assert editor_page.get_by_text("no answer yet").count() == 2

    reviewer_pages = []
    for number, reviewer in enumerate(reviewers):
        page = new_page()
        sign_in(page, reviewer.email)
        if number == 0:
            open_review(page, title)
            assert_accessible(page, "review-request")
        accept_request(page, title)
        if number == 0:
            assert_accessible(page, "review-form")
        review(page, title, "Accept")
        reviewer_pages.append(page)
    # A submitted review shows as done.
    first = reviewer_pages[0]
    first.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    done = first.locator("section", has=first.get_by_role("heading", name="Done (1)"))
    assert title in done.inner_text()
    assert first.get_by_role("heading", name="To do (0)").is_visible()
    assert_accessible(first, "my-reviews")

    decide(editor_page, contribution_id, "Request changes", "Please quantify the incidents.")

    author_page.goto(f"/contributions/{contribution_id}/edit")
    author_page.get_by_label("Title", exact=True).fill(title + " (with 2025 figures)")
    with author_page.expect_navigation():
        author_page.get_by_role("button", name="Save and resubmit").click()

    # The new revision: the reviewer finds the changes since the revision they reviewed, and their earlier review folded.
    open_review(first, title)
    assert first.get_by_role("link", name="Changes from revision 1, which you reviewed, to revision 2").is_visible()
    assert first.get_by_text("Your review of revision 1").is_visible()
    assert_accessible(first, "review-revision-2")
    for page in reviewer_pages:
        review(page, title, "Accept")
    editor_page.goto(f"/desk/contributions/{contribution_id}")
    assert_accessible(editor_page, "decision-ready")
    decide(editor_page, contribution_id, "Accept")

    author_page.goto(f"/contributions/{contribution_id}")
    history = author_page.locator("section", has=author_page.get_by_role("heading", name="History"))
    steps = history.locator("ol li").all_inner_texts()
    for label in ("Submitted", "Sent to review", "Changes requested", "Resubmitted", "Accepted"):
        assert any(label in step for step in steps), (label, steps)
    assert "State: Accepted" in author_page.locator("main").inner_text()
    assert any("revision 2" in step for step in steps)
    assert_accessible(author_page, "accepted-contribution")

    # After the decision the reviewer reads their review and the decision.
    open_review(first, title)
    decision = first.locator("section", has=first.get_by_role("heading", name="The editors' decision"))
    assert "Revision 2: Accepted" in decision.inner_text() and "Revision 1: Changes requested" in decision.inner_text()
    assert "Please quantify the incidents." in decision.inner_text()
    assert (
        "Clear need; add figures."
        in first.locator("section", has=first.get_by_role("heading", name="Your review of revision 2")).inner_text()
    )
    assert_accessible(first, "review-after-decision")
    review_address = first.url

    # The reviewer's pages on a phone: accessible, nothing wider than the screen.
    phone = new_page(PHONE)
    sign_in(phone, reviewers[0].email)
    for name, address in (("my-reviews-phone", "/reviews"), ("review-phone", review_address)):
        phone.goto(address)
        assert_accessible(phone, name)
        assert overflow(phone)["extra"] <= 0, (name, overflow(phone))

    notifications = new_page()
    sign_in(notifications, author.email)
    notifications.goto("/notifications")
    assert_accessible(notifications, "notifications")

    # The e-mails match the steps: editors told of the submission, reviewers of their assignment,
    # the author of each decision, reviewers of the resubmission.
    expected = [
        (editor.email, "submitted"),
        (reviewers[0].email, "review"),
        (reviewers[1].email, "review"),
        (author.email, "sent to review"),
        (author.email, "changes requested"),
        (reviewers[0].email, "resubmitted"),
        (author.email, "accepted"),
    ]
    for recipient, words in expected:
        received = mailbox.wait_for(1, recipient=recipient)
        subjects = [message["Subject"].lower() for message in mailbox.to(recipient)]
        assert any(words in subject for subject in subjects), (recipient, words, subjects)
        assert received
