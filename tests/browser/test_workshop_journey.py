"""A thematic workshop in the browser (issue 11, acceptance 6): a chair creates it with an open call for inputs, a
contributor registers and submits an input from its page, the chair finds the input on the workshop page and sends
it to review, and a visitor reads the workshop list and the area's page. Every page passes axe, at desktop width and
at 390px, and none scrolls sideways."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from app.contributions.types import TYPES
from tests.browser.support import DESKTOP, assert_accessible, sign_in
from tests.browser.test_contribution_forms import fill_type_fields
from tests.browser.test_layout import overflow

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = "Detecting drones at the green border: call for inputs"
INPUT = "Thermal cameras miss small drones under forest canopy"


def local(moment):
    """A moment as a datetime-local field takes it, in Brussels time (the workshop's zone)."""
    return moment.astimezone(ZoneInfo("Europe/Brussels")).strftime("%Y-%m-%dT%H:%M")


def check(page, name, problems):
    assert_accessible(page, name)
    wide = overflow(page)
    if wide["extra"] > 0:
        problems.append(f"{name}: {wide['extra']} px wider than the screen: {wide['offenders']}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_chair_runs_a_call_and_a_contributor_submits_to_it(new_page, make_user, viewport):
    problems = []
    chair = make_user(["editor"], area_codes=["BM"], name="Chiara Chair", organisation="European Commission")
    contributor = make_user(["contributor"], name="Piet Practitioner", organisation="Koninklijke Marechaussee")
    now = datetime.now(ZoneInfo("UTC"))

    # The chair creates the workshop, with its call for inputs open from an hour ago.
    chair_page = new_page(viewport)
    sign_in(chair_page, chair.email)
    chair_page.goto("/workshops")
    chair_page.get_by_role("link", name="Create a workshop").click()
    check(chair_page, "workshop-form", problems)
    chair_page.get_by_label("Title", exact=True).fill(TITLE)
    chair_page.get_by_role("group", name="Thematic areas").get_by_label("BM – Border Management").check()
    chair_page.get_by_label("Time zone").select_option("Europe/Brussels")
    chair_page.get_by_label("Starts", exact=True).fill(local(now + timedelta(days=30)))
    chair_page.get_by_label("Ends", exact=True).fill(local(now + timedelta(days=30, hours=6)))
    chair_page.get_by_label("Place", exact=True).fill("Brussels, Berlaymont")
    chair_page.get_by_label("Capacity").fill("40")
    chair_page.get_by_label("Call for inputs opens").fill(local(now - timedelta(hours=1)))
    chair_page.get_by_label("Call for inputs closes").fill(local(now + timedelta(days=14)))
    chair_page.get_by_role("group", name="Contribution types the call asks for").get_by_label(
        str(TYPES["capability_gap"].name), exact=True
    ).check()
    with chair_page.expect_navigation():
        chair_page.get_by_role("button", name="Create the workshop").click()
    assert chair_page.get_by_role("heading", level=1).inner_text() == TITLE, chair_page.locator("main").inner_text()[:1500]
    assert "Call for inputs: open" in chair_page.locator("main").inner_text()
    check(chair_page, "workshop-created", problems)
    workshop_path = urlsplit(chair_page.url).path

    # A contributor registers to attend and submits an input from the workshop's page.
    page = new_page(viewport)
    sign_in(page, contributor.email)
    page.goto(workshop_path)
    with page.expect_navigation():
        page.get_by_role("button", name="Register to attend").click()
    assert page.get_by_role("button", name="Cancel my registration").is_visible()
    check(page, "workshop-registered", problems)
    spec = TYPES["capability_gap"]
    page.get_by_role("link", name=f"Submit an input: {spec.name}").click()
    page.wait_for_url("**/contributions/new/capability_gap**")
    assert page.get_by_label("Workshop").locator("option:checked").inner_text() == TITLE
    assert page.get_by_role("group", name="Thematic areas").get_by_label("BM – Border Management").is_checked()
    check(page, "input-form", problems)
    page.get_by_label("Title", exact=True).fill(INPUT)
    editor = page.get_by_role("textbox", name="Summary")
    editor.click()
    editor.type("Canopy hides small drones from thermal imaging at night.")
    fill_type_fields(page, spec)
    with page.expect_navigation():
        page.get_by_role("button", name="Save and submit").click()
    assert "Your contribution is submitted" in page.get_by_role("status").inner_text(), page.locator("main").inner_text()[:1500]
    assert TITLE in page.locator("main").inner_text()

    # The chair finds it among the inputs collected and sends it to review.
    chair_page.goto(workshop_path)
    inputs = chair_page.get_by_role("region", name="Inputs collected")
    assert INPUT in inputs.inner_text()
    check(chair_page, "workshop-with-input", problems)
    inputs.get_by_role("checkbox").first.check()
    with chair_page.expect_navigation():
        chair_page.get_by_role("button", name="Send the chosen inputs to review").click()
    assert "1" in chair_page.get_by_role("status").first.inner_text()
    chair_page.get_by_role("link", name="Attendees and waiting list").click()
    assert "Piet Practitioner" in chair_page.locator("main").inner_text()
    check(chair_page, "attendees", problems)

    # A visitor reads the workshop list and the area's page.
    visitor = new_page(viewport)
    visitor.goto("/workshops")
    assert visitor.get_by_role("link", name=TITLE).is_visible()
    check(visitor, "workshop-list", problems)
    visitor.goto("/areas/BM")
    assert TITLE in visitor.locator("main").inner_text()
    check(visitor, "area-page", problems)
    visitor.get_by_role("link", name=TITLE).first.click()
    assert visitor.get_by_role("heading", level=1).inner_text() == TITLE
    assert INPUT not in visitor.locator("main").inner_text()
    check(visitor, "workshop-as-visitor", problems)

    assert not problems, "\n".join(problems)
