"""The outcome: written by those who manage the workshop once it is held, sanitised, published on its public page
with links to the accepted inputs, and moving the lifecycle on to a state that has an outcome."""

from datetime import timedelta

import pytest

from app.extensions import db
from tests.support import csrf_token
from tests.workshops.support import make_workshop


@pytest.fixture
def chair(make_user):
    return make_user(["editor"], area_codes=["CS"])


def _workshop(app, **options):
    with app.app_context():
        return make_workshop(**options).id


def _held(app, chair, **options):
    return _workshop(app, starts_in=-30, lasts=8, call=(-200, -100), chair_id=chair.id, **options)


def _post(web, workshop_id, summary, publish=True):
    token = csrf_token(web, f"/workshops/{workshop_id}")
    data = {"csrf_token": token, "outcome_summary": summary}
    data["publish_now" if publish else "save"] = "1"
    return web.post(f"/workshops/{workshop_id}/outcome", data=data)


def _workshop_row(app, workshop_id):
    from app.workshops import services

    with app.app_context():
        workshop = services.get_workshop(workshop_id)
        return workshop.outcome_summary, workshop.outcome_published_at, services.in_state(workshop, "has_outcome")


def test_the_chair_publishes_a_sanitised_outcome_that_visitors_read(app, client, signed_in, chair):
    workshop_id = _held(app, chair)
    response = _post(
        signed_in(chair), workshop_id, '<p>Drones <strong>matter</strong><script>alert(1)</script><img src=x onerror="alert(2)"></p>'
    )
    assert response.status_code == 302
    summary, published_at, has_outcome = _workshop_row(app, workshop_id)
    assert published_at is not None and has_outcome
    assert "<script" not in summary and "onerror" not in summary and "<strong>matter</strong>" in summary
    page = client.get(f"/workshops/{workshop_id}").get_data(as_text=True)
    assert "<strong>matter</strong>" in page and "alert(1)" not in page
    with app.app_context():
        from app.workshops import services

        label = services.state_label(services.get_workshop(workshop_id))
    assert str(label) in page


def test_a_draft_outcome_stays_off_the_public_page(app, client, signed_in, chair):
    workshop_id = _held(app, chair)
    assert _post(signed_in(chair), workshop_id, "<p>Draft findings</p>", publish=False).status_code == 302
    _summary, published_at, has_outcome = _workshop_row(app, workshop_id)
    assert published_at is None and not has_outcome
    assert "Draft findings" not in client.get(f"/workshops/{workshop_id}").get_data(as_text=True)


@pytest.mark.parametrize("starts_in", [48, -2])  # not started; started but not over
def test_the_outcome_cannot_be_written_before_the_workshop_is_held(app, client, signed_in, chair, starts_in):
    workshop_id = _workshop(app, starts_in=starts_in, lasts=8, call=None, chair_id=chair.id)
    web = signed_in(chair)
    page = web.get(f"/workshops/{workshop_id}/outcome").get_data(as_text=True)
    assert "once the workshop has been held" in page and 'name="publish_now"' not in page
    response = _post(web, workshop_id, "<p>Too early</p>")
    assert response.status_code == 409
    summary, published_at, _ = _workshop_row(app, workshop_id)
    assert summary == "" and published_at is None


def test_publishing_an_empty_outcome_is_refused(app, signed_in, chair):
    workshop_id = _held(app, chair)
    response = _post(signed_in(chair), workshop_id, "<p> </p>")
    assert response.status_code == 422
    assert 'id="outcome_summary-error"' in response.get_data(as_text=True)
    assert _workshop_row(app, workshop_id)[1] is None


def test_a_published_outcome_can_be_corrected_and_stays_published(app, signed_in, chair):
    workshop_id = _held(app, chair)
    web = signed_in(chair)
    _post(web, workshop_id, "<p>First words</p>")
    _summary, first_published_at, _ = _workshop_row(app, workshop_id)
    assert _post(web, workshop_id, "<p>Better words</p>", publish=False).status_code == 302
    summary, published_at, has_outcome = _workshop_row(app, workshop_id)
    assert "Better words" in summary and published_at == first_published_at and has_outcome


@pytest.mark.parametrize(
    "roles, areas, status",
    [(["editor"], ["BM"], 302), (["admin"], [], 302), (["editor"], ["CS"], 403), (["contributor"], [], 403), (["reviewer"], ["BM"], 403)],
)
def test_who_may_write_the_outcome(app, signed_in, make_user, chair, roles, areas, status):
    workshop_id = _held(app, chair, areas=("BM",))
    web = signed_in(make_user(roles, area_codes=areas))
    assert web.get(f"/workshops/{workshop_id}/outcome").status_code == (200 if status == 302 else 403)
    assert _post(web, workshop_id, "<p>Findings</p>").status_code == status
    assert (_workshop_row(app, workshop_id)[1] is not None) == (status == 302)


def test_the_outcome_needs_the_csrf_token(app, signed_in, chair):
    workshop_id = _held(app, chair)
    response = signed_in(chair).post(f"/workshops/{workshop_id}/outcome", data={"outcome_summary": "<p>x</p>", "publish_now": "1"})
    assert response.status_code == 400
    assert _workshop_row(app, workshop_id)[1] is None


def test_the_published_outcome_links_the_accepted_inputs_only(app, client, signed_in, chair):
    from app.workshops.models import Workshop
    from tests.factories import contribution_in_state

    workshop_id = _workshop(app, starts_in=24, call=(-1, 12), types=("capability_gap",), chair_id=chair.id)
    with app.app_context():
        accepted = contribution_in_state("accepted", workshop_id=workshop_id, title="Accepted thermal imaging gap").id
        in_review = contribution_in_state("in_review", workshop_id=workshop_id, title="Gap still in review").id
        other = contribution_in_state("accepted", title="Accepted gap for no workshop").id
        # The workshop takes place: move its times into the past.
        workshop = db.session.get(Workshop, workshop_id)
        shift = timedelta(days=10)
        workshop.call_opens_at, workshop.call_closes_at = workshop.call_opens_at - shift, workshop.call_closes_at - shift
        workshop.starts_at, workshop.ends_at = workshop.starts_at - shift, workshop.ends_at - shift
        db.session.commit()
    assert _post(signed_in(chair), workshop_id, "<p>Findings</p>").status_code == 302
    page = client.get(f"/workshops/{workshop_id}").get_data(as_text=True)
    outcome = page.split('id="outcome"', 1)[1]
    assert f'href="/contributions/{accepted}"' in outcome and "Accepted thermal imaging gap" in outcome
    assert f"/contributions/{in_review}" not in outcome and f"/contributions/{other}" not in outcome
