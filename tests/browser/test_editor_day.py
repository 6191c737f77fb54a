"""An editor's day in the browser (issue 12, acceptance 1, the editor's share): told the reviews are in, they land on
their desk, open the contribution from it and decide from one page: a refused decision keeps the letter, the
accepted one goes back to the desk. Accessibility checked, and nothing wider than the window, at 1280 and 390 px."""

import pytest

from tests.browser.support import assert_accessible, sign_in
from tests.browser.test_layout import overflow
from tests.contributions.samples import payload, user

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def reviewed_contribution(app, author, reviewers, title):
    """A BM capability gap in review; both reviewers review it (the second review makes it ready for a decision)."""
    from app.contributions import services
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews import services as reviews
    from app.reviews.models import ReviewerAssignment
    from app.timeutil import utcnow

    with app.app_context():
        contribution = services.create_draft(user(author.id), payload("capability_gap", title=title, thematic_areas=["BM"]))
        services.mark_submitted(contribution, user(author.id))
        contribution.state = services.workflow().states_flagged("reviewable")[0]
        for reviewer in reviewers:
            db.session.add(ReviewerAssignment(contribution_id=contribution.id, reviewer_id=reviewer.id, due_at=utcnow()))
        db.session.commit()
        contribution_id = contribution.id
        for reviewer, recommendation in zip(reviewers, ("accept", "revise"), strict=True):
            reviews.submit_review(
                db.session.get(Contribution, contribution_id),
                user(reviewer.id),
                {
                    "recommendation": recommendation,
                    "scores": {"relevance": 4, "evidence": 3, "urgency": 5},
                    "comment_to_author": "Add the 2025 incident figures.",
                    "confidential_comment": "Solid need.",
                },
            )
    return contribution_id


def check_page(page, name):
    assert_accessible(page, name)
    assert overflow(page)["extra"] <= 0, (name, overflow(page))


def test_an_editor_is_told_the_reviews_are_in_and_decides_from_one_page(app, new_page, make_user, mailbox):
    author = make_user(["contributor"], organisation="Guardia Civil", name="Ana Author")
    editor = make_user(["editor"], area_codes=["BM"], organisation="European Commission", name="Eda Editor")
    reviewers = [
        make_user(["reviewer"], area_codes=["BM"], organisation="Politie", name="Rik Reviewer"),
        make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei", name="Rita Reviewer"),
    ]
    title = "Thermal cameras for night patrols"
    contribution_id = reviewed_contribution(app, author, reviewers, title)

    # Told by e-mail: first a review arrived, then it is ready for a decision.
    mailbox.wait_for(2, recipient=editor.email)
    subjects = [message["Subject"] for message in mailbox.to(editor.email)]
    assert any("Ready for a decision" in subject for subject in subjects), subjects

    page = new_page(DESKTOP)
    sign_in(page, editor.email)
    assert page.url.endswith("/desk")  # an editor's home is the desk
    ready = page.locator("section", has=page.get_by_role("heading", name="BM – Border Management"))
    assert ready.get_by_role("heading", name="Ready for a decision (1)").is_visible()
    check_page(page, "editor-desk")

    page.get_by_role("banner").get_by_role("link", name="Notifications").click()
    assert "ready for your decision" in page.locator("main").inner_text()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Editor's desk").click()
    page.get_by_role("link", name=title).first.click()
    assert page.get_by_role("heading", name="The contribution").is_visible()
    assert "Revise" in page.locator("main").inner_text()  # recommendations in words
    check_page(page, "editor-decision")

    # Request changes without the letter the workflow requires: refused, still on the page, nothing lost.
    form = page.locator("#decision-form")
    form.get_by_label("Request changes").check()
    form.get_by_label("I have read the reviews and confirm this decision").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Send the decision").click()
    assert "/desk/contributions/" in page.url
    assert "needs a comment saying why" in page.locator("main").inner_text()
    check_page(page, "editor-decision-refused")

    form = page.locator("#decision-form")
    form.get_by_label("Letter to the author").fill("Thank you. Please add the 2025 incident figures the reviewers ask for.")
    form.get_by_label("Request changes").check()
    form.get_by_label("I have read the reviews and confirm this decision").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Send the decision").click()
    assert page.url.endswith("/desk")
    assert "Changes requested" in page.get_by_role("status").inner_text()

    # The same pages on a phone.
    phone = new_page(PHONE)
    sign_in(phone, editor.email)
    for name, address in (("editor-desk-phone", "/desk"), ("editor-decision-phone", f"/desk/contributions/{contribution_id}")):
        phone.goto(address)
        check_page(phone, name)

    assert mailbox.wait_for(1, recipient=author.email)
