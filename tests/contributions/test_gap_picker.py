"""The technology form's capability-gap picker searches every gap the user may read (issue 11), not the first hundred.

As-you-type suggestions (/contributions/suggestions, used by project-picker.js) and,
without JavaScript, the search button posting the form back with the matches to tick.
Gaps the user may not read (another author's gap in review, a draft) are never offered.
"""

import re
from datetime import timedelta

import pytest

from tests.support import csrf_token

TECHNOLOGY = {
    "title": "Passive radio-frequency sensing",
    "thematic_areas": "BM",
    "summary": "<p>A sensor network.</p>",
    "field_solution": "Passive radio-frequency sensing network",
    "field_solution_kind": "technology",
    "field_trl": "7",
    "field_availability": "commercial",
    "network_id": "0",
    "workshop_id": "0",
}
ROUTINE_GAPS = 105


def _gap(author, title, state, created_at):
    from app.contributions.models import Contribution
    from app.contributions.services import search_text_of
    from tests.factories import CAPABILITY_GAP_FIELDS, _areas

    gap = Contribution(
        type="capability_gap",
        title=title,
        summary="<p>A gap.</p>",
        fields=dict(CAPABILITY_GAP_FIELDS),
        references=[],
        state=state,
        author=author,
        created_at=created_at,
        submitted_at=created_at if state != "draft" else None,
    )
    gap.areas = _areas(["BM"])
    gap.search_text = search_text_of(gap)
    return gap


@pytest.fixture
def gaps(app):
    """More than a hundred accepted gaps of other authors; the one sought is the oldest (the old picker's 101st);
    beside it, gaps with the same word the member may not read (another's gap in review, another's draft)."""
    from app.contributions import search
    from app.extensions import db
    from app.timeutil import utcnow
    from tests.factories import UserFactory

    with app.app_context():
        other = UserFactory(roles=["contributor"])
        start = utcnow() - timedelta(days=30)
        sought = _gap(other, "Zeppelin detection over lakes", "accepted", start)
        hidden = [
            _gap(other, "Zeppelin tracking still in review", "in_review", start + timedelta(minutes=1)),
            _gap(other, "Zeppelin draft of another author", "draft", start + timedelta(minutes=2)),
        ]
        routine = [_gap(other, f"Routine gap {number:03d}", "accepted", start + timedelta(hours=number)) for number in range(ROUTINE_GAPS)]
        db.session.add_all([sought, *hidden, *routine])
        db.session.flush()
        for gap in [sought, *hidden, *routine]:
            search.index(gap)
        db.session.commit()
        return {"sought": sought.id, "hidden": [gap.id for gap in hidden]}


def test_suggestions_find_a_gap_beyond_the_first_hundred(signed_in, contributor, gaps):
    response = signed_in(contributor).get("/contributions/suggestions?type=capability_gap&q=zeppel")
    assert response.status_code == 200
    assert [item["id"] for item in response.get_json()["items"]] == [gaps["sought"]]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_suggestions_never_offer_a_gap_the_user_may_not_read(signed_in, contributor, gaps):
    found = signed_in(contributor).get("/contributions/suggestions?type=capability_gap&q=zeppelin").get_json()["items"]
    assert not {item["id"] for item in found} & set(gaps["hidden"])


def test_suggestions_for_an_unknown_type_answer_404(signed_in, contributor):
    assert signed_in(contributor).get("/contributions/suggestions?type=nonsense&q=ab").status_code == 404


def test_the_search_button_without_javascript_offers_the_matches_to_tick(signed_in, contributor, gaps):
    writer = signed_in(contributor)
    token = csrf_token(writer, "/contributions/new/technology")
    response = writer.post(
        "/contributions/new/technology",
        data={"csrf_token": token, **TECHNOLOGY, "addresses_gaps_q": "zeppelin", "action": "search_contributions"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'name="field_addresses_gaps" type="checkbox" value="{gaps["sought"]}"' in html
    for hidden in gaps["hidden"]:
        assert f'value="{hidden}"' not in html


def test_the_form_offers_the_picker_not_a_list_of_every_gap(signed_in, contributor, gaps):
    html = signed_in(contributor).get("/contributions/new/technology").get_data(as_text=True)
    assert 'data-picker="/contributions/suggestions?type=capability_gap"' in html
    assert "Routine gap" not in html


def test_a_technology_links_the_gap_found_and_keeps_it_when_edited(app, signed_in, contributor, gaps):
    from app.contributions.models import Contribution
    from app.extensions import db

    writer = signed_in(contributor)
    token = csrf_token(writer, "/contributions/new/technology")
    response = writer.post(
        "/contributions/new/technology",
        data={"csrf_token": token, **TECHNOLOGY, "field_addresses_gaps": [str(gaps["sought"])], "action": "save"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    contribution_id = int(response.location.rstrip("/").split("/")[-2])
    with app.app_context():
        assert [gap.id for gap in db.session.get(Contribution, contribution_id).addressed_gaps] == [gaps["sought"]]
    edit = writer.get(f"/contributions/{contribution_id}/edit").get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*name="field_addresses_gaps" type="checkbox" value="{gaps["sought"]}"', edit)


def test_a_gap_the_user_may_not_read_is_refused_on_the_form(signed_in, contributor, gaps):
    writer = signed_in(contributor)
    token = csrf_token(writer, "/contributions/new/technology")
    response = writer.post(
        "/contributions/new/technology",
        data={"csrf_token": token, **TECHNOLOGY, "field_addresses_gaps": [str(gaps["hidden"][0])], "action": "save"},
    )
    assert response.status_code == 422
