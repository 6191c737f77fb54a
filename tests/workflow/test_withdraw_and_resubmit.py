"""Withdrawing from every state it is allowed in (and refused from the others), and resubmitting as a new revision."""

from pathlib import Path

import pytest

from app.contributions.models import STATES
from app.workflow import load_definition
from tests.api.support import post_transition, snapshot, token_headers

DEFINITION = load_definition(Path(__file__).resolve().parents[2] / "workflows" / "contribution.toml")

# Until a decision the author may take a contribution back (DESIGN.md).
WITHDRAWABLE = ["draft", "submitted", "in_review", "changes_requested"]
NOT_WITHDRAWABLE = [state for state in STATES if state not in WITHDRAWABLE]


def in_state(app, state):
    from tests.factories import contribution_in_state

    with app.app_context():
        return contribution_in_state(state, reviewed=True)


def history(app, contribution_id):
    from app.extensions import db
    from app.workflow.models import WorkflowHistory

    with app.app_context():
        return [
            (entry.transition, entry.from_state, entry.to_state, entry.actor_id, entry.revision)
            for entry in db.session.scalars(
                db.select(WorkflowHistory).where(WorkflowHistory.subject_id == contribution_id).order_by(WorkflowHistory.id)
            )
        ]


def test_the_file_allows_withdraw_from_exactly_these_states():
    assert sorted(DEFINITION.transitions["withdraw"].sources) == sorted(WITHDRAWABLE)
    assert NOT_WITHDRAWABLE == ["accepted", "rejected", "withdrawn"]


@pytest.mark.parametrize("state", WITHDRAWABLE)
def test_the_author_withdraws_from(app, client, state):
    made = in_state(app, state)
    before = snapshot(app, made.id)
    earlier = history(app, made.id)

    response = post_transition(app, client, made.author_id, made.id, "withdraw")

    assert response.status_code == 200, response.get_json()
    after = snapshot(app, made.id)
    assert after["state"] == "withdrawn"
    assert after["version"] == before["version"] + 1
    assert history(app, made.id) == [*earlier, ("withdraw", state, "withdrawn", made.author_id, before["revision"])]
    # Who exactly is told is tested in test_notifications.py; here: the area editor and the reviewers
    # assigned so far (none before send_to_review), and no one for a draft editors never saw.
    reviewers = 0 if state == "submitted" else len(made.reviewer_ids)
    assert after["notifications"] - before["notifications"] == (0 if state == "draft" else 1 + reviewers)
    assert response.get_json()["allowed_transitions"] == []


@pytest.mark.parametrize("state", NOT_WITHDRAWABLE)
def test_withdraw_is_refused_with_409_and_changes_nothing_from(app, client, state):
    made = in_state(app, state)
    before = snapshot(app, made.id)
    response = post_transition(app, client, made.author_id, made.id, "withdraw")
    assert response.status_code == 409
    assert response.get_json()["error"]
    assert snapshot(app, made.id) == before


# --- resubmit -----------------------------------------------------------------------------------


def revisions(app, contribution_id):
    """{number: what the revision says}, read from the database."""
    from app.contributions.models import ContributionRevision
    from app.extensions import db

    with app.app_context():
        return {
            revision.number: {
                "title": revision.title,
                "summary": revision.summary,
                "fields": revision.fields,
                "references": revision.references,
                "area_codes": revision.area_codes,
                "created_at": revision.created_at,
            }
            for revision in db.session.scalars(
                db.select(ContributionRevision).where(ContributionRevision.contribution_id == contribution_id)
            )
        }


def test_resubmit_without_edits_makes_the_next_revision_and_keeps_the_old_one(app, client, signed_in):
    made = in_state(app, "changes_requested")
    before = revisions(app, made.id)
    assert set(before) == {1}

    response = post_transition(app, client, made.author_id, made.id, "resubmit")

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["revision"] == 2
    after = revisions(app, made.id)
    assert set(after) == {1, 2}
    assert after[1] == before[1]  # the old revision is unchanged
    assert history(app, made.id)[-1] == ("resubmit", "changes_requested", "in_review", made.author_id, 2)
    # And still readable: the editor compares the two on the diff page.
    editor = _identity(app, made.editor_id)
    assert signed_in(editor).get(f"/contributions/{made.id}/diff?from=1&to=2").status_code == 200


def test_an_edit_before_resubmit_is_the_new_revision_and_resubmit_adds_no_other(app, client):
    made = in_state(app, "changes_requested")
    headers = token_headers(app, made.author_id)
    edited = client.patch(f"/api/v1/contributions/{made.id}", json={"title": "A sharper title"}, headers=headers)
    assert edited.status_code == 200 and edited.get_json()["revision"] == 2
    original = revisions(app, made.id)[1]

    response = post_transition(app, client, made.author_id, made.id, "resubmit")

    assert response.status_code == 200 and response.get_json()["revision"] == 2
    after = revisions(app, made.id)
    assert set(after) == {1, 2} and after[1] == original and after[2]["title"] == "A sharper title"


def test_reviews_of_the_old_revision_do_not_count_to_accept_the_new_one(app, client):
    made = in_state(app, "changes_requested")  # both reviewers reviewed revision 1
    assert post_transition(app, client, made.author_id, made.id, "resubmit").status_code == 200
    before = snapshot(app, made.id)
    response = post_transition(app, client, made.editor_id, made.id, "accept")
    assert response.status_code == 409
    assert "there are 0" in response.get_json()["error"]
    assert snapshot(app, made.id) == before


def _identity(app, user_id):
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        return type("Identity", (), {"id": user.id, "email": user.email})()
