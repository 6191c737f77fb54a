"""Publishing builds HTML, PDF and JSON in a background job; published versions never change."""

import hashlib
import json

from tests.reports.support import (
    bearer,
    create_report,
    download,
    flat,
    make_contribution,
    make_network,
    pdf_text,
    publish_and_wait,
    set_item,
)


def _curated_report(app, client, headers):
    """A BM report: two gaps and a solution included, one gap excluded, one left as a suggestion."""
    frontex = make_network(app, "Border Guards Practitioners Network", "PL")
    baltic = make_network(app, "Baltic Sea Region Security Forum", "EE")
    hidden = make_network(app, "Network Of The Excluded Gap", "FR")
    quiet = make_network(app, "Network Of The Pending Suggestion", "DE")
    gap = make_contribution(app, "Detecting drones at night", network_id=frontex, fields={"priority": "critical"})
    second_gap = make_contribution(app, "Sharing watch-lists across borders", network_id=baltic)
    excluded = make_contribution(app, "Excluded secret gap", network_id=hidden)
    pending = make_contribution(app, "Pending suggestion gap", network_id=quiet)
    solution = make_contribution(app, "Passive radar for drones", type="technology", network_id=baltic, addresses=(gap, excluded))
    report = create_report(client, headers)
    set_item(client, headers, report, "Capability gaps", gap, "included")
    set_item(client, headers, report, "Capability gaps", second_gap, "included")
    set_item(client, headers, report, "Capability gaps", excluded, "excluded")
    report = set_item(client, headers, report, "State-of-the-art solutions", solution, "included")
    included = {
        gap: ("Detecting drones at night", "Border Guards Practitioners Network"),
        second_gap: ("Sharing watch-lists across borders", "Baltic Sea Region Security Forum"),
        solution: ("Passive radar for drones", "Baltic Sea Region Security Forum"),
    }
    left_out = {
        excluded: ("Excluded secret gap", "Network Of The Excluded Gap"),
        pending: ("Pending suggestion gap", "Network Of The Pending Suggestion"),
    }
    return report, included, left_out


def _files(client, report):
    (version,) = report["versions"][-1:]
    return {fmt: download(client, url) for fmt, url in version["files"].items()}


def test_publishing_builds_html_pdf_and_json_with_the_included_items_only(app, client, editor):
    headers = bearer(app, editor)
    report, included, left_out = _curated_report(app, client, headers)

    job = publish_and_wait(client, headers, report["id"])
    assert job["progress"] == 100 and job["error"] is None

    report = client.get(f"/api/v1/reports/{report['id']}").get_json()  # public now, without a token
    assert report["state"] == "published" and report["version"] == 1
    files = _files(client, report)
    text = {"html": flat(files["html"].decode()), "pdf": pdf_text(files["pdf"]), "json": files["json"].decode()}
    assert files["pdf"].startswith(b"%PDF-")

    for title, network in included.values():
        for fmt in ("html", "pdf"):
            assert title in text[fmt], f"{title!r} missing from the {fmt}"
            assert network in text[fmt], f"{network!r} missing from the {fmt}"
    for title, network in left_out.values():
        for fmt, content in text.items():
            assert title not in content, f"{title!r} appears in the {fmt}"
            assert network not in content, f"{network!r} appears in the {fmt}"

    document = json.loads(files["json"])
    assert document["report"]["version"] == 1
    assert [section["number"] for section in document["sections"]] == list(range(1, len(document["sections"]) + 1))
    gaps = next(section for section in document["sections"] if section["heading"] == "Capability gaps")
    assert [item["number"] for item in gaps["items"]] == [f"{gaps['number']}.1", f"{gaps['number']}.2"]
    cited = gaps["items"][0]
    assert cited["network"]["name"] == "Border Guards Practitioners Network"
    assert cited["link"].endswith(
        f"/contributions/{cited['contribution_id']}/revisions/{cited['revision']}"
    )  # the cited revision's public page
    assert {source["contribution_id"] for source in document["sources"]} == set(included)
    matrix = document["analysis"]["gap_solution_matrix"]
    assert [link[0] for link in matrix["links"]] == [cited["contribution_id"]]  # the excluded gap is not in it
    # Table of contents, numbered sections and the annex of sources in the documents people read.
    for fmt in ("html", "pdf"):
        assert "Contents" in text[fmt] and "Annex: sources" in text[fmt]
        assert f"{gaps['number']}. Capability gaps" in text[fmt]


def test_a_published_version_is_readable_on_the_public_pages(app, client, editor):
    headers = bearer(app, editor)
    report, included, left_out = _curated_report(app, client, headers)
    publish_and_wait(client, headers, report["id"])

    listing = client.get("/reports").get_data(as_text=True)
    assert report["title"] in listing
    page = flat(client.get(f"/reports/{report['id']}").get_data(as_text=True))
    for title, network in included.values():
        assert title in page and network in page
    for title, _network in left_out.values():
        assert title not in page
    assert "<svg" in page and 'role="img"' in page, "the gap-to-solution picture is drawn on the page"
    assert client.get("/reports?area=CS").get_data(as_text=True).count(report["title"]) == 0
    assert client.get("/reports?kind=briefing").get_data(as_text=True).count(report["title"]) == 0


def test_publishing_again_makes_version_2_and_leaves_version_1_byte_identical(app, client, editor):
    headers = bearer(app, editor)
    report, included, _left_out = _curated_report(app, client, headers)
    publish_and_wait(client, headers, report["id"])
    report = client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json()
    v1 = report["versions"][0]
    before = {fmt: hashlib.sha256(download(client, url)).hexdigest() for fmt, url in v1["files"].items()}
    assert before == v1["sha256"]

    # Editing the published report starts version 2.
    response = client.patch(
        f"/api/v1/reports/{report['id']}", json={"title": "Border management state of the art 2026, revised"}, headers=headers
    )
    assert response.status_code == 200
    assert (response.get_json()["state"], response.get_json()["version"]) == ("draft", 2)
    gap = next(iter(included))
    set_item(client, headers, report, "Capability gaps", gap, "excluded")
    publish_and_wait(client, headers, report["id"])

    report = client.get(f"/api/v1/reports/{report['id']}").get_json()
    assert [version["version"] for version in report["versions"]] == [1, 2]
    v1_again, v2 = report["versions"]
    after = {fmt: hashlib.sha256(download(client, url)).hexdigest() for fmt, url in v1_again["files"].items()}
    assert after == before, "version 1's files changed"
    assert v1_again["files"] != v2["files"]
    v2_html = download(client, v2["files"]["html"]).decode()
    assert "revised" in v2_html and "Detecting drones at night" not in v2_html
    assert "Detecting drones at night" in download(client, v1_again["files"]["html"]).decode()
    # Both versions stay readable in the browser.
    assert "revised" not in client.get(f"/reports/{report['id']}/versions/1").get_data(as_text=True)
    assert client.get(f"/reports/{report['id']}/versions/2").status_code == 200


def test_publishing_twice_without_a_change_is_refused(app, client, editor):
    headers = bearer(app, editor)
    report = create_report(client, headers)
    publish_and_wait(client, headers, report["id"])
    response = client.post(f"/api/v1/reports/{report['id']}/publish", headers=headers)
    assert response.status_code == 409
    assert "Change the report to prepare version 2" in response.get_json()["error"]
