"""Accepted contributions flow into the sections whose criteria they match; the editor's decisions stick."""

from app.extensions import db
from tests.reports.support import bearer, create_report, item_for, make_contribution, section_named, set_item


def _accept_through_the_workflow(app, contribution_id, editor):
    """Two completed reviews, then the editor's `accept` transition (with its effects)."""
    from app.auth.models import User
    from app.contributions import services
    from app.contributions.models import Contribution
    from app.reviews.models import Review, ReviewerAssignment
    from app.timeutil import utcnow
    from tests.factories import UserFactory

    with app.app_context():
        for _ in range(2):
            reviewer = UserFactory(roles=["reviewer"], area_codes=["BM"])
            db.session.add(ReviewerAssignment(contribution_id=contribution_id, reviewer_id=reviewer.id, due_at=utcnow()))
            db.session.add(
                Review(
                    contribution_id=contribution_id,
                    reviewer_id=reviewer.id,
                    revision=1,
                    recommendation="accept",
                    relevance=4,
                    evidence=4,
                    urgency=4,
                )
            )
        db.session.commit()
        contribution = db.session.get(Contribution, contribution_id)
        services.transition(contribution, "accept", db.session.get(User, editor.id))
        assert db.session.get(Contribution, contribution_id).state == "accepted"


def test_an_accepted_bm_capability_gap_is_suggested_in_the_matching_section_only(app, client, editor):
    headers = bearer(app, editor)
    report = create_report(client, headers)
    gap_id = make_contribution(app, "Detecting small drones at night", state="in_review")
    assert all(item_for(section, gap_id) is None for section in report["sections"])  # not accepted yet

    _accept_through_the_workflow(app, gap_id, editor)

    report = client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json()
    gaps = section_named(report, "Capability gaps")
    assert gaps["criteria"]["types"] == ["capability_gap"] and gaps["criteria"]["areas"] == ["BM"]
    assert item_for(gaps, gap_id)["status"] == "suggested"
    others = [section["heading"] for section in report["sections"] if section is not gaps and item_for(section, gap_id)]
    assert others == [], f"also suggested in {others}"


def test_contributions_outside_the_criteria_are_not_suggested(app, client, editor):
    headers = bearer(app, editor)
    report = create_report(client, headers, period_start="2020-01-01", period_end="2099-12-31")
    in_cs = make_contribution(app, "A cybersecurity gap", areas=("CS",))
    rejected = make_contribution(app, "A rejected gap", state="rejected")
    too_old = make_contribution(app, "An old gap", submitted_days_ago=365 * 30)
    matching = make_contribution(app, "A matching gap")
    report = client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json()
    listed = {item["contribution_id"] for section in report["sections"] for item in section["items"]}
    assert matching in listed
    assert not listed & {in_cs, rejected, too_old}


def test_an_excluded_item_stays_excluded_and_included_items_keep_their_order(app, client, editor):
    headers = bearer(app, editor)
    report = create_report(client, headers)
    first, second, third = (make_contribution(app, f"Gap number {n}") for n in (1, 2, 3))
    set_item(client, headers, report, "Capability gaps", first, "included")
    set_item(client, headers, report, "Capability gaps", second, "included")
    set_item(client, headers, report, "Capability gaps", third, "excluded")
    report = set_item(client, headers, report, "Capability gaps", second, "included", position=1)

    gaps = section_named(report, "Capability gaps")
    included = [item["contribution_id"] for item in gaps["items"] if item["status"] == "included"]
    assert included == [second, first]
    assert [item["position"] for item in gaps["items"] if item["status"] == "included"] == [1, 2]
    assert item_for(gaps, third)["status"] == "excluded"

    make_contribution(app, "Gap number 4")  # another acceptance does not bring the excluded one back
    gaps = section_named(client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json(), "Capability gaps")
    assert item_for(gaps, third)["status"] == "excluded"


def test_a_contribution_reopened_out_of_accepted_leaves_the_report_with_a_note(app, client, editor, admin, signed_in):
    from app.auth.models import User
    from app.contributions import services
    from app.contributions.models import Contribution

    headers = bearer(app, editor)
    report = create_report(client, headers)
    included = make_contribution(app, "Included then reopened")
    suggested = make_contribution(app, "Suggested then reopened")
    set_item(client, headers, report, "Capability gaps", included, "included")

    with app.app_context():
        for contribution_id in (included, suggested):
            services.transition(
                db.session.get(Contribution, contribution_id),
                "reopen",
                db.session.get(User, admin.id),
                comment="The evidence needs checking",
            )

    gaps = section_named(client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json(), "Capability gaps")
    for contribution_id in (included, suggested):
        item = item_for(gaps, contribution_id)
        assert item["accepted"] is False and item["position"] is None
        assert "Re-opened" in item["note"] and "The evidence needs checking" in item["note"]
    page = signed_in(editor).get(f"/reports/{report['id']}/sections/{gaps['id']}").get_data(as_text=True)
    assert "No longer accepted" in page and "The evidence needs checking" in page
    # It cannot be included while it is not accepted.
    response = client.post(
        f"/api/v1/reports/{report['id']}/sections/{gaps['id']}/items",
        json={"contribution_id": included, "status": "included"},
        headers=headers,
    )
    assert response.status_code == 409


def test_a_reopened_contribution_accepted_again_comes_back_as_a_suggestion_to_check(app, client, editor, admin):
    from app.auth.models import User
    from app.contributions import services
    from app.contributions.models import Contribution

    headers = bearer(app, editor)
    report = create_report(client, headers)
    gap_id = make_contribution(app, "Reopened, then accepted again", state="in_review")
    _accept_through_the_workflow(app, gap_id, editor)
    set_item(client, headers, report, "Capability gaps", gap_id, "included")
    with app.app_context():
        services.transition(db.session.get(Contribution, gap_id), "reopen", db.session.get(User, admin.id), comment="Check the figures")
        services.transition(db.session.get(Contribution, gap_id), "accept", db.session.get(User, editor.id))

    item = item_for(section_named(client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json(), "Capability gaps"), gap_id)
    assert (item["status"], item["accepted"]) == ("suggested", True)
    assert "Accepted again" in item["note"]
