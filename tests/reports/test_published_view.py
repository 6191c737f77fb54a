"""What a viewer sees of a published report that editors are changing: the public the published version, editors the draft."""

import pytest

from tests.reports.support import bearer, create_report, make_contribution, publish_and_wait, set_item

ORIGINAL = "Border management state of the art 2026"
DRAFT_TITLE = "Unpublished working title"


@pytest.fixture
def edited(app, client, make_user):
    """A BM report published with one gap, then edited by its editor: new title, CS added, longer period, a second gap."""
    editor = make_user(["editor"], area_codes=["BM", "CS"])
    headers = bearer(app, editor)
    published_gap = make_contribution(app, "Published gap")
    draft_gap = make_contribution(app, "Gap added after publication")
    report = create_report(client, headers, title=ORIGINAL, period_start="2026-01-01", period_end="2026-06-30")
    set_item(client, headers, report, "Capability gaps", published_gap, "included")
    publish_and_wait(client, headers, report["id"])
    response = client.patch(
        f"/api/v1/reports/{report['id']}",
        json={"title": DRAFT_TITLE, "thematic_areas": ["BM", "CS"], "period_end": "2026-12-31"},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    set_item(client, headers, response.get_json(), "Capability gaps", draft_gap, "included")
    return {"id": report["id"], "headers": headers, "published_gap": published_gap, "draft_gap": draft_gap}


def _outsiders(app, make_user):
    """Visitors, members, and an editor of another area: none of them edits the report."""
    return {
        "visitor": {},
        "contributor": bearer(app, make_user(["contributor"])),
        "editor of another area": bearer(app, make_user(["editor"], area_codes=["FCT"])),
    }


def _gap_ids(report):
    return {item["contribution_id"] for section in report["sections"] for item in section["items"]}


def test_outsiders_get_the_published_version_from_the_api(app, client, make_user, edited):
    for who, headers in _outsiders(app, make_user).items():
        seen = client.get(f"/api/v1/reports/{edited['id']}", headers=headers).get_json()
        assert seen["title"] == ORIGINAL, who
        assert seen["thematic_areas"] == ["BM"], who
        assert (seen["period_start"], seen["period_end"]) == ("2026-01-01", "2026-06-30"), who
        assert (seen["state"], seen["version"]) == ("published", 1), who
        assert _gap_ids(seen) == {edited["published_gap"]}, who


def test_editors_get_the_working_draft_from_the_api(client, edited):
    seen = client.get(f"/api/v1/reports/{edited['id']}", headers=edited["headers"]).get_json()
    assert seen["title"] == DRAFT_TITLE
    assert seen["thematic_areas"] == ["BM", "CS"]
    assert seen["period_end"] == "2026-12-31"
    assert (seen["state"], seen["version"]) == ("draft", 2)
    assert {edited["published_gap"], edited["draft_gap"]} <= _gap_ids(seen)


def test_the_api_list_and_its_filters_follow_the_published_version_for_outsiders(app, client, make_user, edited):
    for who, headers in _outsiders(app, make_user).items():
        listed = client.get("/api/v1/reports", headers=headers).get_json()["items"]
        assert [(item["title"], item["thematic_areas"], item["period_end"]) for item in listed] == [(ORIGINAL, ["BM"], "2026-06-30")], who

        def ids(query, headers=headers):
            return [item["id"] for item in client.get(f"/api/v1/reports?{query}", headers=headers).get_json()["items"]]

        assert ids("area=BM") == [edited["id"]], who
        assert ids("area=CS") == [], who  # the area is only in the draft
        assert ids("state=published") == [edited["id"]], who
        assert ids("state=draft") == [], who


def test_the_api_list_filters_follow_the_draft_for_its_editors(client, edited):
    def ids(query):
        return [item["id"] for item in client.get(f"/api/v1/reports?{query}", headers=edited["headers"]).get_json()["items"]]

    assert ids("area=CS") == [edited["id"]]
    assert ids("state=draft") == [edited["id"]]
    assert ids("state=published") == []


def test_the_public_pages_show_the_published_version(client, edited):
    listing = client.get("/reports").get_data(as_text=True)
    assert ORIGINAL in listing and DRAFT_TITLE not in listing
    assert "BM, CS" not in listing
    assert ORIGINAL in client.get("/reports?area=BM").get_data(as_text=True)
    assert ORIGINAL not in client.get("/reports?area=CS").get_data(as_text=True)
    page = client.get(f"/reports/{edited['id']}").get_data(as_text=True)
    assert ORIGINAL in page and DRAFT_TITLE not in page
    assert "Gap added after publication" not in page
