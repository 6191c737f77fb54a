"""A thematic area's page is its front door (issue 11, "Public side"): description, open calls for inputs, upcoming
workshops, latest published reports, top-ranked capability gaps, the explorer's projects, the Cluster 3 call topics."""

import re

import pytest

from tests.main.support import accepted_gap, publish_gaps, recorded_report, section
from tests.reports.support import REPORTS_FOLDER, make_network
from tests.workshops.support import make_workshop


@pytest.fixture(autouse=True)
def _reports_folder(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTS_FOLDER", REPORTS_FOLDER)


def _workshop(app, **options):
    with app.app_context():
        return make_workshop(**options).id


def _page(client, code="BM"):
    response = client.get(f"/areas/{code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_unknown_area_code_answers_404_and_a_code_in_any_case_finds_its_area(client):
    assert client.get("/areas/XYZ").status_code == 404
    assert "Border Management" in _page(client, "bm")


def test_the_page_shows_the_areas_description_escaped(app, client):
    from app.community.models import ThematicArea
    from app.extensions import db

    with app.app_context():
        area = db.session.scalar(db.select(ThematicArea).where(ThematicArea.code == "BM"))
        area.description = "Borders <b>and</b> the people who guard them."
        db.session.commit()
    html = _page(client)
    assert "Borders &lt;b&gt;and&lt;/b&gt; the people who guard them." in html


def test_open_calls_list_the_areas_workshops_collecting_inputs_only(app, client):
    _workshop(app, title="BM call open now", areas=("BM",), call=(-1, 48), types=("capability_gap", "technology"))
    _workshop(app, title="BM call closed already", areas=("BM",), call=(-48, -1))
    _workshop(app, title="BM call not open yet", areas=("BM",), call=(24, 48))
    _workshop(app, title="CS call open now", areas=("CS",), call=(-1, 48))
    calls = section(_page(client), "open-calls-heading")
    assert "BM call open now" in calls
    assert "It asks for: Capability gap, State-of-the-art solution." in calls
    for absent in ("BM call closed already", "BM call not open yet", "CS call open now"):
        assert absent not in calls


def test_the_page_says_when_no_call_is_open(client):
    assert "No workshop of this area is collecting inputs now." in section(_page(client), "open-calls-heading")


def test_upcoming_workshops_are_the_areas_next_ones_soonest_first(app, client):
    _workshop(app, title="Later BM workshop", areas=("BM",), starts_in=96, call=None)
    _workshop(app, title="Sooner BM workshop", areas=("BM", "CS"), starts_in=48, call=None)
    _workshop(app, title="Past BM workshop", areas=("BM",), starts_in=-48, call=None)
    _workshop(app, title="Upcoming CS workshop", areas=("CS",), starts_in=48, call=None)
    upcoming = section(_page(client), "upcoming-heading")
    assert upcoming.index("Sooner BM workshop") < upcoming.index("Later BM workshop")
    assert "Past BM workshop" not in upcoming and "Upcoming CS workshop" not in upcoming


def test_upcoming_workshops_are_capped_with_a_link_to_all_of_them(app, client):
    from app.main.services import AREA_WORKSHOPS

    for number in range(AREA_WORKSHOPS + 1):
        _workshop(app, title=f"BM workshop {number:02d}", starts_in=24 + number, call=None)
    upcoming = section(_page(client), "upcoming-heading")
    assert f"BM workshop {AREA_WORKSHOPS - 1:02d}" in upcoming and f"BM workshop {AREA_WORKSHOPS:02d}" not in upcoming
    assert "/workshops?area=BM" in upcoming


def test_latest_reports_are_the_areas_published_ones_newest_first(app, client):
    from datetime import datetime

    recorded_report(app, "Older BM report", published_at=datetime(2025, 3, 1))
    recorded_report(app, "Newer BM briefing", kind="briefing", published_at=datetime(2026, 3, 1))
    recorded_report(app, "CS report", areas=("CS",))
    reports = section(_page(client), "reports-heading")
    assert reports.index("Newer BM briefing") < reports.index("Older BM report")
    assert "Briefing" in reports
    assert "CS report" not in reports
    assert "/publications?area=BM" in reports


def test_a_draft_or_frozen_report_never_shows_nor_a_draft_edit_of_a_published_one(app, client):
    recorded_report(app, "Draft BM report", versions=0, state="draft")
    recorded_report(app, "Frozen BM report being built", versions=0, state="frozen")
    report_id = recorded_report(app, "Published BM report")
    with app.app_context():
        from app.extensions import db
        from app.reports.models import Report

        report = db.session.get(Report, report_id)
        report.title, report.state, report.version = "Unpublished new title", "draft", 2
        db.session.commit()
    html = _page(client)
    assert "Published BM report" in section(html, "reports-heading")
    for hidden in ("Draft BM report", "Frozen BM report being built", "Unpublished new title"):
        assert hidden not in html


def test_the_project_count_is_the_explorers_for_the_area_and_links_to_it(app, client):
    from app.projects import explorer
    from tests.factories import ProjectFactory

    with app.app_context():
        for _ in range(3):
            ProjectFactory(area_codes=["BM"])
        ProjectFactory(area_codes=["BM", "CS"])
        ProjectFactory(area_codes=["CS"])
        ProjectFactory(area_codes=[])
        in_explorer = explorer.search(explorer.Filters(area=["BM"])).total
    assert in_explorer == 4
    html = _page(client)
    assert re.search(r'href="/projects\?area=BM"><strong>4</strong> EU-funded projects in the project explorer', html)


def test_open_call_topics_of_the_area_are_still_listed(app, client):
    from tests.factories import CallTopicFactory

    with app.app_context():
        CallTopicFactory(code="HORIZON-CL3-2026-BM-01", title="Border surveillance of tomorrow")
    topics = section(_page(client), "call-topics-heading")
    assert "HORIZON-CL3-2026-BM-01" in topics and "Border surveillance of tomorrow" in topics


# --- the top-ranked capability gaps of published reports (published for real: they are read from the files) ------


def test_top_gaps_come_from_published_reports_highest_priority_first_linking_to_the_cited_revision(app, client, make_user):
    editor = make_user(["editor"], area_codes=["BM"])
    first, second = make_network(app, "Network one"), make_network(app, "Network two")
    medium = accepted_gap(app, "Medium gap on radar coverage", priority="medium")
    critical = accepted_gap(app, "Critical gap on night vision", priority="critical", network_id=first)
    high = accepted_gap(app, "High gap on drone detection", priority="high", network_id=first)
    also_high = accepted_gap(app, "High gap on drone detection", priority="high", network_id=second)  # the same gap, a second network
    low_high = accepted_gap(app, "High gap on tunnel sensing", priority="high")
    not_in_report = accepted_gap(app, "Accepted gap in no report", priority="critical")
    publish_gaps(app, client, editor, [medium, critical, high, also_high, low_high])

    gaps = section(_page(client), "gaps-heading")
    titles = re.findall(r"<h3><a [^>]*>([^<]+)</a></h3>", gaps)
    # Priority first; among equal priorities, more independent networks first; a gap two contributions raise shows once.
    assert titles == [
        "Critical gap on night vision",
        "High gap on drone detection",
        "High gap on tunnel sensing",
        "Medium gap on radar coverage",
    ]
    assert "Raised by 2 independent networks." in gaps
    assert "Accepted gap in no report" not in gaps and f"/contributions/{not_in_report}/" not in gaps
    link = re.search(r'<h3><a href="([^"]+)">Critical gap on night vision</a></h3>', gaps).group(1)
    assert link == f"/contributions/{critical}/revisions/1"
    # The link works for a visitor who is not signed in.
    visitor = app.test_client()
    response = visitor.get(link)
    assert response.status_code == 200 and "Critical gap on night vision" in response.get_data(as_text=True)


def test_gaps_of_an_unpublished_report_or_of_another_area_do_not_show(app, client, make_user):
    from tests.reports.support import bearer, create_report, set_item

    editor = make_user(["editor"], area_codes=["BM", "CS"])
    published_gap = accepted_gap(app, "Gap in a published report", priority="low")
    draft_gap = accepted_gap(app, "Gap only in a draft report", priority="critical")
    cs_gap = accepted_gap(app, "Cybersecurity gap", priority="critical", areas=("CS",))
    headers = bearer(app, editor)
    draft = create_report(client, headers, title="Draft report")
    set_item(client, headers, draft, "Capability gaps", draft_gap, "included")
    publish_gaps(app, client, editor, [published_gap, cs_gap], areas=("BM", "CS"))

    bm_gaps = section(_page(client), "gaps-heading")
    assert "Gap in a published report" in bm_gaps
    assert "Gap only in a draft report" not in bm_gaps and "Cybersecurity gap" not in bm_gaps
    assert "Cybersecurity gap" in section(_page(client, "CS"), "gaps-heading")


def test_a_gap_two_published_reports_rank_shows_once_as_the_newer_ranks_it(app, client, make_user):
    editor = make_user(["editor"], area_codes=["BM"])
    shared = accepted_gap(app, "Gap both reports rank", priority="high")
    publish_gaps(app, client, editor, [shared], title="Older border report")
    newer = publish_gaps(app, client, editor, [shared], title="Newer border report")
    gaps = section(_page(client), "gaps-heading")
    assert gaps.count("Gap both reports rank") == 1
    assert f'href="/reports/{newer["id"]}/versions/1">Newer border report</a>' in gaps


def test_at_most_the_cap_of_gaps_shows(app, client, make_user):
    from app.main.services import AREA_GAPS

    editor = make_user(["editor"], area_codes=["BM"])
    gaps = [
        accepted_gap(app, f"Distinct need number {word}", priority="medium")
        for word in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")
    ]
    assert len(gaps) > AREA_GAPS
    publish_gaps(app, client, editor, gaps)
    shown = re.findall(r"<h3><a [^>]*>Distinct need number", section(_page(client), "gaps-heading"))
    assert len(shown) == AREA_GAPS


# --- bounded queries ----------------------------------------------------------------------------


def _fill(app, times):
    from tests.factories import CallTopicFactory, ProjectFactory

    for number in range(times):
        _workshop(app, title=f"Open BM call {times}-{number}", call=(-1, 48), starts_in=100 + number)
        _workshop(app, title=f"Upcoming BM {times}-{number}", call=None, starts_in=50 + number)
        recorded_report(app, f"BM report {times}-{number}", areas=("BM", "CS"))
        with app.app_context():
            ProjectFactory(area_codes=["BM"])
            CallTopicFactory()


def test_the_page_runs_a_fixed_number_of_queries_whatever_the_data(app, client, count_queries):
    def queries():
        client.get("/areas/BM")
        with count_queries() as statements:
            assert client.get("/areas/BM").status_code == 200
        return len(statements)

    _fill(app, 2)
    small = queries()
    _fill(app, 18)
    large = queries()
    assert large <= small, f"{small} queries with small data, {large} with ten times the data"
    assert small <= 16, small
