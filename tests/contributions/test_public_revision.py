"""Traceability a visitor can follow (issue 11, acceptance 4): the revision a published report cites is public.

A visitor opens a published report, follows an item's link and reads the cited
revision, without reviews, attachments, reviewer names, the author's e-mail or the
history's comments. A draft, a contribution no published version cites, a revision
it does not cite, or one only a draft of the report holds answers 404, like an id
that does not exist.
"""

import re

import pytest

from tests.reports.support import REPORTS_FOLDER, bearer, create_report, publish_and_wait, set_item

CONFIDENTIAL = "Confidential remark for the editors"
COMMENT_TO_AUTHOR = "Comment meant for the author"
REOPEN_COMMENT = "Reopened for a closer look"
ITEM_LINK = re.compile(r'href="(/contributions/(\d+)/revisions/(\d+))"')


@pytest.fixture(autouse=True)
def _reports_folder(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTS_FOLDER", REPORTS_FOLDER)


@pytest.fixture
def published(app, client, make_user):
    """A BM report published with one accepted gap (network, project, reviews, an attachment); also an accepted gap
    it does not include, and a draft."""
    from app.auth.models import User
    from app.contributions.models import Attachment
    from app.extensions import db
    from app.reviews.models import Review
    from tests.factories import ContributionFactory, NetworkFactory, ProjectFactory, UserFactory, contribution_in_state

    editor_identity = make_user(["editor"], area_codes=["BM"], organisation="European Commission")
    with app.app_context():
        editor = db.session.get(User, editor_identity.id)
        network = NetworkFactory(name="Border Practitioners Network")
        project = ProjectFactory(acronym="TRACEBORD")
        author = UserFactory(roles=["contributor"], email="author.private@example.eu", organisation="Guardia Civil")
        cited = contribution_in_state(
            "accepted", author=author, editor=editor, title="Night-time detection at green borders", network=network, projects=[project]
        )
        reviewer_names = [db.session.get(User, reviewer_id).display_name for reviewer_id in cited.reviewer_ids]
        for review in db.session.scalars(db.select(Review).where(Review.contribution_id == cited.id)):
            review.confidential_comment = CONFIDENTIAL
            review.comment_to_author = COMMENT_TO_AUTHOR
        db.session.add(
            Attachment(
                contribution_id=cited.id,
                filename="internal-evidence.pdf",
                storage_key="public-revision-test-key",
                content_type="application/pdf",
                size=10,
                sha256="0" * 64,
            )
        )
        db.session.commit()
        uncited = contribution_in_state("accepted", editor=editor, title="Accepted but in no report")
        draft = ContributionFactory(title="A draft nobody else sees").id
    headers = bearer(app, editor_identity)
    report = create_report(client, headers)
    set_item(client, headers, report, "Capability gaps", cited.id, "included")
    publish_and_wait(client, headers, report["id"])
    return {
        "report": report,
        "headers": headers,
        "cited": cited,
        "uncited": uncited.id,
        "draft": draft,
        "editor": editor_identity,
        "reviewer_names": reviewer_names,
    }


def _item_links(html):
    return [(path, int(contribution_id), int(number)) for path, contribution_id, number in ITEM_LINK.findall(html)]


def test_a_visitor_follows_an_items_link_from_the_report_and_reads_the_cited_revision(app, published):
    visitor = app.test_client()
    page = visitor.get(f"/reports/{published['report']['id']}")
    assert page.status_code == 200
    links = _item_links(page.get_data(as_text=True))
    assert (f"/contributions/{published['cited'].id}/revisions/1", published["cited"].id, 1) in links
    revision = visitor.get(f"/contributions/{published['cited'].id}/revisions/1")
    assert revision.status_code == 200
    html = revision.get_data(as_text=True)
    assert "Night-time detection at green borders" in html
    assert "Border Practitioners Network" in html  # source network
    assert "TRACEBORD" in html  # linked project
    assert "Patrols along 400 km of forested border" in html  # a type-specific answer
    assert "Capability gap" in html  # its type
    assert "Border management state of the art 2026" in html  # where it is cited


def test_the_public_page_shows_no_review_attachment_reviewer_author_email_or_history(app, published):
    html = app.test_client().get(f"/contributions/{published['cited'].id}/revisions/1").get_data(as_text=True)
    for secret in (CONFIDENTIAL, COMMENT_TO_AUTHOR, "internal-evidence.pdf", "author.private@example.eu", *published["reviewer_names"]):
        assert secret not in html, secret
    assert "/attachments/" not in html


def test_the_published_files_link_items_to_the_public_revision(app, client, published):
    version = client.get(f"/api/v1/reports/{published['report']['id']}").get_json()["versions"][0]
    document = client.get(f"/reports/{published['report']['id']}/versions/{version['version']}/json").get_json()
    links = {source["contribution_id"]: source["link"] for source in document["sources"]}
    assert links[published["cited"].id].endswith(f"/contributions/{published['cited'].id}/revisions/1")


def test_the_contributions_own_address_sends_a_visitor_to_the_cited_revision(app, published):
    # Reports published before the public page linked there: their links still work for visitors.
    response = app.test_client().get(f"/contributions/{published['cited'].id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/contributions/{published['cited'].id}/revisions/1")


def test_a_visitor_is_still_asked_to_sign_in_for_a_contribution_no_report_cites(app, published):
    response = app.test_client().get(f"/contributions/{published['uncited']}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def _not_found_body(client, path):
    """The 404 page, with its own address (the language form returns there) taken out."""
    response = client.get(path)
    assert response.status_code == 404
    return response.get_data(as_text=True).replace(path, "PATH")


@pytest.mark.parametrize("case", ["draft", "uncited", "uncited revision number"])
def test_what_no_published_version_cites_answers_404_like_a_missing_one(app, published, case):
    visitor = app.test_client()
    path = {
        "draft": f"/contributions/{published['draft']}/revisions/1",
        "uncited": f"/contributions/{published['uncited']}/revisions/1",
        "uncited revision number": f"/contributions/{published['cited'].id}/revisions/2",
    }[case]
    assert _not_found_body(visitor, path) == _not_found_body(visitor, "/contributions/999999/revisions/1")


def test_a_later_revision_stays_private_while_the_cited_one_stays_public(app, published):
    from app.auth.models import User
    from app.contributions import services
    from app.contributions.models import Contribution
    from app.extensions import db
    from tests.factories import UserFactory

    with app.app_context():
        contribution = db.session.get(Contribution, published["cited"].id)
        admin = UserFactory(roles=["admin"])
        editor = db.session.get(User, published["editor"].id)
        services.transition(contribution, "reopen", admin, comment=REOPEN_COMMENT)
        services.transition(contribution, "request_changes", editor, comment="Please say more.")
        services.update(contribution, contribution.author, {"title": "Night-time detection, revised"})
        assert contribution.revision == 2
    visitor = app.test_client()
    assert visitor.get(f"/contributions/{published['cited'].id}/revisions/2").status_code == 404
    cited = visitor.get(f"/contributions/{published['cited'].id}/revisions/1")
    assert cited.status_code == 200
    html = cited.get_data(as_text=True)
    assert "Night-time detection at green borders" in html  # as the report cites it, not as it is now
    assert "revised" not in html
    assert REOPEN_COMMENT not in html


def test_a_revision_only_a_draft_of_the_report_holds_answers_404(app, client, published):
    # The editor changes the published report (its draft of version 2) to include another gap: not published, not public.
    response = client.patch(f"/api/v1/reports/{published['report']['id']}", json={"title": "Second edition"}, headers=published["headers"])
    assert response.status_code == 200, response.get_json()
    set_item(client, published["headers"], response.get_json(), "Capability gaps", published["uncited"], "included")
    assert app.test_client().get(f"/contributions/{published['uncited']}/revisions/1").status_code == 404
    publish_and_wait(client, published["headers"], published["report"]["id"])
    assert app.test_client().get(f"/contributions/{published['uncited']}/revisions/1").status_code == 200


def test_the_public_page_runs_a_few_queries(app, published, count_queries):
    visitor = app.test_client()
    with count_queries() as queries:
        response = visitor.get(f"/contributions/{published['cited'].id}/revisions/1")
    assert response.status_code == 200
    assert len(queries) <= 6, queries


def test_someone_who_may_open_the_contribution_is_offered_its_full_page(app, signed_in, published):
    path = f"/contributions/{published['cited'].id}/revisions/1"
    full = f'href="/contributions/{published["cited"].id}"'
    assert full in signed_in(published["editor"]).get(path).get_data(as_text=True)
    assert full not in app.test_client().get(path).get_data(as_text=True)
