"""A contributor's working day in the browser (issue 12, acceptance 1): they read the requested changes on the
contribution and edit pages, attach a file while editing without losing their edits, press Enter in a field without
taking a secondary action, and resubmit with a response that a reviewer then reads beside the changes. A new draft
shows every problem at once with the focus on the summary, and is deleted after a confirmation page; withdrawing
asks first. Every page passes axe, at desktop width and at 390px, and none scrolls sideways."""

import pytest

from tests.browser.support import DESKTOP, assert_accessible, sign_in
from tests.browser.test_layout import overflow
from tests.contributions.test_attachments import pdf_bytes

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LETTER = "Please add the figures from the 2025 pilot at the eastern border."
REVIEW_COMMENT = "The operational context needs numbers: how many drones a night?"
RESPONSE = "Added the pilot's figures to the operational context."


def check(page, name, problems):
    assert_accessible(page, name)
    wide = overflow(page)
    if wide["extra"] > 0:
        problems.append(f"{name}: {wide['extra']} px wider than the screen: {wide['offenders']}")


def sent_back_for_changes(app):
    """A capability gap reviewed twice and sent back for changes with a letter; returns its InState."""
    from app.auth.models import User
    from app.contributions import services
    from app.extensions import db
    from app.reviews.models import Review
    from tests.contributions.samples import reload
    from tests.factories import UserFactory, contribution_in_state

    with app.app_context():
        author = UserFactory(roles=["contributor"], name="Piet Practitioner", organisation="Koninklijke Marechaussee")
        reviewers = [UserFactory(roles=["reviewer"], area_codes=["BM"], name=name) for name in ("Rita Reviewer", "Rolf Reviewer")]
        made = contribution_in_state("in_review", author=author, reviewers=reviewers, reviewed=True, title="Small drones at night")
        for review in db.session.query(Review).filter_by(contribution_id=made.id):
            review.comment_to_author = REVIEW_COMMENT
            review.recommendation = "revise"
        db.session.commit()
        services.transition(reload(made.id), "request_changes", db.session.get(User, made.editor_id), comment=LETTER)
        emails = {user_id: db.session.get(User, user_id).email for user_id in (made.author_id, *made.reviewer_ids)}
        return made, emails


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_contributor_revises_with_a_file_and_a_response(app, new_page, viewport, tmp_path):
    problems = []
    made, emails = sent_back_for_changes(app)
    evidence = tmp_path / "pilot-figures.pdf"
    evidence.write_bytes(pdf_bytes("Pilot figures"))

    page = new_page(viewport)
    sign_in(page, emails[made.author_id])
    page.goto(f"/contributions/{made.id}")
    notice = page.get_by_role("region", name="Changes requested")
    assert LETTER in notice.inner_text() and REVIEW_COMMENT in notice.inner_text()
    assert "Rita Reviewer" not in page.locator("main").inner_text()
    check(page, "changes-requested-detail", problems)

    page.locator("main").get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url(f"**/contributions/{made.id}/edit")
    assert LETTER in page.get_by_role("region", name="Changes requested").inner_text()
    check(page, "changes-requested-edit", problems)

    # An edit and a file, saved together: the edit is kept and the file attached.
    context = page.get_by_label("Operational context", exact=True)
    context.fill("Patrols along 400 km of forested border; the 2025 pilot counted 12 drones a night")
    page.get_by_label("Add files").set_input_files(str(evidence))
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft", exact=True).last.click()
    assert "Saved." in page.locator(".flashes").inner_text(), page.locator("main").inner_text()[:1500]
    assert "12 drones a night" in page.get_by_label("Operational context", exact=True).input_value()
    assert page.get_by_role("link", name="pilot-figures.pdf", exact=True).is_visible()
    check(page, "edit-with-attachment", problems)

    # Enter in a text field saves the draft: never a search, never submitting.
    title = page.get_by_label("Title", exact=True)
    title.fill("Small drones at night over the green border")
    with page.expect_navigation():
        title.press("Enter")
    assert "Saved." in page.locator(".flashes").inner_text()
    assert page.url.endswith(f"/contributions/{made.id}/edit")
    assert page.get_by_label("Title", exact=True).input_value() == "Small drones at night over the green border"

    # Resubmitting with a response to the reviewers.
    page.get_by_label("Your response to the reviewers (optional)").fill(RESPONSE)
    with page.expect_navigation():
        page.get_by_role("button", name="Save and resubmit").click()
    assert "State: In review" in page.locator("main").inner_text(), page.locator("main").inner_text()[:1500]
    assert page.get_by_role("region", name="Changes requested").count() == 0
    check(page, "resubmitted", problems)

    # A reviewer reads the response beside the changes.
    reviewer = new_page(viewport)
    sign_in(reviewer, emails[made.reviewer_ids[0]])
    reviewer.goto(f"/contributions/{made.id}/diff")
    assert RESPONSE in reviewer.get_by_role("region", name="The author's response to the reviewers").inner_text()
    check(reviewer, "diff-with-response", problems)

    # Withdrawing asks first, and says it cannot be undone.
    page.get_by_role("link", name="Withdraw…").click()
    assert "This cannot be undone." in page.locator("main").inner_text()
    check(page, "withdraw-confirmation", problems)
    page.get_by_role("link", name="No, go back").click()
    assert "State: In review" in page.locator("main").inner_text()

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_new_draft_reports_every_problem_at_once_and_can_be_deleted(make_user, new_page, viewport):
    problems = []
    contributor = make_user(["contributor"])
    page = new_page(viewport)
    sign_in(page, contributor.email)
    page.goto("/contributions/new/capability_gap")
    assert page.get_by_label("Title", exact=True).get_attribute("required") is not None
    assert page.get_by_role("textbox", name="Summary").get_attribute("aria-required") == "true"
    check(page, "new-form", problems)

    page.get_by_label("Need or gap", exact=True).fill("Small drones at night")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and submit").click()
    summary = page.locator("#error-summary")
    assert page.evaluate("document.activeElement && document.activeElement.id") == "error-summary"
    listed = summary.inner_text()
    for label in ("Title", "Summary", "Thematic areas"):
        assert label in listed, listed
    check(page, "new-form-errors", problems)

    page.get_by_label("Title", exact=True).fill("A draft I will not keep")
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft", exact=True).last.click()
    assert "Saved." in page.locator(".flashes").inner_text(), page.locator("main").inner_text()[:1500]
    page.get_by_role("link", name="Delete this draft").click()
    assert "This cannot be undone." in page.locator("main").inner_text()
    check(page, "delete-confirmation", problems)
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, delete the draft").click()
    assert "Deleted: A draft I will not keep" in page.locator(".flashes").inner_text()
    assert "A draft I will not keep" not in page.locator("main").inner_text().replace("Deleted: A draft I will not keep", "")

    assert not problems, "\n".join(problems)
