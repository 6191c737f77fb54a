"""GET /api/v1/projects and /api/v1/projects/{id}: public search with facets, one project with the accepted contributions citing it.

Acceptance 6 of issue 10 is here too: an outcome citing a project is created,
submitted, reviewed and accepted through the pages; then the project's page
and the API list it.
"""

from decimal import Decimal

import pytest

from app.extensions import db
from app.reviews.models import ReviewerAssignment
from tests.factories import ProjectFactory, contribution_in_state
from tests.support import csrf_token


@pytest.fixture
def project_id(app):
    with app.app_context():
        return ProjectFactory(
            acronym="ROBORDER",
            title="Robots for border surveillance",
            objective="Swarms detect smugglers.",
            eu_contribution=Decimal("7999315.25"),
            total_cost=Decimal("8999315"),
            cordis_id="740593",
            area_codes=["BM"],
        ).id


def test_search_is_public_and_answers_the_list_shape(client, project_id):
    body = client.get("/api/v1/projects?q=smugglers").get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 20
    (item,) = body["items"]
    assert item["acronym"] == "ROBORDER" and item["cordis_id"] == "740593"
    assert item["cordis_url"] == "https://cordis.europa.eu/project/id/740593"


def test_money_is_a_json_number_and_dates_are_iso(client, project_id):
    item = client.get(f"/api/v1/projects/{project_id}").get_json()
    assert item["eu_contribution"] == 7999315.25 and isinstance(item["total_cost"], (int, float))
    assert len(item["start_date"]) == 10 and item["start_date"][4] == "-"


def test_facets_answer_their_counts(app, client, project_id):
    with app.app_context():
        ProjectFactory(programme="HORIZON", area_codes=["DRS"])
    facets = client.get("/api/v1/projects").get_json()["facets"]
    assert {value["value"]: value["count"] for value in facets["programme"]} == {"H2020": 1, "HORIZON": 1}
    assert client.get("/api/v1/projects?area=DRS").get_json()["total"] == 1
    assert client.get("/api/v1/projects?programme=H2020&programme=HORIZON").get_json()["total"] == 2


@pytest.mark.parametrize("query", ["programme=NOPE", "start_year=abc", "sort=cheapest", "start_year=3000"])
def test_bad_filters_are_refused_naming_the_field(client, query):
    response = client.get(f"/api/v1/projects?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.get_json()["fields"]


def test_pages_out_of_range_are_clamped(client, project_id):
    body = client.get("/api/v1/projects?page=5&per_page=1000").get_json()
    assert body["per_page"] == 100 and body["items"] == [] and body["total"] == 1


def test_an_unknown_project_is_404(client):
    assert client.get("/api/v1/projects/999999").status_code == 404


def test_only_accepted_contributions_are_listed(app, client, project_id):
    from app.projects.models import Project

    with app.app_context():
        project = db.session.get(Project, project_id)
        accepted = contribution_in_state("accepted", title="Accepted outcome", projects=[project])
        contribution_in_state("submitted", title="Still submitted", projects=[project])
        accepted_id = accepted.id
    listed = client.get(f"/api/v1/projects/{project_id}").get_json()["contributions"]
    assert [item["id"] for item in listed] == [accepted_id]


def test_the_project_answer_runs_a_bounded_number_of_queries(app, client, project_id, count_queries):
    with count_queries() as queries:
        client.get(f"/api/v1/projects/{project_id}")
    assert len(queries) <= 6


# --- acceptance 6: an outcome citing a project, through the pages ----------------------------------

OUTCOME = {
    "title": "Cross-border drone exercises",
    "thematic_areas": "BM",
    "summary": "<p>What the exercises taught.</p>",
    "field_outcome": "Joint exercises cut response times by a third",
    "field_outcome_kind": "lesson_learnt",
    "field_aspects": ["technological", "societal"],
    "field_recommendation": "Hold yearly cross-border exercises",
    "network_id": "0",
    "workshop_id": "0",
}


def test_an_outcome_citing_a_project_is_accepted_through_the_pages_and_listed(app, client, signed_in, make_user, project_id):
    author = make_user(["contributor"], organisation="Guardia Civil")
    editor = make_user(["editor"], area_codes=["BM"], organisation="European Commission")
    reviewers = [make_user(["reviewer"], area_codes=["BM"], organisation=name) for name in ("Politie", "Bundespolizei")]

    writer = signed_in(author)
    # The picker without JavaScript: a search posts the form back with the matching projects to tick.
    token = csrf_token(writer, "/contributions/new/outcome")
    found = writer.post(
        "/contributions/new/outcome", data={"csrf_token": token, **OUTCOME, "project_q": "robord", "action": "search_projects"}
    )
    assert found.status_code == 200, found.get_data(as_text=True)[found.get_data(as_text=True).find("error-summary") :][:1500]
    assert f'value="{project_id}"' in found.get_data(as_text=True)
    response = writer.post(
        "/contributions/new/outcome", data={"csrf_token": token, **OUTCOME, "project_ids": [str(project_id)], "action": "submit"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    contribution_id = int(response.location.rstrip("/").split("/")[-1])

    desk = signed_in(editor)
    token = csrf_token(desk, f"/desk/contributions/{contribution_id}")
    assert desk.post(f"/desk/contributions/{contribution_id}/reviewers", data={"csrf_token": token, "action": "auto"}).status_code == 302
    assert (
        desk.post(f"/contributions/{contribution_id}/transitions", data={"csrf_token": token, "transition": "send_to_review"}).status_code
        == 302
    )
    for reviewer in reviewers:
        with app.app_context():
            assignment_id = db.session.scalar(
                db.select(ReviewerAssignment.id).where(
                    ReviewerAssignment.reviewer_id == reviewer.id, ReviewerAssignment.contribution_id == contribution_id
                )
            )
        web = signed_in(reviewer)
        token = csrf_token(web, f"/reviews/{assignment_id}")
        assert web.post(f"/reviews/{assignment_id}/accept", data={"csrf_token": token}).status_code == 302
        review = {
            "csrf_token": token,
            "recommendation": "accept",
            "relevance": "4",
            "evidence": "4",
            "urgency": "3",
            "comment_to_author": "Clear and useful.",
        }
        assert web.post(f"/reviews/{assignment_id}", data=review).status_code == 302
    token = csrf_token(desk, f"/desk/contributions/{contribution_id}")
    assert desk.post(f"/contributions/{contribution_id}/transitions", data={"csrf_token": token, "transition": "accept"}).status_code == 302

    with app.app_context():
        from app.contributions.models import Contribution

        assert db.session.get(Contribution, contribution_id).state == "accepted"
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "Cross-border drone exercises" in page
    listed = client.get(f"/api/v1/projects/{project_id}").get_json()["contributions"]
    assert [(item["id"], item["type"]) for item in listed] == [(contribution_id, "outcome")]
