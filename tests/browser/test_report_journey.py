"""An editor creates a report, curates a section (include, exclude, move with the buttons, by keyboard) and
publishes it; a visitor finds it on /reports and reads it. Every page visited passes the axe check."""

import re

import pytest

from tests.browser.support import assert_accessible, sign_in
from tests.reports.support import REPORTS_FOLDER, make_contribution, make_network
from tests.support import wait_for

pytestmark = pytest.mark.browser

TITLE = "Border management: state of the art 2026"
DRONES = "Detecting drones at night"
WATCH_LISTS = "Sharing watch-lists across borders"
EXCLUDED = "Forged documents at small checkpoints"


@pytest.fixture
def accepted_gaps(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTS_FOLDER", REPORTS_FOLDER)
    polish = make_network(app, "Polish Border Guard Network", "PL")
    baltic = make_network(app, "Baltic Sea Region Security Forum", "EE")
    return {
        DRONES: make_contribution(app, DRONES, network_id=polish, submitted_days_ago=3),
        WATCH_LISTS: make_contribution(app, WATCH_LISTS, network_id=baltic, submitted_days_ago=2),
        EXCLUDED: make_contribution(app, EXCLUDED, network_id=polish, submitted_days_ago=1),
    }


def _included_titles(page):
    rows = page.get_by_role("region", name=re.compile("Included, in report order")).locator("tbody tr")
    return [rows.nth(index).locator("td").nth(1).locator("a").inner_text() for index in range(rows.count())]


def test_report_journey(new_page, make_user, accepted_gaps):
    editor = make_user(["editor"], area_codes=["BM"], name="Eva Editor")
    page = new_page()
    sign_in(page, editor.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.wait_for_url("**/reports")
    assert_accessible(page, "reports-editor")
    page.get_by_role("link", name="Editors' workspace").click()
    page.wait_for_url("**/reports/manage")
    assert_accessible(page, "reports-manage-empty")

    # Create the report from its kind's template.
    page.get_by_role("link", name="New report").click()
    page.wait_for_url("**/reports/new")
    assert_accessible(page, "reports-new")
    page.get_by_label("Kind of report").select_option("state_of_the_art")
    page.get_by_label("Title").fill(TITLE)
    assert page.get_by_label("BM – Border Management").is_checked()  # the editor's areas, ticked for them
    with page.expect_navigation():
        page.get_by_role("button", name="Create the report").click()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    sections = page.get_by_role("region", name="Sections of the report, in order")
    assert "Capability gaps" in sections.inner_text() and "Conclusions" in sections.inner_text()
    assert_accessible(page, "report-edit-new")

    # Curate the capability gaps: the three accepted gaps are suggested.
    page.get_by_role("link", name="Capability gaps").click()
    page.wait_for_url(re.compile(r".*/sections/\d+$"))
    assert_accessible(page, "section-suggestions")
    for title, action in ((DRONES, "Include"), (WATCH_LISTS, "Include"), (EXCLUDED, "Exclude")):
        with page.expect_navigation():
            page.get_by_role("button", name=f"{action}: {title}").click()
    assert _included_titles(page) == [DRONES, WATCH_LISTS]
    assert EXCLUDED in page.get_by_role("region", name=re.compile("Excluded")).inner_text()

    # Move the second one up with the keyboard alone.
    move_up = page.get_by_role("button", name=f"Move up: {WATCH_LISTS}")
    move_up.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _included_titles(page) == [WATCH_LISTS, DRONES]
    assert "is now number 1" in page.get_by_role("status").inner_text()
    assert_accessible(page, "section-curated")

    # Publish.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=TITLE).click()
    page.wait_for_url(re.compile(r".*/reports/\d+/edit$"))
    with page.expect_navigation():
        page.get_by_role("button", name="Publish version 1").click()

    def published():
        if "Version 1 is published." in page.get_by_role("region", name="Publishing").inner_text():
            return True
        page.reload()
        return False

    wait_for(published, timeout=60, interval=0.5, message="version 1 published")
    assert_accessible(page, "report-edit-published")

    # A visitor, in another browser, finds it and reads it.
    visitor = new_page()
    visitor.goto("/reports")
    assert_accessible(visitor, "reports-public")
    visitor.get_by_label("Thematic area").select_option("BM")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="Show reports").click()
    visitor.get_by_role("link", name=TITLE).click()
    visitor.wait_for_url(re.compile(r".*/reports/\d+$"))
    assert visitor.get_by_role("heading", level=1).inner_text() == TITLE
    document = visitor.locator("article.report-document").inner_text()
    assert document.index(WATCH_LISTS) < document.index(DRONES)
    assert "Baltic Sea Region Security Forum" in document and "Polish Border Guard Network" in document
    assert EXCLUDED not in visitor.content()
    pdf = visitor.get_by_role("link", name=re.compile("PDF document"))
    assert pdf.is_visible()
    assert visitor.request.get(pdf.get_attribute("href")).body().startswith(b"%PDF-")
    assert_accessible(visitor, "report-read")
