"""A contributor fills in and submits one contribution of each type through the real form and editor."""

import pytest

from app.contributions.types import TYPES
from tests.browser.support import assert_accessible, sign_in
from tests.contributions.samples import TYPE_FIELDS

pytestmark = pytest.mark.browser


def fill_type_fields(page, spec):
    for field in spec.fields:
        value = TYPE_FIELDS[spec.code].get(field.name)
        if value is None or field.kind == "contribution_refs":
            continue
        label = str(field.label)
        if field.kind in ("text", "long_text", "url", "integer"):
            page.get_by_label(label, exact=True).fill(str(value))
        elif field.kind == "date":
            page.get_by_label(label, exact=True).fill(value)
        elif field.kind == "choice":
            group = page.get_by_role("group", name=label)
            group.get_by_label(str(field.choice_label(value)), exact=True).check()
        elif field.kind == "multi_choice":
            group = page.get_by_role("group", name=label)
            for item in value:
                group.get_by_label(str(field.choice_label(item)), exact=True).check()


@pytest.mark.parametrize("contribution_type", list(TYPES))
def test_contributor_submits_each_type_through_the_form(page, app, make_user, contribution_type):
    from app.extensions import db
    from tests.contributions.samples import make_project

    with app.app_context():
        make_project("BORDERSENSE")
        db.session.remove()
    contributor = make_user(["contributor"])
    sign_in(page, contributor.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My contributions").click()
    page.get_by_role("link", name="New contribution").first.click()
    spec = TYPES[contribution_type]
    page.get_by_role("link", name=str(spec.name)).click()
    page.wait_for_url(f"**/contributions/new/{contribution_type}")
    assert_accessible(page, f"new-{contribution_type}")

    page.get_by_label("Title", exact=True).fill(f"Field report: {spec.name}")
    page.get_by_role("group", name="Thematic areas").get_by_label("BM – Border Management").check()
    editor = page.get_by_role("textbox", name="Summary")
    editor.click()
    page.get_by_role("button", name="Bold").click()
    editor.type("Urgent")
    page.get_by_role("button", name="Bold").click()
    editor.type(" for patrols at the border.")
    fill_type_fields(page, spec)
    if spec.requires_projects:
        page.get_by_role("combobox", name="Find EU-funded projects by acronym or title").fill("BORDER")
        with page.expect_navigation():
            page.get_by_role("button", name="Search projects").click()
        page.get_by_label("BORDERSENSE – BORDERSENSE research project").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save and submit").click()

    main = page.locator("main")
    assert "Your contribution is submitted" in page.get_by_role("status").inner_text(), main.inner_text()[:1500]
    assert "State: Submitted" in main.inner_text()
    assert main.locator(".rich-text b, .rich-text strong").first.inner_text() == "Urgent"
    assert_accessible(page, f"detail-{contribution_type}")
