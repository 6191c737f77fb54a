"""Inputs for a workshop: the call window enforced in the page and the API (acceptance 1), the chair's list, bulk review."""

import re

import pytest

from app.extensions import db
from tests.api.support import token_headers
from tests.contributions.samples import payload
from tests.contributions.test_forms import form_data
from tests.factories import UserFactory, contribution_in_state
from tests.support import csrf_token, flashes
from tests.workshops.support import make_workshop


@pytest.fixture
def chair(make_user):
    return make_user(["editor"], area_codes=["BM"])


def _workshop(app, **options):
    with app.app_context():
        workshop = make_workshop(**options)
        return workshop.id, workshop


def _window_text(app, workshop_id):
    from app.workshops import services

    with app.app_context():
        workshop = services.get_workshop(workshop_id)
        return str(services.call_window_text(workshop))


def test_the_api_refuses_an_input_after_the_call_closed_naming_the_dates(app, client, contributor):
    workshop_id, _ = _workshop(app, call=(-72, -24))
    body = {**payload("capability_gap"), "workshop_id": workshop_id}
    response = client.post("/api/v1/contributions", json=body, headers=token_headers(app, contributor.id))
    assert response.status_code == 422
    message = response.get_json()["fields"]["workshop_id"]
    assert _window_text(app, workshop_id) in message


def test_the_page_refuses_an_input_after_the_call_closed_naming_the_dates(app, signed_in, contributor):
    workshop_id, _ = _workshop(app, call=(-72, -24))
    web = signed_in(contributor)
    token = csrf_token(web, "/contributions/new/capability_gap")
    data = {**form_data(payload("capability_gap"), token), "workshop_id": str(workshop_id), "action": "save"}
    response = web.post("/contributions/new/capability_gap", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _window_text(app, workshop_id) in page
    from app.contributions.models import Contribution

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Contribution)) == 0


def test_an_input_in_the_window_is_accepted_and_listed_for_the_chair(app, client, signed_in, contributor, chair):
    workshop_id, _ = _workshop(app, call=(-1, 48), chair_id=chair.id)
    headers = token_headers(app, contributor.id)
    body = {**payload("capability_gap", title="Night-time drone detection gap"), "workshop_id": workshop_id}
    created = client.post("/api/v1/contributions", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    submitted = client.post(f"/api/v1/contributions/{created.get_json()['id']}/transitions", json={"transition": "submit"}, headers=headers)
    assert submitted.status_code == 200, submitted.get_json()

    page = signed_in(chair).get(f"/workshops/{workshop_id}").get_data(as_text=True)
    assert "Night-time drone detection gap" in page
    # Visitors see the workshop, not the inputs.
    assert "Night-time drone detection gap" not in client.get(f"/workshops/{workshop_id}").get_data(as_text=True)


def test_a_draft_made_in_the_window_cannot_be_submitted_after_it_closed(app, client, contributor):
    from app.contributions.models import Contribution
    from app.timeutil import utcnow

    workshop_id, _ = _workshop(app, call=(-1, 48))
    headers = token_headers(app, contributor.id)
    created = client.post("/api/v1/contributions", json={**payload("capability_gap"), "workshop_id": workshop_id}, headers=headers)
    with app.app_context():
        from app.workshops.models import Workshop

        db.session.get(Workshop, workshop_id).call_closes_at = utcnow()
        db.session.commit()
    contribution_id = created.get_json()["id"]
    response = client.post(f"/api/v1/contributions/{contribution_id}/transitions", json={"transition": "submit"}, headers=headers)
    assert response.status_code == 422
    assert "workshop_id" in response.get_json()["fields"]
    with app.app_context():
        assert db.session.get(Contribution, contribution_id).submitted_at is None


def test_the_form_opened_from_the_workshop_page_is_pre_filled(app, signed_in, contributor):
    workshop_id, _ = _workshop(app, call=(-1, 48), areas=("BM", "CS"))
    web = signed_in(contributor)
    workshop_page = web.get(f"/workshops/{workshop_id}").get_data(as_text=True)
    link = re.search(r'href="(/contributions/new/capability_gap\?[^"]+)"', workshop_page).group(1).replace("&amp;", "&")
    form = web.get(link).get_data(as_text=True)
    assert re.search(rf'<option selected value="{workshop_id}"|<option value="{workshop_id}" selected', form)
    assert re.search(r'value="BM"[^>]*checked|checked[^>]*value="BM"', form)
    assert re.search(r'value="CS"[^>]*checked|checked[^>]*value="CS"', form)


def test_the_form_offers_no_workshop_whose_call_is_closed(app, signed_in, contributor):
    _workshop(app, title="Closed call workshop", call=(-72, -24))
    _workshop(app, title="Open call workshop", call=(-1, 24))
    form = signed_in(contributor).get("/contributions/new/capability_gap").get_data(as_text=True)
    assert "Open call workshop" in form
    assert "Closed call workshop" not in form


def _submitted_inputs(app, workshop_id, count, **options):
    with app.app_context():
        editor = UserFactory(roles=["editor"], area_codes=["BM"])
        reviewers = [UserFactory(roles=["reviewer"], area_codes=["BM"], organisation=f"Reviewer org {n}") for n in range(2)]
        return [
            contribution_in_state("submitted", editor=editor, reviewers=reviewers, workshop_id=workshop_id, **options).id
            for _ in range(count)
        ]


def test_the_chair_sends_chosen_inputs_to_review_in_bulk_skipping_those_that_cannot_move(app, signed_in, chair):
    from app.contributions.models import Contribution
    from app.contributions.services import workflow

    workshop_id, _ = _workshop(app, call=(-1, 48), chair_id=chair.id)
    ids = _submitted_inputs(app, workshop_id, 3)
    other_workshop, _ = _workshop(app, title="Other", call=(-1, 48))
    (foreign,) = _submitted_inputs(app, other_workshop, 1)
    web = signed_in(chair)
    token = csrf_token(web, f"/workshops/{workshop_id}")
    response = web.post(
        f"/workshops/{workshop_id}/inputs/review", data={"csrf_token": token, "contribution_ids": [str(ids[0]), str(ids[1]), str(foreign)]}
    )
    assert response.status_code == 302
    messages = " ".join(flashes(web.get(f"/workshops/{workshop_id}").get_data(as_text=True)))
    assert "2 inputs sent to review" in messages
    assert "1 input could not be sent" in messages
    with app.app_context():
        definition = workflow()
        states = {item: db.session.get(Contribution, item).state for item in [*ids, foreign]}
        assert definition.state_has(states[ids[0]], "reviewable") and definition.state_has(states[ids[1]], "reviewable")
        assert definition.state_has(states[ids[2]], "screening")
        assert definition.state_has(states[foreign], "screening")  # not an input of this workshop


def test_only_those_who_manage_the_workshop_send_inputs_to_review(app, signed_in, make_user):
    workshop_id, _ = _workshop(app, call=(-1, 48))
    (item,) = _submitted_inputs(app, workshop_id, 1)
    other_editor = make_user(["editor"], area_codes=["CS"])
    web = signed_in(other_editor)
    token = csrf_token(web, f"/workshops/{workshop_id}")
    response = web.post(f"/workshops/{workshop_id}/inputs/review", data={"csrf_token": token, "contribution_ids": [str(item)]})
    assert response.status_code == 403


def test_the_workshop_page_lists_inputs_in_a_fixed_number_of_queries(app, signed_in, chair, count_queries):
    workshop_id, _ = _workshop(app, call=(-1, 48), chair_id=chair.id)
    _submitted_inputs(app, workshop_id, 2)
    web = signed_in(chair)
    with count_queries() as few:
        web.get(f"/workshops/{workshop_id}")
    _submitted_inputs(app, workshop_id, 6)
    with count_queries() as many:
        page = web.get(f"/workshops/{workshop_id}")
    assert page.status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 20
