"""The editors' pages: sections added, renamed, reordered and removed; the synthesis sanitised; a published report's next version."""

import re

from tests.reports.support import bearer, create_report, publish_and_wait
from tests.support import flashes, post_form


def _section_ids(app, report_id):
    from app.extensions import db
    from app.reports.models import Report

    with app.app_context():
        report = db.session.get(Report, report_id)
        return [(section.id, section.heading) for section in report.sections]


def test_sections_are_added_renamed_reordered_and_removed(app, client, editor, signed_in):
    web = signed_in(editor)
    report = create_report(client, bearer(app, editor), kind="briefing")
    edit = f"/reports/{report['id']}/edit"
    assert [heading for _id, heading in _section_ids(app, report["id"])] == ["Key messages", "Findings", "Recommendations"]

    response = post_form(
        web, f"/reports/{report['id']}/sections", {"heading": "Annex on methods", "draws_contributions": ""}, token_from=edit
    )
    assert response.status_code == 302
    sections = _section_ids(app, report["id"])
    assert sections[-1][1] == "Annex on methods"

    added = sections[-1][0]
    post_form(web, f"/reports/{report['id']}/sections/{added}/move", {"direction": "up"}, token_from=edit)
    assert [heading for _id, heading in _section_ids(app, report["id"])] == [
        "Key messages",
        "Findings",
        "Annex on methods",
        "Recommendations",
    ]

    section_page = f"/reports/{report['id']}/sections/{added}"
    response = post_form(
        web,
        section_page,
        {
            "heading": "Methods",
            "synthesis": '<p onclick="x()">How we worked <script>alert(1)</script><em>carefully</em></p>',
            "types": ["trend"],
        },
        token_from=section_page,
    )
    assert response.status_code == 302
    html = web.get(section_page).get_data(as_text=True)
    assert "<script>" not in html and "onclick" not in html
    from app.extensions import db
    from app.reports.models import ReportSection

    with app.app_context():
        section = db.session.get(ReportSection, added)
        assert (section.heading, section.synthesis, section.types) == ("Methods", "<p>How we worked <em>carefully</em></p>", ["trend"])

    post_form(web, f"/reports/{report['id']}/sections/{added}/delete", {}, token_from=edit)
    assert [heading for _id, heading in _section_ids(app, report["id"])] == ["Key messages", "Findings", "Recommendations"]


def test_a_missing_heading_is_refused_and_changes_nothing(app, client, editor, signed_in):
    web = signed_in(editor)
    report = create_report(client, bearer(app, editor), kind="briefing")
    response = post_form(web, f"/reports/{report['id']}/sections", {"heading": "  "}, token_from=f"/reports/{report['id']}/edit")
    assert response.status_code == 422
    assert "A heading is required." in response.get_data(as_text=True)
    assert len(_section_ids(app, report["id"])) == 3


def test_changing_a_published_report_prepares_its_next_version(app, client, editor, signed_in):
    headers = bearer(app, editor)
    report = create_report(client, headers, kind="briefing")
    publish_and_wait(client, headers, report["id"])
    web = signed_in(editor)
    edit = f"/reports/{report['id']}/edit"
    assert "Any change you make now starts version 2" in web.get(edit).get_data(as_text=True)
    first = _section_ids(app, report["id"])[0][0]
    post_form(web, f"/reports/{report['id']}/sections/{first}/move", {"direction": "down"}, token_from=edit)
    page = web.get(edit).get_data(as_text=True)
    assert "Publish version 2" in page
    response = post_form(web, f"/reports/{report['id']}/publish", {}, token_from=edit)
    assert response.status_code == 302
    if not app.config.get("REDIS_URL"):
        assert "Version 2 is published." in flashes(web.get(response.location).get_data(as_text=True))


def test_editors_of_other_areas_may_not_open_the_workspace_of_a_report(app, client, editor, make_user, signed_in):
    report = create_report(client, bearer(app, editor))
    other = signed_in(make_user(["editor"], area_codes=["CS"]))
    assert other.get(f"/reports/{report['id']}/edit").status_code == 404
    assert signed_in(make_user(["contributor"])).get(f"/reports/{report['id']}/edit").status_code == 403
    assert re.search(
        r"Border management state of the art 2026", signed_in(make_user(["admin"])).get("/reports/manage").get_data(as_text=True)
    )
