"""A visitor reads the public side (issue 11, acceptance 6): the home page, an area's page with real content (an open
call, upcoming workshops, a published report and its top-ranked gaps, projects, a call topic), follows a gap to the
revision the report cites, then the workshop list and the publications list filtered. Every page passes axe and does
not scroll sideways, at desktop width and at 390px."""

import re
from datetime import datetime

import pytest

from tests.browser.support import DESKTOP, artifact_path, assert_accessible
from tests.browser.test_layout import overflow
from tests.main.support import accepted_gap, publish_gaps, recorded_report
from tests.reports.support import REPORTS_FOLDER, make_network
from tests.workshops.support import make_workshop

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
REPORT = "Border management state of the art 2026"
GAP = "Detecting low-flying drones over forested green borders at night"


@pytest.fixture
def public_content(app, client, make_user, monkeypatch):
    """Real content for the pages: workshops (one collecting inputs), a published report with gaps, projects, a call topic."""
    from app.community.models import ThematicArea
    from app.extensions import db
    from tests.factories import CallTopicFactory, ProjectFactory

    monkeypatch.setitem(app.config, "REPORTS_FOLDER", REPORTS_FOLDER)
    with app.app_context():
        area = db.session.scalar(db.select(ThematicArea).where(ThematicArea.code == "BM"))
        area.description = "Securing the EU's external borders while keeping them open for legitimate travel and trade."
        db.session.commit()
        make_workshop(
            title="Border surveillance technologies: call for inputs",
            starts_in=24 * 20,
            call=(-24, 24 * 10),
            types=("capability_gap", "technology"),
        )
        make_workshop(title="Interoperability of border information systems", starts_in=24 * 40, call=None, place="")
        for _ in range(3):
            ProjectFactory(area_codes=["BM"])
        CallTopicFactory(code="HORIZON-CL3-2026-01-BM-01", title="Improved detection of concealed objects at border crossing points")
    editor = make_user(["editor"], area_codes=["BM"])
    network = make_network(app, "European Network of Border Practitioners")
    gaps = [
        accepted_gap(app, GAP, priority="critical", network_id=network),
        accepted_gap(app, "Interoperable identity checks on the move", priority="high"),
        accepted_gap(app, "Training for officers at sea borders", priority="medium"),
    ]
    publish_gaps(app, client, editor, gaps, title=REPORT)
    recorded_report(app, "Briefing on document fraud", kind="briefing", published_at=datetime(2025, 11, 3))


@pytest.mark.parametrize("viewport_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)], ids=["desktop", "phone"])
def test_a_visitor_reads_the_public_side(public_content, new_page, viewport_name, viewport):
    problems = []

    def look(page, name, expect):
        page.screenshot(path=artifact_path(f"public-{viewport_name}-{name}.png"), full_page=True)
        if expect not in page.locator("main").inner_text():
            problems.append(f"{name}: {expect!r} not on the page")
        result = overflow(page)
        if result["extra"] > 0:
            problems.append(f"{name}: {result['extra']}px too wide at {viewport['width']}px ({', '.join(result['offenders'])})")
        try:
            assert_accessible(page, f"public-{viewport_name}-{name}")
        except AssertionError as failure:
            problems.append(str(failure))

    page = new_page(viewport)
    page.goto("/")
    look(page, "home", REPORT)
    page.get_by_role("link", name="Border Management", exact=True).click()
    page.wait_for_url(re.compile(r".*/areas/BM$"))
    look(page, "area", "Calls for inputs open now")
    main = page.locator("main")
    for expected in (
        "Border surveillance technologies: call for inputs",
        "Interoperability of border information systems",
        REPORT,
        "Briefing on document fraud",
        "3 EU-funded projects in the project explorer",
        "HORIZON-CL3-2026-01-BM-01",
    ):
        if expected not in main.inner_text():
            problems.append(f"area: {expected!r} not on the page")
    gaps = page.get_by_role("region", name="Top-ranked capability gaps")
    assert gaps.get_by_role("listitem").first.inner_text().startswith(GAP)

    # The top gap leads to the revision the report cites, readable without signing in.
    gaps.get_by_role("link", name=GAP, exact=True).click()
    page.wait_for_url(re.compile(r".*/contributions/\d+/revisions/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text().endswith(GAP) or GAP in page.locator("main").inner_text()
    page.go_back()

    page.get_by_role("link", name="Workshops of this area").click()
    page.wait_for_url(re.compile(r".*/workshops\?area=BM$"))
    look(page, "workshops", "Border surveillance technologies: call for inputs")

    page.goto("/publications")
    look(page, "publications", REPORT)
    page.get_by_label("Kind").select_option("briefing")
    with page.expect_navigation():
        page.get_by_role("button", name="Show publications").click()
    look(page, "publications-briefings", "Briefing on document fraud")
    if REPORT in page.locator("main").inner_text():
        problems.append("publications filtered by kind still lists the state-of-the-art report")
    assert not problems, "\n".join(problems)
