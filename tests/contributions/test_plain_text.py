"""Plain text is kept as typed and escaped where shown: API, page, e-mails, published report (HTML, PDF, JSON).

Acceptance 5 of issue 9: a contribution titled "Stored <script> injection in dispatch
consoles" reads back with that exact title and is shown escaped everywhere.
"""

import json
from html.parser import HTMLParser

import pytest

from tests.api.support import token_headers
from tests.contributions.samples import payload
from tests.reports.support import REPORTS_FOLDER, create_report, download, pdf_text, publish_and_wait, set_item
from tests.support import html_body, text_body, wait_for

TITLE = "Stored <script> injection in dispatch consoles"
NEED = "Consoles render <b>operator notes</b> as HTML & store &amp; as typed"
REVIEW_COMMENT = "Convincing: <b>bold</b> claim &amp; good evidence"
DECISION_COMMENT = "Accepted <i>as is</i> & &amp; thanks"
REPORT_TITLE = "Cyber <em>dispatch</em> & consoles"


class Page(HTMLParser):
    """Elements and text nodes of a document, as a browser parses it (character references decoded)."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.tags, self.texts = [], []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        if data.strip():
            self.texts.append(" ".join(data.split()))


def main_of(page):
    return page[page.index("<main") : page.index("</main>")]


@pytest.fixture(autouse=True)
def _reports_folder(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTS_FOLDER", REPORTS_FOLDER)


@pytest.fixture
def people(make_user):
    return {
        "author": make_user(["contributor"], organisation="Guardia Civil"),
        "editor": make_user(["editor"], area_codes=["CS"], organisation="European Commission"),
        "reviewers": [
            make_user(["reviewer"], area_codes=["CS"], organisation="Politie"),
            make_user(["reviewer"], area_codes=["CS"], organisation="Bundespolizei"),
        ],
    }


def create_gap(app, client, author):
    body = payload("capability_gap", title=TITLE, thematic_areas=["CS"])
    body["fields"]["need"] = NEED
    response = client.post("/api/v1/contributions", json=body, headers=token_headers(app, author.id))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def transition(app, client, user, contribution_id, name, **extra):
    response = client.post(
        f"/api/v1/contributions/{contribution_id}/transitions", json={"transition": name, **extra}, headers=token_headers(app, user.id)
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def review_and_accept(app, client, people, contribution_id):
    editor_headers = token_headers(app, people["editor"].id)
    for reviewer in people["reviewers"]:
        response = client.post(f"/api/v1/contributions/{contribution_id}/reviewers", json={"user_id": reviewer.id}, headers=editor_headers)
        assert response.status_code in (200, 201), response.get_json()
    transition(app, client, people["editor"], contribution_id, "send_to_review")
    for reviewer in people["reviewers"]:
        review = {"recommendation": "accept", "scores": {"relevance": 4, "evidence": 4, "urgency": 3}, "comment_to_author": REVIEW_COMMENT}
        response = client.post(f"/api/v1/contributions/{contribution_id}/reviews", json=review, headers=token_headers(app, reviewer.id))
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["comment_to_author"] == REVIEW_COMMENT
    return transition(app, client, people["editor"], contribution_id, "accept", comment=DECISION_COMMENT)


def test_the_title_and_a_type_field_read_back_as_typed_through_the_api(app, client, people):
    contribution_id = create_gap(app, client, people["author"])
    stored = client.get(f"/api/v1/contributions/{contribution_id}", headers=token_headers(app, people["author"].id)).get_json()
    assert stored["title"] == TITLE
    assert stored["fields"]["need"] == NEED


def test_the_contribution_page_shows_the_title_escaped(app, client, people, signed_in):
    contribution_id = create_gap(app, client, people["author"])
    html = signed_in(people["author"]).get(f"/contributions/{contribution_id}").get_data(as_text=True)
    page = Page(main_of(html))
    assert TITLE in page.texts and NEED in page.texts
    assert "script" not in page.tags and "b" not in page.tags
    head = Page(html[: html.index("</head>")])
    assert any(TITLE in text for text in head.texts), "the window title shows it too"


def test_review_and_decision_comments_are_kept_as_typed_and_escaped_on_the_page(app, client, people, signed_in):
    contribution_id = create_gap(app, client, people["author"])
    transition(app, client, people["author"], contribution_id, "submit")
    accepted = review_and_accept(app, client, people, contribution_id)
    assert {review["comment_to_author"] for review in accepted["reviews"]} == {REVIEW_COMMENT}
    assert accepted["history"][-1]["comment"] == DECISION_COMMENT

    page = Page(main_of(signed_in(people["editor"]).get(f"/contributions/{contribution_id}").get_data(as_text=True)))
    assert REVIEW_COMMENT in page.texts and DECISION_COMMENT in " ".join(page.texts)
    assert not {"script", "b", "i"} & set(page.tags)


def test_notification_emails_show_the_title_escaped_in_html_and_as_typed_in_text(app, client, people, mailbox):
    contribution_id = create_gap(app, client, people["author"])
    transition(app, client, people["author"], contribution_id, "submit")
    review_and_accept(app, client, people, contribution_id)

    to_editor = mailbox.wait_for(1, recipient=people["editor"].email)[0]
    # E-mails arrive in any order from the worker: the author's about the decision is the one with its comment.
    to_author = wait_for(
        lambda: next((m for m in mailbox.to(people["author"].email) if "thanks" in text_body(m)), None), message="the decision e-mail"
    )
    for message in (to_editor, to_author):
        assert TITLE in text_body(message)
        html = Page(html_body(message))
        assert any(TITLE in text for text in html.texts), html.texts
        assert "script" not in html.tags
    assert DECISION_COMMENT in text_body(to_author)
    html = Page(html_body(to_author))
    assert DECISION_COMMENT in html.texts and "i" not in html.tags


def test_a_published_report_shows_the_title_escaped_in_html_and_pdf_and_as_typed_in_json(app, client, people):
    contribution_id = create_gap(app, client, people["author"])
    transition(app, client, people["author"], contribution_id, "submit")
    review_and_accept(app, client, people, contribution_id)
    headers = token_headers(app, people["editor"].id)
    report = create_report(client, headers, title=REPORT_TITLE, thematic_areas=["CS"])
    assert report["title"] == REPORT_TITLE
    set_item(client, headers, report, "Capability gaps", contribution_id, "included")
    publish_and_wait(client, headers, report["id"])

    report = client.get(f"/api/v1/reports/{report['id']}").get_json()
    files = {fmt: download(client, url) for fmt, url in report["versions"][-1]["files"].items()}
    document = json.loads(files["json"])
    assert document["report"]["title"] == REPORT_TITLE
    (item,) = [item for section in document["sections"] for item in section["items"]]
    assert item["title"] == TITLE
    assert {field["name"]: field["value"] for field in item["fields"]}["need"] == NEED

    html = Page(files["html"].decode())
    assert TITLE in html.texts and NEED in html.texts and REPORT_TITLE in html.texts
    assert not {"script", "b", "em"} & set(html.tags)

    assert TITLE in pdf_text(files["pdf"]) and REPORT_TITLE in pdf_text(files["pdf"])

    page = Page(main_of(client.get(f"/reports/{report['id']}").get_data(as_text=True)))
    assert TITLE in page.texts and REPORT_TITLE in page.texts
    assert not {"script", "b", "em"} & set(page.tags)


@pytest.mark.parametrize(
    ("contribution_type", "name"), [("capability_gap", "practitioners_affected"), ("technology", "addresses_gaps"), ("outcome", "aspects")]
)
def test_an_empty_list_in_fields_reads_back_as_an_empty_list(app, client, people, contribution_type, name):
    headers = token_headers(app, people["author"].id)
    body = payload(contribution_type, thematic_areas=["CS"])
    body["fields"][name] = []
    created = client.post("/api/v1/contributions", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["fields"][name] == []
    stored = client.get(f"/api/v1/contributions/{created.get_json()['id']}", headers=headers).get_json()
    assert stored["fields"][name] == []


def test_the_changes_between_revisions_show_typed_markup_as_text(app, client, people, signed_in):
    # The summary's words come from its HTML ("&lt;script&gt;" is the text "<script>"): shown, they are escaped again.
    contribution_id = create_gap(app, client, people["author"])
    transition(app, client, people["author"], contribution_id, "submit")
    editor_headers = token_headers(app, people["editor"].id)
    for reviewer in people["reviewers"]:
        client.post(f"/api/v1/contributions/{contribution_id}/reviewers", json={"user_id": reviewer.id}, headers=editor_headers)
    transition(app, client, people["editor"], contribution_id, "send_to_review")
    changed = transition(app, client, people["editor"], contribution_id, "request_changes", comment="Say what was seen.")
    author_headers = token_headers(app, people["author"].id)
    response = client.patch(
        f"/api/v1/contributions/{contribution_id}",
        json={"summary": "<p>Operators saw &lt;script&gt;alert(1)&lt;/script&gt; in the logs.</p>", "version": changed["version"]},
        headers=author_headers,
    )
    assert response.status_code == 200, response.get_json()
    transition(app, client, people["author"], contribution_id, "resubmit")

    page = Page(main_of(signed_in(people["author"]).get(f"/contributions/{contribution_id}/diff?from=1&to=2").get_data(as_text=True)))
    assert "script" not in page.tags
    assert any("<script>alert(1)</script>" in text for text in page.texts), page.texts
