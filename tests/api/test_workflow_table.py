"""Every transition of workflows/contribution.toml, from every state, for every role, through the API.

The expected status is derived from the definition itself:
  404  the caller cannot open the contribution (visibility comes first: an
       unrelated contributor, an editor of another area, a reviewer on a draft;
       an accepted contribution every member may open)
  403  the caller can open it but no actor rule of the transition's `who` fits
  409  the caller may take the transition, but not from this state
  200  otherwise (the world is set up so every guard passes and a comment is given)
This mirrors the engine's order of checks (actor, state, version, comment, guards).
"""

from pathlib import Path

import pytest

from app.workflow import load_definition
from tests.api.support import token_headers
from tests.contributions.samples import payload, put_in_state

DEFINITION = load_definition(Path(__file__).resolve().parents[2] / "workflows" / "contribution.toml")
ROLES = ["author", "area_editor", "other_editor", "assigned_reviewer", "admin", "unrelated_contributor"]
# Which actor rule of the definition each role satisfies.
ACTOR_RULES = {"author": {"author"}, "area_editor": {"editor"}, "admin": {"admin"}}


def can_open(role, state):
    """A draft only to its author; an accepted one (feeds reports) to every member; anything else to the author,
    area editors, assigned reviewers and admins."""
    if role == "author" or state in DEFINITION.states_flagged("feeds_reports"):
        return True
    if role in ("area_editor", "admin"):
        return state != "draft"
    if role == "assigned_reviewer":
        # Reviewers are assigned when the contribution goes to review (see put_in_state).
        return state not in ("draft", "submitted")
    return False


def expected_status(transition, state, role):
    if not can_open(role, state):
        return 404
    if not ACTOR_RULES.get(role, set()) & set(transition.actors):
        return 403
    if state not in transition.sources:
        return 409
    return 200


CASES = [(name, state) for name in DEFINITION.transitions for state in DEFINITION.states]


@pytest.fixture
def world(app, make_user):
    """The people around one contribution in area BM."""
    people = {
        "author": make_user(["contributor"], organisation="Guardia Civil"),
        "area_editor": make_user(["editor"], area_codes=["BM"], organisation="European Commission"),
        "other_editor": make_user(["editor"], area_codes=["CS"], organisation="European Commission"),
        "assigned_reviewer": make_user(["reviewer"], area_codes=["BM"], organisation="Politie"),
        "second_reviewer": make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei"),
        "admin": make_user(["admin"], organisation="European Commission"),
        "unrelated_contributor": make_user(["contributor"], organisation="Carabinieri"),
    }
    return people


def make_contribution(app, world, state):
    from app.contributions import services
    from app.extensions import db
    from tests.contributions.samples import user

    with app.app_context():
        author = user(world["author"].id)
        contribution = services.create_draft(author, payload("capability_gap"))
        reviewers = [user(world["assigned_reviewer"].id), user(world["second_reviewer"].id)]
        put_in_state(contribution, state, reviewers, author)
        db.session.commit()
        return contribution.id


@pytest.mark.parametrize("transition_name, state", CASES, ids=[f"{name}-from-{state}" for name, state in CASES])
def test_transition_status_by_role(app, client, world, transition_name, state):
    transition = DEFINITION.transitions[transition_name]
    headers = {role: token_headers(app, world[role].id) for role in ROLES}
    # The one role that succeeds goes last: success changes the state.
    ordered = sorted(ROLES, key=lambda role: expected_status(transition, state, role) == 200)
    contribution_id = make_contribution(app, world, state)
    failures = []
    for role in ordered:
        response = client.post(
            f"/api/v1/contributions/{contribution_id}/transitions",
            json={"transition": transition_name, "comment": "Reasons are given."},
            headers=headers[role],
        )
        expected = expected_status(transition, state, role)
        if response.status_code != expected:
            failures.append(f"{role}: {response.status_code} (expected {expected}) {response.get_json()}")
        elif expected == 200:
            assert response.get_json()["state"] == transition.target
            assert response.get_json()["history"][-1]["transition"] == transition_name
    assert not failures, "\n".join(failures)


def test_every_transition_succeeds_for_someone_from_each_of_its_sources():
    """The table is not vacuous: each (transition, source) pair has a role expected to succeed."""
    for transition in DEFINITION.transitions.values():
        for state in transition.sources:
            assert any(expected_status(transition, state, role) == 200 for role in ROLES), (transition.name, state)
