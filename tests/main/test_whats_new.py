"""The home page shows what is new across the areas: the latest publications, the next workshops, the open calls."""

from datetime import datetime

import pytest

from tests.main.support import accepted_gap, publish_gaps, recorded_report, section
from tests.reports.support import REPORTS_FOLDER
from tests.workshops.support import make_workshop


@pytest.fixture(autouse=True)
def _reports_folder(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTS_FOLDER", REPORTS_FOLDER)


def _home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_home_page_changes_when_a_report_is_published(app, client, make_user):
    editor = make_user(["editor"], area_codes=["BM"])
    gap = accepted_gap(app, "Detection of small boats at night")
    before = section(_home(client), "latest-reports-heading")
    assert "No report is published yet." in before
    report = publish_gaps(app, client, editor, [gap], title="Maritime border surveillance 2026")
    after = section(_home(client), "latest-reports-heading")
    assert "Maritime border surveillance 2026" in after
    assert f'href="/reports/{report["id"]}"' in after
    assert "No report is published yet." not in after


def test_the_latest_publications_are_the_newest_across_areas_and_capped(app, client):
    from app.main.services import HOME_REPORTS

    for number in range(HOME_REPORTS + 1):
        recorded_report(
            app, f"Report number {number}", areas=("BM",) if number % 2 else ("CS",), published_at=datetime(2026, 1, 1 + number)
        )
    latest = section(_home(client), "latest-reports-heading")
    shown = [f"Report number {number}" for number in range(HOME_REPORTS + 1) if f"Report number {number}" in latest]
    assert shown == [f"Report number {number}" for number in range(1, HOME_REPORTS + 1)]
    assert latest.index(f"Report number {HOME_REPORTS}") < latest.index("Report number 1")
    assert 'href="/publications"' in latest


def test_unpublished_reports_never_show_on_the_home_page(app, client):
    recorded_report(app, "A draft nobody published", versions=0, state="draft")
    recorded_report(app, "A first version being built", versions=0, state="frozen")
    html = _home(client)
    assert "A draft nobody published" not in html and "A first version being built" not in html


def test_the_next_workshops_and_the_open_calls_show(app, client):
    with app.app_context():
        make_workshop(title="Workshop with an open call", areas=("CS",), starts_in=200, call=(-1, 48))
        make_workshop(title="Workshop coming soon", areas=("BM",), starts_in=24, call=None)
        make_workshop(title="Workshop already held", starts_in=-48, call=None)
        make_workshop(title="Workshop whose call closed", starts_in=300, call=(-48, -24))
    html = _home(client)
    workshops = section(html, "next-workshops-heading")
    assert workshops.index("Workshop coming soon") < workshops.index("Workshop with an open call")
    assert "Workshop already held" not in workshops
    calls = section(html, "open-calls-heading")
    assert "Workshop with an open call" in calls
    assert "Workshop whose call closed" not in calls and "Workshop coming soon" not in calls


def test_the_home_page_runs_a_fixed_number_of_queries_whatever_the_data(app, client, count_queries):
    def fill(times):
        with app.app_context():
            for number in range(times):
                make_workshop(title=f"Workshop {times}-{number}", starts_in=10 + number, call=(-1, 48))
        for number in range(times):
            recorded_report(app, f"Report {times}-{number}")

    def queries():
        client.get("/")
        with count_queries() as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    fill(2)
    small = queries()
    fill(18)
    large = queries()
    assert large <= small, f"{small} queries with small data, {large} with ten times the data"
    assert small <= 10, small
