"""The reports API: who may do what, validation, and what each caller sees."""

from tests.reports.support import bearer, create_report, make_contribution, publish_and_wait, section_named


def test_creating_a_report_gives_the_sections_of_its_kind(app, client, editor):
    headers = bearer(app, editor)
    for kind, headings in {
        "state_of_the_art": [
            "Introduction",
            "Capability gaps",
            "State-of-the-art solutions",
            "Outcomes and lessons learnt",
            "Standardisation needs",
            "Uptake of research results",
            "Emerging trends",
            "Conclusions",
        ],
        "research_agenda": [
            "Introduction",
            "Capability gaps",
            "Solutions at the state of the art",
            "Standardisation needs",
            "Research and innovation priorities",
        ],
    }.items():
        report = create_report(client, headers, kind=kind, period_start="2026-01-01", period_end="2026-12-31")
        assert [section["heading"] for section in report["sections"]] == headings
        assert (report["state"], report["version"], report["versions"]) == ("draft", 1, [])
        assert report["period_start"] == "2026-01-01"
        assert section_named(report, "Introduction")["criteria"]["draws_contributions"] is False


def test_bad_input_is_refused_with_the_fields_named(app, client, editor):
    response = client.post(
        "/api/v1/reports",
        json={"kind": "novel", "title": "", "thematic_areas": ["XX"], "period_start": "2026-12-31", "period_end": "yesterday"},
        headers=bearer(app, editor),
    )
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"kind", "title", "thematic_areas", "period_end"}


def test_editors_work_only_in_their_areas(app, client, editor, make_user):
    headers = bearer(app, editor)
    assert (
        client.post("/api/v1/reports", json={"kind": "briefing", "title": "CS", "thematic_areas": ["CS"]}, headers=headers).status_code
        == 403
    )
    report = create_report(client, headers)
    cs_editor = bearer(app, make_user(["editor"], area_codes=["CS"]))
    assert client.get(f"/api/v1/reports/{report['id']}", headers=cs_editor).status_code == 404  # a draft of another area
    publish_and_wait(client, headers, report["id"])
    assert client.get(f"/api/v1/reports/{report['id']}", headers=cs_editor).status_code == 200  # published: public
    assert client.patch(f"/api/v1/reports/{report['id']}", json={"title": "Mine now"}, headers=cs_editor).status_code == 403


def test_contributors_and_visitors_see_only_published_reports(app, client, editor, contributor):
    headers = bearer(app, editor)
    draft = create_report(client, headers, title="A draft")
    published = create_report(client, headers, title="A published one")
    gap = make_contribution(app, "A gap only editors see as a suggestion")
    publish_and_wait(client, headers, published["id"])
    contributor_headers = bearer(app, contributor)
    for caller in ({}, contributor_headers):
        assert client.get(f"/api/v1/reports/{draft['id']}", headers=caller).status_code == 404
        listed = client.get("/api/v1/reports", headers=caller).get_json()
        assert [report["title"] for report in listed["items"]] == ["A published one"]
        seen = client.get(f"/api/v1/reports/{published['id']}", headers=caller).get_json()
        assert seen["state"] == "published"
        assert all(item["contribution_id"] != gap for section in seen["sections"] for item in section["items"])
    assert client.post("/api/v1/reports", json={}, headers=contributor_headers).status_code == 403
    assert client.post(f"/api/v1/reports/{published['id']}/publish", headers=contributor_headers).status_code == 403
    listed = client.get("/api/v1/reports", headers=headers).get_json()
    assert {report["title"] for report in listed["items"]} == {"A draft", "A published one"}


def test_items_need_a_known_contribution_and_status(app, client, editor):
    headers = bearer(app, editor)
    report = create_report(client, headers)
    section = section_named(report, "Capability gaps")
    url = f"/api/v1/reports/{report['id']}/sections/{section['id']}/items"
    assert client.post(url, json={"contribution_id": 999999, "status": "included"}, headers=headers).status_code == 422
    gap = make_contribution(app, "A gap")
    response = client.post(url, json={"contribution_id": gap, "status": "kept"}, headers=headers)
    assert response.status_code == 422 and "status" in response.get_json()["fields"]
    draft_gap = make_contribution(app, "A gap not accepted", state="in_review")
    assert client.post(url, json={"contribution_id": draft_gap, "status": "included"}, headers=headers).status_code == 409
    assert client.post(f"/api/v1/reports/{report['id']}/sections/999999/items", json={}, headers=headers).status_code == 404


def test_a_report_being_built_cannot_change(app, client, editor):
    from app.extensions import db
    from app.reports.models import Report

    headers = bearer(app, editor)
    report = create_report(client, headers)
    with app.app_context():
        db.session.get(Report, report["id"]).state = "frozen"
        db.session.commit()
    response = client.patch(f"/api/v1/reports/{report['id']}", json={"title": "Changed"}, headers=headers)
    assert response.status_code == 409
    assert client.post(f"/api/v1/reports/{report['id']}/publish", headers=headers).status_code == 409
