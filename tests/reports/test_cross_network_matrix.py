"""Issue 11, acceptance 5: a contributor of one network links a technology to an accepted gap raised by another
network, and the published report's gap-to-solution matrix shows the link."""

from tests.reports.support import bearer, create_report, publish_and_wait, set_item
from tests.support import csrf_token

TECHNOLOGY = {
    "title": "Passive radio-frequency sensing",
    "thematic_areas": "BM",
    "summary": "<p>A sensor network.</p>",
    "field_solution": "Passive radio-frequency sensing network",
    "field_solution_kind": "technology",
    "field_trl": "7",
    "field_availability": "commercial",
    "workshop_id": "0",
}


def _accept(app, contribution_id, editor_id):
    """Editor sends it to review, two reviewers review, the editor accepts it (the workflow engine throughout)."""
    from app.auth.models import User
    from app.contributions import services
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews import services as reviews
    from tests.factories import REVIEW, UserFactory

    with app.app_context():
        contribution = db.session.get(Contribution, contribution_id)
        editor = db.session.get(User, editor_id)
        reviewers = [UserFactory(roles=["reviewer"], area_codes=["BM"]) for _ in range(app.config["REVIEWERS_PER_CONTRIBUTION"])]
        for reviewer in reviewers:
            reviews.assign(contribution, reviewer, editor)
        db.session.commit()
        services.transition(contribution, "send_to_review", editor)
        for reviewer in reviewers:
            reviews.submit_review(contribution, reviewer, REVIEW)
        services.transition(contribution, "accept", editor)
        assert contribution.state == "accepted"


def test_a_technology_of_network_a_addressing_a_gap_of_network_b_is_in_the_matrix(app, client, make_user, signed_in):
    from app.auth.models import User
    from app.extensions import db
    from tests.factories import NetworkFactory, UserFactory, contribution_in_state

    editor = make_user(["editor"], area_codes=["BM"], organisation="European Commission")
    with app.app_context():
        network_a = NetworkFactory(name="Network A of researchers")
        network_b = NetworkFactory(name="Network B of practitioners")
        gap_author = UserFactory(roles=["contributor"], networks=[network_b])
        gap = contribution_in_state(
            "accepted", author=gap_author, editor=db.session.get(User, editor.id), network=network_b, title="Drones over the green border"
        ).id
        network_a_id = network_a.id
        member = make_user(["contributor"], organisation="Research institute A")
        db.session.get(User, member.id).networks = [network_a]
        db.session.commit()

    # The member of network A finds network B's gap with the picker and links it, then submits.
    writer = signed_in(member)
    token = csrf_token(writer, "/contributions/new/technology")
    found = writer.post(
        "/contributions/new/technology",
        data={
            "csrf_token": token,
            **TECHNOLOGY,
            "network_id": str(network_a_id),
            "addresses_gaps_q": "drones green",
            "action": "search_contributions",
        },
    )
    assert f'value="{gap}"' in found.get_data(as_text=True)
    response = writer.post(
        "/contributions/new/technology",
        data={"csrf_token": token, **TECHNOLOGY, "network_id": str(network_a_id), "field_addresses_gaps": [str(gap)], "action": "submit"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    technology = int(response.location.rstrip("/").split("/")[-1])
    _accept(app, technology, editor.id)

    headers = bearer(app, editor)
    report = create_report(client, headers)
    set_item(client, headers, report, "Capability gaps", gap, "included")
    set_item(client, headers, report, "State-of-the-art solutions", technology, "included")
    publish_and_wait(client, headers, report["id"])

    document = client.get(f"/reports/{report['id']}/versions/1/json").get_json()
    matrix = document["analysis"]["gap_solution_matrix"]
    assert [gap, technology] in matrix["links"]
    assert [row["id"] for row in matrix["gaps"]] == [gap]
    assert [column["id"] for column in matrix["solutions"]] == [technology]
    sources = {source["contribution_id"]: source for source in document["sources"]}
    assert sources[gap]["network"]["name"] == "Network B of practitioners"
    assert sources[technology]["network"]["name"] == "Network A of researchers"
    page = client.get(f"/reports/{report['id']}").get_data(as_text=True)
    assert "Addressed (TRL 7)" in page
