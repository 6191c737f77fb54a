"""The dissemination materials (every published report kind) listed publicly and filtered by kind, area and year."""

import re
from datetime import datetime

from tests.main.support import recorded_report


def _list(client, query=""):
    response = client.get(f"/publications{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _titles(html):
    return re.findall(r'<h2><a href="/reports/\d+">([^<]+)</a></h2>', html)


def _three(app):
    recorded_report(app, "BM state of the art 2025", areas=("BM",), published_at=datetime(2025, 6, 1))
    recorded_report(app, "CS briefing 2026", kind="briefing", areas=("CS",), published_at=datetime(2026, 2, 1))
    recorded_report(app, "BM case study 2026", kind="case_study", areas=("BM", "DRS"), published_at=datetime(2026, 5, 1))


def test_every_published_kind_is_listed_newest_first(app, client):
    _three(app)
    recorded_report(app, "Research agenda 2024", kind="research_agenda", published_at=datetime(2024, 1, 1))
    html = _list(client)
    assert _titles(html) == ["BM case study 2026", "CS briefing 2026", "BM state of the art 2025", "Research agenda 2024"]
    assert "Case study" in html and "Briefing" in html and "Research agenda" in html


def test_filter_by_kind(app, client):
    _three(app)
    assert _titles(_list(client, "?kind=briefing")) == ["CS briefing 2026"]


def test_filter_by_area_as_published(app, client):
    _three(app)
    assert _titles(_list(client, "?area=BM")) == ["BM case study 2026", "BM state of the art 2025"]
    assert _titles(_list(client, "?area=drs")) == ["BM case study 2026"]


def test_filter_by_year_of_publication(app, client):
    _three(app)
    assert _titles(_list(client, "?year=2026")) == ["BM case study 2026", "CS briefing 2026"]
    assert _titles(_list(client, "?year=2025&area=BM")) == ["BM state of the art 2025"]
    html = _list(client)
    assert '<option value="2026">2026</option>' in html and '<option value="2025">2025</option>' in html


def test_the_year_is_the_latest_versions(app, client):
    report_id = recorded_report(app, "Republished in 2026", published_at=datetime(2025, 12, 1), versions=2)
    with app.app_context():
        from app.extensions import db
        from app.reports.models import ReportVersion

        latest = db.session.scalar(db.select(ReportVersion).where(ReportVersion.report_id == report_id, ReportVersion.number == 2))
        latest.published_at = datetime(2026, 1, 5)
        db.session.commit()
    assert _titles(_list(client, "?year=2026")) == ["Republished in 2026"]
    assert _titles(_list(client, "?year=2025")) == []


def test_values_naming_nothing_are_ignored_not_an_error(app, client):
    _three(app)
    for query in ("?kind=poem", "?area=NOPE", "?year=soon", "?year=99999", "?page=abc", "?page=-3"):
        assert len(_titles(_list(client, query))) == 3, query


def test_the_list_is_paginated_keeping_the_filters(app, client):
    from app.main.services import PUBLICATIONS_PER_PAGE

    for number in range(PUBLICATIONS_PER_PAGE + 2):
        recorded_report(app, f"Briefing {number:02d}", kind="briefing", published_at=datetime(2026, 1, 1, number))
    recorded_report(app, "Not a briefing", published_at=datetime(2026, 1, 2))
    first = _list(client, "?kind=briefing")
    assert len(_titles(first)) == PUBLICATIONS_PER_PAGE and "Not a briefing" not in first
    assert 'href="/publications?kind=briefing&amp;page=2" rel="next"' in first
    second = _titles(_list(client, "?kind=briefing&page=2"))
    assert second == ["Briefing 01", "Briefing 00"]


def test_nothing_unpublished_is_listed(app, client):
    recorded_report(app, "Draft report", versions=0, state="draft")
    recorded_report(app, "Frozen report, first build running", versions=0, state="frozen")
    report_id = recorded_report(app, "As published")
    with app.app_context():
        from app.extensions import db
        from app.reports.models import Report

        report = db.session.get(Report, report_id)
        report.title, report.state, report.version = "Next version's draft title", "draft", 2
        db.session.commit()
    html = _list(client)
    assert _titles(html) == ["As published"]
    assert "Draft report" not in html and "Frozen report" not in html and "Next version's draft title" not in html


def test_the_navigation_and_the_home_page_link_to_the_list(client):
    html = client.get("/").get_data(as_text=True)
    navigation = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S).group(0)
    assert 'href="/publications"' in navigation
    assert html.count('href="/publications"') >= 2
    assert 'href="/publications" aria-current="page"' in _list(client)


def test_the_list_runs_a_fixed_number_of_queries_whatever_the_data(app, client, count_queries):
    def fill(times):
        for number in range(times):
            recorded_report(app, f"Report {times}-{number}", versions=2)

    def queries():
        client.get("/publications")
        with count_queries() as statements:
            assert client.get("/publications").status_code == 200
        return len(statements)

    fill(2)
    small = queries()
    fill(18)
    large = queries()
    assert large <= small, f"{small} queries with small data, {large} with ten times the data"
    assert small <= 8, small
