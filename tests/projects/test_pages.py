"""Explorer and project pages: search form without JavaScript, facts formatted by locale, editors' corrections."""

import re
from decimal import Decimal

import pytest

from app.extensions import db
from app.projects.models import Project
from tests.factories import ProjectFactory
from tests.support import csrf_token


def main_of(html):
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def project(app):
    with app.app_context():
        made = ProjectFactory(
            acronym="ROBORDER",
            title="Robots for border surveillance",
            objective="Swarms detect smugglers.",
            eu_contribution=Decimal("7999315.25"),
            total_cost=Decimal("8999315.00"),
            coordinator_country="EL",
            cordis_id="740593",
            call_topic="SEC-16-BES-2017",
            area_codes=["BM"],
        )
        return made.id


def test_the_explorer_searches_with_a_plain_get_form(client, project):
    html = main_of(client.get("/projects?q=smugglers").get_data(as_text=True))
    assert "ROBORDER" in html
    assert 'method="get"' in html
    assert "ROBORDER" not in main_of(client.get("/projects?q=floods").get_data(as_text=True))


def test_facets_are_checkboxes_with_counts_and_stay_ticked(app_context, client, project):
    ProjectFactory(programme="HORIZON", area_codes=["DRS"])
    html = main_of(client.get("/projects?programme=HORIZON").get_data(as_text=True))
    assert re.search(r'name="programme" value="HORIZON" checked', html)
    assert re.search(r"Horizon 2020 <span class=\"count\">\(1\)</span>", html)
    assert "ROBORDER" not in html


def test_empty_and_no_result_states(app_context, client):
    assert "No projects yet." in client.get("/projects").get_data(as_text=True)
    ProjectFactory()
    assert "No project matches" in client.get("/projects?q=zzzz").get_data(as_text=True)


def test_bad_query_values_are_ignored_not_errors(client, project):
    response = client.get("/projects?page=abc&start_year=x&programme=NOPE&sort=%00x&country=toolong")
    assert response.status_code in (200, 400)
    assert client.get("/projects?page=99999999999999&start_year=99999").status_code == 200


def test_pages_link_to_the_next_keeping_the_choices(app_context, client):
    ProjectFactory.create_batch(25, programme="H2020")
    html = client.get("/projects?programme=H2020").get_data(as_text=True)
    assert "page=2" in html and "programme=H2020" in html


def test_the_project_page_shows_the_facts_formatted_for_the_reader(client, project):
    html = main_of(client.get(f"/projects/{project}").get_data(as_text=True))
    assert "€7,999,315.25" in html
    assert "Greece" in html
    assert 'href="https://cordis.europa.eu/project/id/740593"' in html
    assert "SEC-16-BES-2017" in html


def test_the_project_page_formats_money_in_german(app, client, project):
    with client.session_transaction() as session:
        session["locale"] = "de"
    html = main_of(client.get(f"/projects/{project}").get_data(as_text=True))
    assert "7.999.315,25\xa0€" in html


def test_an_unknown_project_is_404(client):
    assert client.get("/projects/999999").status_code == 404


def test_visitors_and_contributors_cannot_correct_areas(client, signed_in, contributor, project):
    assert "Correct the thematic areas" not in client.get(f"/projects/{project}").get_data(as_text=True)
    web = signed_in(contributor)
    token = csrf_token(web, f"/projects/{project}")
    assert web.post(f"/projects/{project}/areas", data={"csrf_token": token, "areas": ["CS"]}).status_code == 403


def test_an_editor_corrects_the_areas_and_they_are_marked_manual(app, signed_in, editor, project):
    web = signed_in(editor)
    token = csrf_token(web, f"/projects/{project}")
    response = web.post(f"/projects/{project}/areas", data={"csrf_token": token, "areas": ["CS", "FCT"]})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(Project, project)
        assert {area.code for area in stored.areas} == {"CS", "FCT"} and stored.areas_manual


def test_an_unknown_area_is_refused_and_nothing_changes(app, signed_in, editor, project):
    web = signed_in(editor)
    token = csrf_token(web, f"/projects/{project}")
    assert web.post(f"/projects/{project}/areas", data={"csrf_token": token, "areas": ["NOPE"]}).status_code == 422
    with app.app_context():
        stored = db.session.get(Project, project)
        assert [area.code for area in stored.areas] == ["BM"] and not stored.areas_manual


def test_an_editor_adds_a_project_cordis_does_not_hold(app, signed_in, editor):
    web = signed_in(editor)
    token = csrf_token(web, "/projects/new")
    response = web.post(
        "/projects/new",
        data={
            "csrf_token": token,
            "acronym": "BORDERTRAIN",
            "title": "Border guard training",
            "programme": "BMVI",
            "funding_scheme": "Training",
            "status": "SIGNED",
            "start_date": "2024-01-01",
            "end_date": "2025-12-31",
            "eu_contribution": "250000,50",
            "coordinator_country": "PL",
            "areas": ["BM"],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(db.select(Project).where(Project.acronym == "BORDERTRAIN"))
        assert stored.source == "manual" and stored.eu_contribution == Decimal("250000.50") and stored.created_by_id == editor.id
    page = web.get(response.location).get_data(as_text=True)
    assert "Added by an editor" in page and "Edit this project" in page


def test_a_manual_project_with_an_end_before_its_start_is_refused(app, signed_in, editor):
    web = signed_in(editor)
    token = csrf_token(web, "/projects/new")
    response = web.post(
        "/projects/new",
        data={"csrf_token": token, "acronym": "X", "title": "Y", "programme": "ISF", "start_date": "2024-01-01", "end_date": "2023-01-01"},
    )
    assert response.status_code == 422
    assert "The end cannot be before the start." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Project)) == 0


def test_cordis_projects_cannot_be_edited_by_hand(signed_in, editor, project):
    assert signed_in(editor).get(f"/projects/{project}/edit").status_code == 403


def test_contributors_cannot_add_projects(signed_in, contributor):
    assert signed_in(contributor).get("/projects/new").status_code == 403


def test_the_navigation_and_area_pages_link_the_explorer(client):
    assert 'href="/projects"' in client.get("/").get_data(as_text=True)
    assert 'href="/projects?area=BM"' in client.get("/areas/BM").get_data(as_text=True)


def test_the_explorer_page_runs_a_bounded_number_of_queries(app_context, client, count_queries):
    ProjectFactory.create_batch(3)
    with count_queries() as few:
        client.get("/projects?q=border&programme=H2020")
    ProjectFactory.create_batch(30)
    with count_queries() as many:
        client.get("/projects?q=border&programme=H2020")
    assert len(many) == len(few) <= 14


def test_enter_in_a_field_of_the_contribution_form_saves_and_never_searches_projects(signed_in, contributor):
    # Browsers submit with the form's first submit button when Enter is pressed in a field.
    html = signed_in(contributor).get("/contributions/new/outcome").get_data(as_text=True)
    form = html[html.index('<form method="post" class="stacked"') :]
    first_button = re.search(r"<button[^>]*type=\"submit\"[^>]*>", form).group(0)
    assert 'value="save"' in first_button and "search_projects" not in first_button


def test_the_contribution_form_offers_the_as_you_type_picker_over_the_api(signed_in, contributor):
    html = signed_in(contributor).get("/contributions/new/outcome").get_data(as_text=True)
    assert 'data-project-picker="/api/v1/projects"' in html
    assert "js/project-picker.js" in html
