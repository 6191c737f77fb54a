"""A contributor's working day on the HTML pages (issue 12, Contributors): the requested changes read where they
revise, a response to the reviewers kept with the new revision, files attached with the form, Enter never taking a
secondary action, drafts deleted and irreversible steps confirmed, required answers marked and every problem at once."""

import io
import re
from pathlib import Path

import pytest

from app.contributions.types import TYPES
from tests.contributions.samples import payload, reload
from tests.contributions.test_attachments import pdf_bytes
from tests.contributions.test_forms import form_data
from tests.support import csrf_token

LETTER = "Please add the evidence from the 2025 pilot."
REVIEW_COMMENT = "The operational context needs numbers."


@pytest.fixture
def sent_back(app):
    """A capability gap sent back for changes after two reviews, with the editor's letter and the reviews' comments."""
    from app.contributions import services
    from app.extensions import db
    from app.reviews.models import Review
    from tests.factories import UserFactory, contribution_in_state

    with app.app_context():
        reviewers = [UserFactory(roles=["reviewer"], area_codes=["BM"], name=name) for name in ("Rita Reviewer", "Rolf Reviewer")]
        made = contribution_in_state("in_review", reviewers=reviewers, reviewed=True)
        for review in db.session.query(Review).filter_by(contribution_id=made.id):
            review.comment_to_author = REVIEW_COMMENT
            review.recommendation = "revise"
        db.session.commit()
        contribution = reload(made.id)
        services.transition(contribution, "request_changes", db.session.get(type(contribution.author), made.editor_id), comment=LETTER)
        return made


def identity(app, user_id):
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        return type("Who", (), {"id": user.id, "email": user.email})


def edit_data(app, web, contribution_id, **extra):
    """What the edit form posts back unchanged (its own values), plus `extra`."""
    with app.app_context():
        contribution = reload(contribution_id)
        body = payload(contribution.type, title=contribution.title)
        version = contribution.version
    token = csrf_token(web, f"/contributions/{contribution_id}/edit")
    return {**form_data(body, token), "version": str(version), **extra}


# --- 1. the requested changes, and the response to the reviewers ---------------------------------


def test_the_author_reads_the_letter_and_the_reviews_on_the_contribution_and_edit_pages(app, signed_in, sent_back):
    web = signed_in(identity(app, sent_back.author_id))
    for path in (f"/contributions/{sent_back.id}", f"/contributions/{sent_back.id}/edit"):
        html = web.get(path).get_data(as_text=True)
        notice = html[html.index('id="changes-heading"') : html.index("</section>", html.index('id="changes-heading"'))]
        assert LETTER in notice, path
        assert notice.count(REVIEW_COMMENT) == 2, path
        assert "Revise" in notice
        assert "Rita Reviewer" not in html and "Rolf Reviewer" not in html, path


def test_no_notice_before_changes_are_requested_nor_for_editors(app, signed_in, sent_back):
    from tests.factories import contribution_in_state

    with app.app_context():
        in_review = contribution_in_state("in_review", reviewed=True)
    author = signed_in(identity(app, in_review.author_id))
    assert 'id="changes-heading"' not in author.get(f"/contributions/{in_review.id}").get_data(as_text=True)
    editor = signed_in(identity(app, sent_back.editor_id))
    assert 'id="changes-heading"' not in editor.get(f"/contributions/{sent_back.id}").get_data(as_text=True)


def test_resubmitting_keeps_the_response_with_the_new_revision_and_reviewers_read_it_beside_the_diff(app, signed_in, sent_back):
    web = signed_in(identity(app, sent_back.author_id))
    response_text = "Added the pilot's figures.\nKept the title: it is what patrols call it."
    data = edit_data(app, web, sent_back.id, action="resubmit", response_to_reviewers=response_text)
    data["field_operational_context"] = "Patrols along 400 km of forested border, 12 drones a night"
    response = web.post(f"/contributions/{sent_back.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        from app.contributions import services

        contribution = reload(sent_back.id)
        assert services.workflow().state_has(contribution.state, "reviewable")
        assert services.revision(contribution, contribution.revision).response_to_reviewers == response_text
        assert services.revision(contribution, contribution.revision - 1).response_to_reviewers == ""
    reviewer = signed_in(identity(app, sent_back.reviewer_ids[0]))
    diff = reviewer.get(f"/contributions/{sent_back.id}/diff").get_data(as_text=True)
    assert "The author&#39;s response to the reviewers" in diff or "The author's response to the reviewers" in diff
    assert "Added the pilot&#39;s figures." in diff


def test_a_response_saved_with_a_draft_comes_back_on_the_edit_form(app, signed_in, sent_back):
    web = signed_in(identity(app, sent_back.author_id))
    data = edit_data(app, web, sent_back.id, action="save", response_to_reviewers="Working on the figures.")
    assert web.post(f"/contributions/{sent_back.id}/edit", data=data).status_code == 302
    html = web.get(f"/contributions/{sent_back.id}/edit").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="response_to_reviewers"[^>]*>\s*Working on the figures.</textarea>', html)


def test_a_draft_offers_no_response_and_stores_none(app, signed_in, make_user):
    author = make_user(["contributor"])
    web = signed_in(author)
    token = csrf_token(web, "/contributions/new/trend")
    response = web.post(
        "/contributions/new/trend", data={**form_data(payload("trend"), token), "action": "save", "response_to_reviewers": "Hello"}
    )
    contribution_id = int(re.search(r"/contributions/(\d+)", response.location).group(1))
    assert 'name="response_to_reviewers"' not in web.get(f"/contributions/{contribution_id}/edit").get_data(as_text=True)
    data = edit_data(app, web, contribution_id, action="submit", response_to_reviewers="Hello")
    assert web.post(f"/contributions/{contribution_id}/edit", data=data).status_code == 302
    with app.app_context():
        from app.contributions import services

        assert services.revision(reload(contribution_id), 1).response_to_reviewers == ""


# --- 2. attachments are part of the form ------------------------------------------------------


def stored_files(app):
    return sorted(path.name for path in Path(app.config["UPLOAD_FOLDER"]).glob("*"))


def attachments_of(app, contribution_id):
    with app.app_context():
        return [attachment.filename for attachment in reload(contribution_id).attachments if attachment.removed_at is None]


def test_a_new_contribution_takes_files_with_its_first_save(app, signed_in, make_user):
    web = signed_in(make_user(["contributor"]))
    token = csrf_token(web, "/contributions/new/trend")
    data = {**form_data(payload("trend"), token), "action": "save", "files": [(io.BytesIO(pdf_bytes()), "pilot.pdf")]}
    response = web.post("/contributions/new/trend", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    contribution_id = int(re.search(r"/contributions/(\d+)", response.location).group(1))
    assert attachments_of(app, contribution_id) == ["pilot.pdf"]


def test_attaching_while_editing_keeps_every_other_edit(app, signed_in, make_user, client):
    from tests.api.support import token_headers

    author = make_user(["contributor"])
    draft_id = client.post("/api/v1/contributions", json=payload("trend"), headers=token_headers(app, author.id)).get_json()["id"]
    web = signed_in(author)
    data = edit_data(app, web, draft_id, action="save", title="A sharper title", files=[(io.BytesIO(pdf_bytes()), "evidence.pdf")])
    response = web.post(f"/contributions/{draft_id}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        assert reload(draft_id).title == "A sharper title"
    assert attachments_of(app, draft_id) == ["evidence.pdf"]


def test_a_refused_file_stores_nothing_and_the_form_keeps_what_was_typed(app, signed_in, make_user, client):
    from tests.api.support import token_headers

    author = make_user(["contributor"])
    draft_id = client.post("/api/v1/contributions", json=payload("trend"), headers=token_headers(app, author.id)).get_json()["id"]
    web = signed_in(author)
    before = stored_files(app)
    files = [(io.BytesIO(pdf_bytes()), "good.pdf"), (io.BytesIO(b"MZ\x90\x00 not a document"), "tool.pdf")]
    data = edit_data(app, web, draft_id, action="save", title="Typed but not saved", files=files)
    response = web.post(f"/contributions/{draft_id}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Typed but not saved"' in html and "tool.pdf" in html
    with app.app_context():
        assert reload(draft_id).title != "Typed but not saved"
    assert attachments_of(app, draft_id) == [] and stored_files(app) == before


def test_files_go_with_the_step_in_one_transaction(app, signed_in, make_user):
    web = signed_in(make_user(["contributor"]))
    token = csrf_token(web, "/contributions/new/trend")
    incomplete = {**form_data(payload("trend", summary=""), token), "action": "submit"}
    before = stored_files(app)
    incomplete["files"] = [(io.BytesIO(pdf_bytes()), "pilot.pdf")]
    response = web.post("/contributions/new/trend", data=incomplete, content_type="multipart/form-data")
    assert response.status_code in (409, 422)
    assert stored_files(app) == before


# --- 3. Enter never takes a secondary action ----------------------------------------------------


def main_form(html):
    start = html.index('enctype="multipart/form-data"')
    return html[start : html.index("</form>", start)]


@pytest.mark.parametrize("contribution_type", ["technology", "outcome"])
def test_the_first_submit_button_of_the_form_saves_the_draft(signed_in, make_user, contribution_type):
    web = signed_in(make_user(["contributor"]))
    form = main_form(web.get(f"/contributions/new/{contribution_type}").get_data(as_text=True))
    buttons = re.findall(r"<button[^>]*>", form)
    assert 'value="save"' in buttons[0], buttons[0]
    assert any("search_" in button for button in buttons[1:])  # the secondary ones come after


# --- 4. deleting drafts, confirming irreversible steps ------------------------------------------


def new_draft(app, client, author):
    from tests.api.support import token_headers

    return client.post("/api/v1/contributions", json=payload("trend"), headers=token_headers(app, author.id)).get_json()["id"]


def test_a_never_submitted_draft_is_deleted_after_a_confirmation_page(app, client, signed_in, make_user):
    author = make_user(["contributor"])
    draft_id = new_draft(app, client, author)
    web = signed_in(author)
    token = csrf_token(web, f"/contributions/{draft_id}/edit")
    web.post(
        f"/contributions/{draft_id}/edit",
        data={**edit_data(app, web, draft_id, action="save"), "files": [(io.BytesIO(pdf_bytes()), "a.pdf")]},
        content_type="multipart/form-data",
    )
    files_before = stored_files(app)
    assert f"/contributions/{draft_id}/delete" in web.get(f"/contributions/{draft_id}/edit").get_data(as_text=True)
    page = web.get(f"/contributions/{draft_id}/delete")
    assert page.status_code == 200 and "This cannot be undone." in page.get_data(as_text=True)
    assert web.get(f"/contributions/{draft_id}").status_code == 200  # asking changed nothing
    assert web.post(f"/contributions/{draft_id}/delete", data={}).status_code == 400  # no CSRF token
    response = web.post(f"/contributions/{draft_id}/delete", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/contributions/mine")
    assert web.get(f"/contributions/{draft_id}").status_code == 404
    assert len(stored_files(app)) == len(files_before) - 1


def test_a_submitted_contribution_cannot_be_deleted(app, client, signed_in, make_user):
    author = make_user(["contributor"])
    draft_id = new_draft(app, client, author)
    web = signed_in(author)
    assert web.post(f"/contributions/{draft_id}/edit", data=edit_data(app, web, draft_id, action="submit")).status_code == 302
    assert f"/contributions/{draft_id}/delete" not in web.get(f"/contributions/{draft_id}").get_data(as_text=True)
    token = csrf_token(web, f"/contributions/{draft_id}")
    assert web.post(f"/contributions/{draft_id}/delete", data={"csrf_token": token}).status_code == 303
    assert web.get(f"/contributions/{draft_id}").status_code == 200


def test_nobody_else_deletes_a_draft(app, client, signed_in, make_user):
    draft_id = new_draft(app, client, make_user(["contributor"]))
    other = signed_in(make_user(["contributor", "editor", "admin"], area_codes=["BM"]))
    token = csrf_token(other, "/")
    assert other.post(f"/contributions/{draft_id}/delete", data={"csrf_token": token}).status_code == 404


def test_withdrawing_asks_for_confirmation_and_says_it_cannot_be_undone(app, signed_in, sent_back):
    web = signed_in(identity(app, sent_back.author_id))
    detail = web.get(f"/contributions/{sent_back.id}").get_data(as_text=True)
    assert f"/contributions/{sent_back.id}/transitions/withdraw" in detail
    assert 'name="transition" value="withdraw"' not in detail  # no one-click withdraw button
    page = web.get(f"/contributions/{sent_back.id}/transitions/withdraw").get_data(as_text=True)
    assert "This cannot be undone." in page and 'name="transition" value="withdraw"' in page
    with app.app_context():
        from app.contributions import services

        assert not services.workflow().state_has(reload(sent_back.id).state, "private")
        assert reload(sent_back.id).state not in services.workflow().terminal


def test_a_step_the_user_may_not_take_has_no_confirmation_page(app, signed_in, sent_back):
    editor = signed_in(identity(app, sent_back.editor_id))
    assert editor.get(f"/contributions/{sent_back.id}/transitions/withdraw").status_code == 404


def test_removing_an_attachment_asks_first(app, client, signed_in, make_user):
    author = make_user(["contributor"])
    draft_id = new_draft(app, client, author)
    web = signed_in(author)
    web.post(
        f"/contributions/{draft_id}/edit",
        data={**edit_data(app, web, draft_id, action="save"), "files": [(io.BytesIO(pdf_bytes()), "a.pdf")]},
        content_type="multipart/form-data",
    )
    with app.app_context():
        attachment_id = reload(draft_id).attachments[0].id
    edit_page = web.get(f"/contributions/{draft_id}/edit").get_data(as_text=True)
    remove = f"/contributions/{draft_id}/attachments/{attachment_id}/remove"
    assert f'href="{remove}"' in edit_page
    page = web.get(remove)
    assert page.status_code == 200 and f'action="{remove}"' in page.get_data(as_text=True)
    assert attachments_of(app, draft_id) == ["a.pdf"]
    token = csrf_token(web, remove)
    assert web.post(remove, data={"csrf_token": token}).status_code == 302
    assert attachments_of(app, draft_id) == []


# --- 5. required answers marked from the start, every problem at once ---------------------------


def test_every_answer_submitting_needs_is_marked_required_from_the_start(signed_in, make_user):
    spec = TYPES["capability_gap"]
    html = signed_in(make_user(["contributor"])).get("/contributions/new/capability_gap").get_data(as_text=True)
    form = main_form(html)
    form_tag = html[html.rindex("<form", 0, html.index('enctype="multipart/form-data"')) :]
    assert "novalidate" in form_tag[: form_tag.index(">")]  # the browser never blocks saving a draft
    assert re.search(r'<input[^>]*id="title"[^>]*required', form) or re.search(r'<input[^>]*required[^>]*id="title"', form)
    assert re.search(r'<textarea[^>]*id="summary"[^>]*required|<textarea[^>]*required[^>]*id="summary"', form)
    for field in spec.fields:
        tag = re.search(rf'<(?:input|textarea)[^>]*name="field_{field.name}"[^>]*>', form)
        if field.kind in ("text", "long_text", "choice") and tag:
            assert ("required" in tag.group(0)) == field.required, field.name
    areas = form[form.index("Thematic areas") : form.index("</legend>", form.index("Thematic areas"))]
    assert "(required)" in areas


def test_submitting_reports_every_problem_at_once_first_in_the_page(signed_in, make_user):
    web = signed_in(make_user(["contributor"]))
    token = csrf_token(web, "/contributions/new/capability_gap")
    body = payload("capability_gap", title="", summary="")
    body["fields"] = {"priority": "urgentest"}  # invalid, and every required answer but one missing
    data = {**form_data(body, token), "thematic_areas": [], "action": "submit"}
    response = web.post("/contributions/new/capability_gap", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    main = html[html.index('<main id="main"') :]
    summary = main[main.index('id="error-summary"') : main.index("</div>", main.index('id="error-summary"'))]
    assert main.index('id="error-summary"') < main.index("<h1")
    assert 'tabindex="-1"' in main[: main.index('id="error-summary"') + 40]
    for name in ("title", "summary", "thematic_areas", "field_need", "field_priority"):
        assert f'href="#{name}"' in summary, name


def test_a_refused_save_and_submit_names_the_missing_answers_too(signed_in, make_user):
    web = signed_in(make_user(["contributor"]))
    token = csrf_token(web, "/contributions/new/capability_gap")
    body = payload("capability_gap", title="", summary="")
    data = {**form_data(body, token), "action": "submit"}
    response = web.post("/contributions/new/capability_gap", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert 'href="#title"' in summary and 'href="#summary"' in summary


def test_saving_a_draft_with_missing_answers_lists_only_what_is_wrong(signed_in, make_user):
    web = signed_in(make_user(["contributor"]))
    token = csrf_token(web, "/contributions/new/capability_gap")
    data = {**form_data(payload("capability_gap", title="", summary=""), token), "action": "save"}
    html = web.post("/contributions/new/capability_gap", data=data).get_data(as_text=True)
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert 'href="#title"' in summary and 'href="#summary"' not in summary


def test_a_refused_file_and_wrong_answers_are_reported_together(signed_in, make_user):
    web = signed_in(make_user(["contributor"]))
    token = csrf_token(web, "/contributions/new/trend")
    data = {**form_data(payload("trend", title=""), token), "action": "save", "files": [(io.BytesIO(b"MZ not a document"), "tool.pdf")]}
    response = web.post("/contributions/new/trend", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert 'href="#files"' in summary and 'href="#title"' in summary
