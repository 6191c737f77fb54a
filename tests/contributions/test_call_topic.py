"""A contribution names the Horizon Europe call topic it informs: chosen in the form, shown on its page, kept in revisions."""

import re
from datetime import date

import pytest

from app.contributions.models import Contribution
from app.extensions import db
from tests.api.support import token_headers
from tests.contributions.samples import payload, reload
from tests.contributions.test_forms import created_id, form_data
from tests.factories import CallTopicFactory
from tests.support import csrf_token


@pytest.fixture
def author(make_user):
    return make_user(["contributor"], organisation="Guardia Civil")


def make_topic(app, **attributes):
    """(id, code, title) of a new call topic (area BM and open unless told otherwise)."""
    with app.app_context():
        if "area_code" in attributes:
            from app.community.services import area_by_code

            code = attributes.pop("area_code")
            attributes["area"] = area_by_code(code) if code else None
        topic = CallTopicFactory(**attributes)
        return topic.id, topic.code, topic.title


def new_draft(app, client, author, **overrides):
    headers = token_headers(app, author.id)
    response = client.post("/api/v1/contributions", json=payload("trend", **overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_call_topic_chosen_in_the_new_form_is_stored(app, client, author, signed_in):
    topic_id, _code, _title = make_topic(app)
    web = signed_in(author)
    token = csrf_token(web, "/contributions/new/trend")
    data = {**form_data(payload("trend"), token), "call_topic_id": str(topic_id), "action": "save"}
    response = web.post("/contributions/new/trend", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        assert reload(created_id(response)).call_topic_id == topic_id


def test_the_form_offers_every_topic_grouped_by_area_those_of_the_contributions_areas_first(app, client, author, signed_in):
    fct_id, _fct_code, _ = make_topic(app, code="HORIZON-CL3-2025-01-FCT-01", area_code="FCT")
    bm_id, bm_code, bm_title = make_topic(app, code="HORIZON-CL3-2025-01-BM-01", area_code="BM")
    draft = new_draft(app, client, author, thematic_areas=["BM"])
    page = signed_in(author).get(f"/contributions/{draft['id']}/edit").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="call_topic_id".*?</select>', page, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)"', select)
    assert [label.split(" ")[0] for label in groups] == ["BM", "FCT"]
    assert f'value="{bm_id}">{bm_code} – {bm_title}</option>' in select
    assert f'value="{fct_id}"' in select


def test_the_contributions_areas_decide_which_group_comes_first(app, client, author, signed_in):
    make_topic(app, code="HORIZON-CL3-2025-01-FCT-01", area_code="FCT")
    make_topic(app, code="HORIZON-CL3-2025-01-BM-01", area_code="BM")
    draft = new_draft(app, client, author, thematic_areas=["FCT"])
    page = signed_in(author).get(f"/contributions/{draft['id']}/edit").get_data(as_text=True)
    groups = re.findall(r'<optgroup label="(\w+) ', page)
    assert groups == ["FCT", "BM"]


def test_the_edit_form_shows_the_saved_topic_chosen_and_keeps_it_when_other_answers_change(app, client, author, signed_in):
    topic_id, _code, _title = make_topic(app)
    draft = new_draft(app, client, author, call_topic_id=topic_id)
    web = signed_in(author)
    page = web.get(f"/contributions/{draft['id']}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{topic_id}">|<option value="{topic_id}" selected>', page)
    token = csrf_token(web, f"/contributions/{draft['id']}/edit")
    data = {
        **form_data(payload("trend", title="A better title"), token),
        "call_topic_id": str(topic_id),
        "version": str(draft["version"]),
        "action": "save",
    }
    assert web.post(f"/contributions/{draft['id']}/edit", data=data).status_code == 302
    with app.app_context():
        saved = reload(draft["id"])
        assert (saved.title, saved.call_topic_id) == ("A better title", topic_id)


def test_choosing_none_in_the_form_clears_the_topic(app, client, author, signed_in):
    topic_id, _code, _title = make_topic(app)
    draft = new_draft(app, client, author, call_topic_id=topic_id)
    web = signed_in(author)
    token = csrf_token(web, f"/contributions/{draft['id']}/edit")
    data = {**form_data(payload("trend"), token), "call_topic_id": "0", "version": str(draft["version"]), "action": "save"}
    assert web.post(f"/contributions/{draft['id']}/edit", data=data).status_code == 302
    with app.app_context():
        assert reload(draft["id"]).call_topic_id is None


def test_a_topic_not_offered_is_refused_by_the_form_and_nothing_is_stored(app, client, author, signed_in):
    topic_id, _code, _title = make_topic(app)
    web = signed_in(author)
    token = csrf_token(web, "/contributions/new/trend")
    data = {**form_data(payload("trend"), token), "call_topic_id": str(topic_id + 1000), "action": "save"}
    response = web.post("/contributions/new/trend", data=data)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Contribution)) == 0


def test_a_topic_removed_while_the_form_was_open_is_refused_beside_the_field(app, client, author, signed_in, monkeypatch):
    # The form offered the topic; by the time it is posted the topic is gone: the service refuses, named on the field.
    topic_id, _code, _title = make_topic(app)
    web = signed_in(author)
    token = csrf_token(web, "/contributions/new/trend")
    from app.contributions import services

    with app.app_context():
        groups = services.call_topics_for_choice(["BM"])
    monkeypatch.setattr(services, "call_topics_for_choice", lambda area_codes=(): groups)
    with app.app_context():
        from app.projects.models import CallTopic

        db.session.execute(db.delete(CallTopic).where(CallTopic.id == topic_id))
        db.session.commit()
    data = {**form_data(payload("trend"), token), "call_topic_id": str(topic_id), "action": "save"}
    response = web.post("/contributions/new/trend", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="call_topic_id-error"' in page and "Unknown call topic." in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Contribution)) == 0


def test_the_page_shows_the_topic_and_links_to_it_on_its_areas_page(app, client, author, signed_in):
    topic_id, code, title = make_topic(app)
    draft = new_draft(app, client, author, call_topic_id=topic_id)
    page = signed_in(author).get(f"/contributions/{draft['id']}").get_data(as_text=True)
    assert "Call topic it informs" in page
    assert f'<a href="/areas/BM#topic-{code}">{code} – {title}</a>' in page
    area_page = client.get("/areas/BM").get_data(as_text=True)
    assert f'id="topic-{code}"' in area_page


def test_a_closed_topic_is_shown_with_its_deadline_and_no_link_to_the_open_topics(app, client, author, signed_in):
    topic_id, code, title = make_topic(app, deadline=date(2024, 9, 18))
    draft = new_draft(app, client, author, call_topic_id=topic_id)
    page = signed_in(author).get(f"/contributions/{draft['id']}").get_data(as_text=True)
    assert f"{code} – {title}" in page
    assert f"#topic-{code}" not in page
    assert "deadline passed on" in page


def test_a_contribution_without_a_topic_says_nothing_about_one(app, client, author, signed_in):
    make_topic(app)
    draft = new_draft(app, client, author)
    assert "Call topic it informs" not in signed_in(author).get(f"/contributions/{draft['id']}").get_data(as_text=True)


def test_the_topic_title_is_escaped_on_the_page(app, client, author, signed_in):
    topic_id, _code, _title = make_topic(app, title="<script>alert(1)</script> Drones")
    draft = new_draft(app, client, author, call_topic_id=topic_id)
    page = signed_in(author).get(f"/contributions/{draft['id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Drones" in page


def test_each_revision_keeps_the_topic_named_then(app, client, author):
    first_id, _code, _title = make_topic(app)
    second_id, _code, _title = make_topic(app)
    headers = token_headers(app, author.id)
    draft = new_draft(app, client, author, call_topic_id=first_id)
    client.post(f"/api/v1/contributions/{draft['id']}/transitions", json={"transition": "submit"}, headers=headers)
    with app.app_context():
        contribution = reload(draft["id"])
        contribution.state = "changes_requested"
        db.session.commit()
    edited = client.patch(f"/api/v1/contributions/{draft['id']}", json={"call_topic_id": second_id}, headers=headers)
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["revision"] == 2
    with app.app_context():
        revisions = {revision.number: revision.call_topic_id for revision in reload(draft["id"]).revisions}
    assert revisions == {1: first_id, 2: second_id}


def test_the_area_page_counts_the_accepted_contributions_that_inform_each_topic(app, client):
    from tests.factories import ContributionFactory, contribution_in_state

    informed_id, informed_code, _title = make_topic(app)
    _other_id, other_code, _title = make_topic(app)
    with app.app_context():
        contribution_in_state("accepted", call_topic_id=informed_id)
        contribution_in_state("accepted", call_topic_id=informed_id)
        contribution_in_state("in_review", call_topic_id=informed_id)
        ContributionFactory(call_topic_id=informed_id)  # a draft
    page = client.get("/areas/BM").get_data(as_text=True)
    entries = {re.match(r'[^"]+', entry).group(0): entry for entry in page.split('<li id="topic-')[1:]}
    assert "2 accepted contributions inform it." in entries[informed_code]
    assert "accepted contribution" not in entries[other_code]
