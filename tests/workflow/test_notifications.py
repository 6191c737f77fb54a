"""Every transition tells exactly the people its effects promise: no one missing, no one else.

The cases come from workflows/contribution.toml (each transition from each of
its source states); what each transition must tell is written here by hand,
so removing an effect from the file, or making a notifying effect do nothing,
fails a case. An effect the table below does not know fails
`test_the_table_knows_every_effect_of_the_file`: add it here, with its audience.
"""

from pathlib import Path

import pytest

from app.workflow import load_definition
from tests.api.support import post_transition

DEFINITION = load_definition(Path(__file__).resolve().parents[2] / "workflows" / "contribution.toml")

# Who each effect tells; effects that tell no one map to the empty set.
EFFECT_AUDIENCE = {
    "notify_author": {"author"},
    "notify_editors": {"area_editors"},
    "notify_editors_if_submitted": {"area_editors"},
    "notify_reviewers": {"assigned_reviewers"},
    "mark_submitted": set(),
    "new_revision": set(),
    "assign_reviewers": set(),  # the engine's top-up; telling reviewers is notify_reviewers' part
    "return_to_reports": set(),
    "leave_reports": set(),
}

# Who each transition tells (the actor is never told of their own act).
AUDIENCE = {
    "submit": {"area_editors"},
    "withdraw": {"area_editors", "assigned_reviewers"},
    "send_to_review": {"author", "assigned_reviewers"},
    "desk_reject": {"author"},
    "request_changes": {"author", "assigned_reviewers"},
    "resubmit": {"assigned_reviewers", "area_editors"},
    "accept": {"author", "assigned_reviewers"},
    "reject": {"author", "assigned_reviewers"},
    "reopen": {"author", "area_editors"},
}
# Exceptions by source state: editors never saw a draft, so its withdrawal tells no one.
AUDIENCE_FROM = {("withdraw", "draft"): set()}

CASES = [(name, source) for name, transition in DEFINITION.transitions.items() for source in transition.sources]


def test_the_table_knows_every_effect_of_the_file():
    unknown = {effect for transition in DEFINITION.transitions.values() for effect in transition.effects} - set(EFFECT_AUDIENCE)
    assert not unknown, f"effects without a notification test: {sorted(unknown)} (add them to EFFECT_AUDIENCE)"
    assert set(AUDIENCE) == set(DEFINITION.transitions), "every transition needs its audience in AUDIENCE"


@pytest.mark.parametrize("name", sorted(DEFINITION.transitions))
def test_the_effects_of_each_transition_promise_its_audience(name):
    promised = set().union(*(EFFECT_AUDIENCE[effect] for effect in DEFINITION.transitions[name].effects))
    assert promised == AUDIENCE[name]


@pytest.fixture
def world(app):
    """The people around a contribution in area BM, by id; only some of them are concerned by it."""
    from tests.factories import UserFactory

    with app.app_context():
        people = {
            "author": UserFactory(roles=["contributor"], organisation="Guardia Civil"),
            "area_editor": UserFactory(roles=["editor"], area_codes=["BM"], organisation="European Commission"),
            "second_area_editor": UserFactory(roles=["editor"], area_codes=["BM", "CS"], organisation="Frontex"),
            "other_editor": UserFactory(roles=["editor"], area_codes=["CS"], organisation="European Commission"),
            "reviewer_one": UserFactory(roles=["reviewer"], area_codes=["BM"], organisation="Politie"),
            "reviewer_two": UserFactory(roles=["reviewer"], area_codes=["BM"], organisation="Bundespolizei"),
            "unassigned_reviewer": UserFactory(roles=["reviewer"], area_codes=["BM"], organisation="Carabinieri"),
            "admin": UserFactory(roles=["admin"], organisation="European Commission"),
            "unrelated_contributor": UserFactory(roles=["contributor"], organisation="Policia Nacional"),
        }
        return {role: (user.id, user.email) for role, user in people.items()}


def audience_ids(world, names):
    groups = {
        "author": ["author"],
        "area_editors": ["area_editor", "second_area_editor"],
        "assigned_reviewers": ["reviewer_one", "reviewer_two"],
    }
    return {world[role][0] for name in names for role in groups[name]}


def actor_of(transition):
    return {"author": "author", "editor": "area_editor", "admin": "admin"}[transition.actors[0]]


def in_state(app, world, state):
    """A contribution brought to `state` by the engine; reviewers one and two are assigned (and review) in review."""
    from app.auth.models import User
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews import services as reviews
    from tests.factories import contribution_in_state

    with app.app_context():
        person = {role: db.session.get(User, user_id) for role, (user_id, _email) in world.items()}
        reviewers = [person["reviewer_one"], person["reviewer_two"]]
        # Reviewed, so the decisions' guards (enough_reviews, has_review) pass.
        made = contribution_in_state(state, author=person["author"], editor=person["area_editor"], reviewers=reviewers, reviewed=True)
        if state == "submitted":
            # So send_to_review's top-up picks no one else (the unassigned reviewer is eligible too).
            contribution = db.session.get(Contribution, made.id)
            for reviewer in reviewers:
                reviews.assign(contribution, reviewer, person["area_editor"])
            db.session.commit()
        return made.id


def told_since(app, notification_id, outbox_id):
    """(user ids with a new in-app notification, addresses of new outbox e-mails)."""
    from app.extensions import db
    from app.mail.models import OutboxMessage
    from app.notifications.models import Notification

    with app.app_context():
        notified = db.session.scalars(db.select(Notification.user_id).where(Notification.id > notification_id)).all()
        mailed = db.session.scalars(db.select(OutboxMessage.recipient).where(OutboxMessage.id > outbox_id)).all()
    return notified, mailed


def settle(app, mailbox):
    """Wait until the e-mails of the setup have left the outbox (a real worker sends them later), then empty the mailbox."""
    from app.extensions import db
    from app.mail.models import OutboxMessage
    from tests.support import wait_for

    def sent():
        with app.app_context():
            return not db.session.scalar(db.select(db.func.count()).where(OutboxMessage.state.in_(["pending", "sending"])))

    # Generous: the worker may still be working through the jobs of earlier tests.
    wait_for(sent, timeout=60, message="the setup's e-mails to be sent")
    mailbox.clear()


def last_ids(app):
    from app.extensions import db
    from app.mail.models import OutboxMessage
    from app.notifications.models import Notification

    with app.app_context():
        return (
            db.session.scalar(db.select(db.func.coalesce(db.func.max(Notification.id), 0))),
            db.session.scalar(db.select(db.func.coalesce(db.func.max(OutboxMessage.id), 0))),
        )


@pytest.mark.parametrize("name, source", CASES, ids=[f"{name}-from-{source}" for name, source in CASES])
def test_transition_tells_exactly_its_audience(app, client, world, mailbox, name, source):
    transition = DEFINITION.transitions[name]
    contribution_id = in_state(app, world, source)
    before = last_ids(app)
    settle(app, mailbox)
    actor = actor_of(transition)

    response = post_transition(app, client, world[actor][0], contribution_id, name, comment="Reasons are given.")

    assert response.status_code == 200, response.get_json()
    expected = audience_ids(world, AUDIENCE_FROM.get((name, source), AUDIENCE[name])) - {world[actor][0]}
    notified, mailed = told_since(app, *before)
    # One in-app notification and one e-mail each, to these people and no one else.
    assert sorted(notified) == sorted(expected)
    emails = dict(world.values())
    assert sorted(mailed) == sorted(emails[user_id] for user_id in expected)
    for user_id in expected:
        (message,) = mailbox.wait_for(1, recipient=emails[user_id], timeout=60)
        assert "Capability gap" in message["Subject"]
        # The subject names the event first ("Sent to review: …"), short enough to read in an inbox.
        assert message["Subject"].startswith(transition.history_label + ":")


def test_the_actor_is_not_told_of_their_own_act(app, client, world):
    """An admin who is also an editor of the area reopens: the other area editors and the author are told, not them."""
    from app.auth.models import User
    from app.extensions import db

    contribution_id = in_state(app, world, "accepted")
    with app.app_context():
        db.session.get(User, world["area_editor"][0]).set_roles(["editor", "admin"])
        db.session.commit()
    before = last_ids(app)

    response = post_transition(app, client, world["area_editor"][0], contribution_id, "reopen", comment="New evidence.")

    assert response.status_code == 200, response.get_json()
    notified, _mailed = told_since(app, *before)
    assert sorted(notified) == sorted([world["author"][0], world["second_area_editor"][0]])
