"""The whole review journey in the browser, with the e-mails it sends."""

import pytest

from tests.browser.support import assert_accessible, sign_in
from tests.contributions.samples import payload

pytestmark = pytest.mark.browser


def review(page, title, recommendation):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("group", name="Recommendation").get_by_label(recommendation, exact=True).check()
    for score, value in (("Relevance", "4"), ("Evidence", "3"), ("Urgency", "5")):
        page.get_by_role("group", name=f"{score} (1 low – 5 high)").get_by_label(value, exact=True).check()
    page.get_by_label("Comment to the author").fill("Clear need; add figures.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save my review").click()
    assert "Your review is saved" in page.get_by_role("status").inner_text()


def decide(page, contribution_id, button, comment=None):
    page.goto(f"/desk/contributions/{contribution_id}")
    if comment:
        page.get_by_label(f"Comment for “{button}”").fill(comment)
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


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
    editor_page.get_by_role("link", name=title).click()
    assert_accessible(editor_page, "decision-submitted")
    with editor_page.expect_navigation():
        editor_page.get_by_role("button", name="Send to review", exact=True).click()

    reviewer_pages = []
    for reviewer in reviewers:
        page = new_page()
        sign_in(page, reviewer.email)
        review(page, title, "Accept")
        reviewer_pages.append(page)
    assert_accessible(reviewer_pages[0], "review-form")

    decide(editor_page, contribution_id, "Request changes", "Please quantify the incidents.")

    author_page.goto(f"/contributions/{contribution_id}/edit")
    author_page.get_by_label("Title", exact=True).fill(title + " (with 2025 figures)")
    with author_page.expect_navigation():
        author_page.get_by_role("button", name="Save and resubmit").click()

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
